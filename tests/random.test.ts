import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../src/util/random";

test("Rng is deterministic per seed and resumable from its state", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const first = [a.next(), a.next(), a.next()];
  assert.deepEqual(first, [b.next(), b.next(), b.next()]);
  const saved = a.state();
  const cont = [a.nextUint32(), a.nextUint32()];
  const resumed = Rng.fromState(saved);
  assert.deepEqual([resumed.nextUint32(), resumed.nextUint32()], cont);
  assert.notDeepEqual(new Rng(1).permutation(20), new Rng(2).permutation(20));
});

test("Rng.permutation is a permutation and normal() has unit variance", () => {
  const r = new Rng(7);
  const p = r.permutation(1000);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  let s = 0;
  let s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / n) < 0.05);
  assert.ok(Math.abs(s2 / n - 1) < 0.05);
});
