import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeSafetensors, halfToFloat, readSafetensors } from "../../src/models/safetensors";
import { fixturePath } from "../helpers/fixtures";

function rawFile(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test("encode then read gives back names, shapes, values and pt metadata", () => {
  const tensors = new Map([
    ["a.weight", { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6.5]) }],
    ["b", { shape: [1], data: new Float32Array([-0.25]) }],
  ]);
  const bytes = encodeSafetensors(tensors);
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLen) % 8, 0, "data starts 8-byte aligned");
  const file = readSafetensors(bytes);
  assert.deepEqual(file.metadata, { format: "pt" });
  assert.deepEqual([...file.tensors.keys()], ["a.weight", "b"]);
  assert.deepEqual(file.tensors.get("a.weight")!.shape, [2, 3]);
  assert.deepEqual([...file.tensors.get("a.weight")!.toFloat32()], [1, 2, 3, 4, 5, 6.5]);
  assert.deepEqual([...file.tensors.get("b")!.toFloat32()], [-0.25]);
});

test("int32 data is written as I32; null metadata writes no __metadata__; integers read back as int32", () => {
  const bytes = encodeSafetensors(
    new Map([
      ["steps", { shape: [3], data: new Int32Array([1, -2, 2147483647]) }],
      ["m", { shape: [2], data: new Float32Array([0.5, -1]) }],
    ]),
    null,
  );
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString("utf8"));
  assert.equal(header.__metadata__, undefined);
  assert.equal(header.steps.dtype, "I32");
  assert.equal(header.m.dtype, "F32");
  const file = readSafetensors(bytes);
  assert.deepEqual(file.metadata, {});
  assert.deepEqual([...file.tensors.get("steps")!.toInt32()], [1, -2, 2147483647]);
  assert.throws(() => file.tensors.get("m")!.toInt32(), /tensor "m" has dtype F32, not an integer type/);
  const i64 = new Uint8Array(new BigInt64Array([5n, -7n]).buffer);
  const wide = readSafetensors(rawFile({ t: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, i64));
  assert.deepEqual([...wide.tensors.get("t")!.toInt32()], [5, -7]);
});

test("F16 and BF16 are widened to float32", () => {
  // 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001.
  const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]).buffer);
  // bf16 is the top half of float32: 1.0 = 0x3f80, -3.0 = 0xc040.
  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer);
  const data = new Uint8Array(f16.length + bf16.length);
  data.set(f16, 0);
  data.set(bf16, f16.length);
  const file = readSafetensors(
    rawFile(
      {
        h: { dtype: "F16", shape: [4], data_offsets: [0, 8] },
        b: { dtype: "BF16", shape: [2], data_offsets: [8, 12] },
      },
      data,
    ),
  );
  assert.deepEqual([...file.tensors.get("h")!.toFloat32()], [1, -2, 65504, Math.fround(2 ** -24)]);
  assert.deepEqual([...file.tensors.get("b")!.toFloat32()], [1, -3]);
  assert.equal(halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
});

test("malformed files fail with a message naming the problem", () => {
  assert.throws(() => readSafetensors(new Uint8Array(4), "x.safetensors"), /x\.safetensors: .*shorter than the 8-byte/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1000n, true);
  assert.throws(() => readSafetensors(huge), /header length 1000 exceeds/);
  const badJson = new Uint8Array(8 + 3);
  new DataView(badJson.buffer).setBigUint64(0, 3n, true);
  badJson.set(Buffer.from("{x:"), 8);
  assert.throws(() => readSafetensors(badJson), /not valid JSON/);
  const data = new Uint8Array(8);
  assert.throws(
    () => readSafetensors(rawFile({ t: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, data)),
    /has 8 bytes but shape \[3\] of F32 needs 12/,
  );
  assert.throws(
    () => readSafetensors(rawFile({ t: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, data)),
    /runs past the end/,
  );
  assert.throws(
    () => readSafetensors(rawFile({ t: { dtype: "Q4", shape: [2], data_offsets: [0, 8] } }, data)),
    /unsupported dtype "Q4"/,
  );
  assert.throws(
    () => readSafetensors(rawFile({ t: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, data)),
    /invalid shape/,
  );
});

test("reads the fixture checkpoint written by Python safetensors", () => {
  const file = readSafetensors(fixturePath("tiny-distilbert", "model.safetensors"));
  const w = file.tensors.get("distilbert.transformer.layer.0.attention.q_lin.weight")!;
  assert.equal(w.dtype, "F32");
  assert.deepEqual(w.shape, [32, 32]);
  assert.deepEqual(file.tensors.get("classifier.weight")!.shape, [9, 32]);
  assert.ok(w.toFloat32().some((v) => v !== 0));
});
