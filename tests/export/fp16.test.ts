/** Float32 → fp16 conversion of the exported weights, against the reader's F16 → float32 decoding. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { floatToHalf, toHalfBytes } from "../../src/export/fp16";
import { halfToFloat } from "../../src/models/safetensors";

test("every fp16 value converts back to its own bits (exact round trip)", () => {
  for (let h = 0; h < 0x10000; h++) {
    const f = halfToFloat(h);
    if (Number.isNaN(f)) assert.equal(floatToHalf(f) & 0x7c00, 0x7c00);
    else assert.equal(floatToHalf(f), h, `bits ${h.toString(16)}`);
  }
});

test("rounding: nearest, ties to even; overflow to Infinity; tiny values to ±0", () => {
  const one = 0x3c00;
  const ulp = 2 ** -10; // fp16 spacing just above 1
  assert.equal(floatToHalf(1 + ulp / 2), one, "tie → even (1.0)");
  assert.equal(floatToHalf(1 + (3 * ulp) / 2), one + 2, "tie → even (1 + 2 ulp)");
  assert.equal(floatToHalf(1 + ulp / 2 + 2 ** -20), one + 1, "above the tie rounds up");
  assert.equal(floatToHalf(65520), 0x7c00, "65520 rounds to Infinity");
  assert.equal(floatToHalf(65504), 0x7bff);
  assert.equal(floatToHalf(-1e-9), 0x8000);
  assert.equal(floatToHalf(2 ** -25 * 1.01), 1, "just above half the smallest subnormal rounds up");
  assert.equal(floatToHalf(2 ** -25), 0, "exactly half the smallest subnormal: tie to even 0");
});

test("toHalfBytes is little-endian fp16 of each value", () => {
  const bytes = toHalfBytes(new Float32Array([1, -2, 0.5]));
  assert.deepEqual([...bytes], [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38]);
});
