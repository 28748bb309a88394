import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "path";
import { cacheDir, isOffline, profile } from "../src/env";

test("NER_CACHE_DIR overrides the default cache directory", () => {
  const saved = process.env.NER_CACHE_DIR;
  process.env.NER_CACHE_DIR = "/tmp/x-cache";
  try {
    assert.equal(cacheDir(), path.resolve("/tmp/x-cache"));
  } finally {
    if (saved === undefined) delete process.env.NER_CACHE_DIR;
    else process.env.NER_CACHE_DIR = saved;
  }
});

test("NER_OFFLINE and NER_PROFILE are parsed strictly", () => {
  const saved = { o: process.env.NER_OFFLINE, p: process.env.NER_PROFILE };
  try {
    process.env.NER_OFFLINE = "1";
    assert.equal(isOffline(), true);
    process.env.NER_OFFLINE = "0";
    assert.equal(isOffline(), false);
    process.env.NER_PROFILE = "smoke";
    assert.equal(profile(), "smoke");
    process.env.NER_PROFILE = "fast";
    assert.throws(() => profile(), /NER_PROFILE/);
  } finally {
    for (const [k, v] of [
      ["NER_OFFLINE", saved.o],
      ["NER_PROFILE", saved.p],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
