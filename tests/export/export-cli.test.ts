/**
 * `ner export web` as a command (files, sizes, errors, never replacing a folder it did not write)
 * and the --serve server (127.0.0.1, cross-origin isolation headers, no path escapes).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { showWebPage } from "../../src/export/notebook";
import { serveSite } from "../../src/export/serve";
import { setDisplaySink, type MimeBundle } from "../../src/display/mime";
import { fixturePath, repoRoot } from "../helpers/fixtures";

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-export-cli-"));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ner(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], {
    encoding: "utf8",
    timeout: 300_000,
  });
}

function get(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
  });
}

test("ner export web --json writes the site and lists its files; examples come from --examples", () => {
  const examples = path.join(tmp, "examples.txt");
  fs.writeFileSync(examples, "John lives in Paris .\n\nMary works for Google .\n");
  const out = path.join(tmp, "site");
  const res = ner(
    "export",
    "web",
    "--model",
    fixturePath("tiny-bert"),
    "--out",
    out,
    "--examples",
    examples,
    "--fp16",
    "--json",
  );
  assert.equal(res.status, 0, res.stderr);
  const summary = JSON.parse(res.stdout) as { files: Record<string, number>; totalBytes: number; weightsDtype: string };
  assert.equal(summary.weightsDtype, "F16");
  assert.equal(
    summary.totalBytes,
    Object.values(summary.files).reduce((a, b) => a + b, 0),
  );
  for (const [f, size] of Object.entries(summary.files)) assert.equal(fs.statSync(path.join(out, f)).size, size, f);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "site.json"), "utf8")) as { examples: string[] };
  assert.deepEqual(manifest.examples, ["John lives in Paris .", "Mary works for Google ."]);
  assert.deepEqual(fs.readdirSync(tmp).sort(), ["examples.txt", "site"], "no temporary folder left behind");
  // A second export replaces the first (it is a site this command wrote).
  assert.equal(ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", out, "--json").status, 0);
});

test("ner export web refuses a non-empty folder that is not an export, and a bad model, leaving nothing", () => {
  const mine = path.join(tmp, "mine");
  fs.mkdirSync(mine);
  fs.writeFileSync(path.join(mine, "notes.txt"), "keep me");
  const res = ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", mine);
  assert.equal(res.status, 1);
  assert.match(res.stderr, /^ner export web: --out .*mine is a non-empty folder that is not a previous export/m);
  assert.deepEqual(fs.readdirSync(mine), ["notes.txt"]);
  const bad = ner("export", "web", "--model", path.join(tmp, "nothing-here"), "--out", path.join(tmp, "bad"));
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assert.ok(!fs.existsSync(path.join(tmp, "bad")));
  const agg = ner(
    "export",
    "web",
    "--model",
    fixturePath("tiny-bert"),
    "--out",
    path.join(tmp, "agg"),
    "--aggregation",
    "longest",
  );
  assert.equal(agg.status, 1);
  assert.match(agg.stderr, /Unknown aggregation strategy "longest"/);
});

test("the static server: files with COOP/COEP headers, 404s, no escape from the folder, 127.0.0.1", async () => {
  const site = path.join(tmp, "served");
  fs.mkdirSync(site);
  fs.writeFileSync(path.join(site, "index.html"), "<!DOCTYPE html><p>hi</p>");
  fs.writeFileSync(path.join(tmp, "secret.txt"), "no");
  const server = await serveSite(site);
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(server.url);
    assert.equal(index.status, 200);
    assert.equal(index.headers["cross-origin-opener-policy"], "same-origin");
    assert.equal(index.headers["cross-origin-embedder-policy"], "require-corp");
    assert.match(String(index.headers["content-type"]), /^text\/html/);
    assert.equal((await get(server.url + "missing.js")).status, 404);
    assert.notEqual((await get(server.url + "..%2fsecret.txt")).status, 200);
    assert.notEqual((await get(server.url + "%2e%2e/secret.txt")).status, 200);
  } finally {
    await server.close();
  }
  await assert.rejects(serveSite(tmp), /no index\.html/);
  const first = await serveSite(site);
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(serveSite(site, port), new RegExp(`port ${port} on 127.0.0.1 is in use`));
  } finally {
    await first.close();
  }
});

test("the notebooks' showWebPage: exports with examples from the eval rows, serves, shows an iframe", async () => {
  const shown: MimeBundle[] = [];
  setDisplaySink((bundle) => void shown.push(bundle));
  const rows = [
    { tokens: ["no", "entity", "in", "here"], ner_tags: [0, 0, 0, 0] },
    { tokens: ["John", "lives", "in", "Paris", "."], ner_tags: [1, 0, 0, 5, 0] },
    { tokens: ["Rome", "."], ner_tags: [5, 0] },
  ];
  try {
    const page = await showWebPage(fixturePath("tiny-bert"), {
      out: path.join(tmp, "notebook-site"),
      examplesFrom: { rows },
      runCard: { f1: 0.5, data: "CoNLL-2003 (test)" },
    });
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(page.site.out, "site.json"), "utf8")) as {
        examples: string[];
        runCard: { f1: number; data: string };
      };
      assert.deepEqual(manifest.examples, ["John lives in Paris ."]);
      assert.deepEqual([manifest.runCard.f1, manifest.runCard.data], [0.5, "CoNLL-2003 (test)"]);
      assert.equal(shown.length, 1);
      assert.match(String(shown[0]["text/html"]), new RegExp(`<iframe src="${page.url}"`));
      assert.equal((await get(page.url)).status, 200);
    } finally {
      await page.close();
    }
  } finally {
    setDisplaySink(null);
  }
});
