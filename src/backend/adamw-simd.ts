/// <reference lib="dom" />
// WebAssembly.Memory/Module types: tslab compiles with the ES2022 lib only
/**
 * The AdamW update as a tiny WebAssembly SIMD module that imports tfjs-backend-wasm's own memory, so
 * the plain wasm tier updates parameters in place on the heap four floats at a time instead of in a
 * scalar JS loop. The module is assembled below from its instructions (no toolchain needed); every
 * f32x4 operation is IEEE float32 (no fused multiply-add), in the order of src/backend/adamw-kernel.ts's
 * reference loop, so the results are bit for bit the same.
 */

// Section, type and opcode bytes of the WebAssembly binary format (core spec + fixed-width SIMD).
const I32 = 0x7f,
  F32 = 0x7d,
  V128 = 0x7b;
const GET = 0x20,
  SET = 0x21,
  I32_ADD = 0x6a,
  I32_GE_U = 0x4f,
  I32_CONST = 0x41,
  BR_IF = 0x0d,
  BR = 0x0c,
  END = 0x0b;
const SIMD = 0xfd;
const LOAD = [SIMD, 0x00, 0x02, 0x00]; // v128.load align=4 offset=0
const STORE = [SIMD, 0x0b, 0x02, 0x00]; // v128.store align=4 offset=0
const SPLAT = [SIMD, 0x13]; // f32x4.splat
const SQRT = [SIMD, 0xe3, 0x01],
  ADD = [SIMD, 0xe4, 0x01],
  SUB = [SIMD, 0xe5, 0x01],
  MUL = [SIMD, 0xe6, 0x01],
  DIV = [SIMD, 0xe7, 0x01];

// Locals: parameters p, m, v, g (byte addresses), n4 (floats, a multiple of 4), then the eight float
// scalars; then i (byte offset), end, the eight scalars splatted, and g, m, v of the current vector.
const [P, M, V, G, N] = [0, 1, 2, 3, 4];
const SCALARS = [5, 6, 7, 8, 9, 10, 11, 12]; // decay, 1-β1, β2, 1-β2, √(1-β2^t), ε, -stepSize, gradient scale
const [I, E] = [13, 14];
const [DECAY, B1C, B2, B2C, BC2, EPS, NS, SCALE] = [15, 16, 17, 18, 19, 20, 21, 22];
const [GI, MI, VI] = [23, 24, 25];

const at = (base: number) => [GET, base, GET, I, I32_ADD]; // address base + i

const body = [
  0x02,
  0x02,
  I32,
  0x0b,
  V128, // locals: 2 × i32, 11 × v128
  GET,
  N,
  I32_CONST,
  2,
  0x74 /* i32.shl */,
  SET,
  E, // end = n4 · 4
  ...SCALARS.flatMap((s, k) => [GET, s, ...SPLAT, SET, DECAY + k]),
  0x02,
  0x40,
  0x03,
  0x40, // block, loop
  GET,
  I,
  GET,
  E,
  I32_GE_U,
  BR_IF,
  1,
  // g ← g·scale (gradient clipping folded in; a scale of 1 changes nothing)
  ...at(G),
  ...LOAD,
  GET,
  SCALE,
  ...MUL,
  SET,
  GI,
  // m ← m + (g − m)·(1−β1)
  ...at(M),
  ...LOAD,
  GET,
  GI,
  ...at(M),
  ...LOAD,
  ...SUB,
  GET,
  B1C,
  ...MUL,
  ...ADD,
  SET,
  MI,
  ...at(M),
  GET,
  MI,
  ...STORE,
  // v ← v·β2 + (g·(1−β2))·g
  ...at(V),
  ...LOAD,
  GET,
  B2,
  ...MUL,
  GET,
  GI,
  GET,
  B2C,
  ...MUL,
  GET,
  GI,
  ...MUL,
  ...ADD,
  SET,
  VI,
  ...at(V),
  GET,
  VI,
  ...STORE,
  // p ← p·decay + (m·(−stepSize)) / (√v / √(1−β2^t) + ε)
  ...at(P),
  ...at(P),
  ...LOAD,
  GET,
  DECAY,
  ...MUL,
  GET,
  MI,
  GET,
  NS,
  ...MUL,
  GET,
  VI,
  ...SQRT,
  GET,
  BC2,
  ...DIV,
  GET,
  EPS,
  ...ADD,
  ...DIV,
  ...ADD,
  ...STORE,
  GET,
  I,
  I32_CONST,
  16,
  I32_ADD,
  SET,
  I,
  BR,
  0,
  END,
  END,
  END,
];

const str = (s: string) => [s.length, ...Buffer.from(s, "ascii")];
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];

/** The module's bytes: imports env.memory, exports adamw(p, m, v, g, n4, decay, …, negStepSize, gradScale). */
export const ADAMW_SIMD_WASM = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(1, [1, 0x60, 13, I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, 0]),
  ...section(2, [1, ...str("env"), ...str("memory"), 0x02, 0x00, 0x00]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...str("adamw"), 0x00, 0]),
  ...section(10, [1, ...leb(body.length), ...body]),
]);

export type SimdAdamW = (p: number, m: number, v: number, g: number, n4: number, ...scalars: number[]) => void;

const instances = new WeakMap<WebAssembly.Memory, SimdAdamW | null>();

/**
 * The SIMD update bound to `memory` (cached per memory), or undefined where this engine has no wasm
 * SIMD. Addresses are byte offsets into `memory`; n4 must be a multiple of 4.
 */
export function simdAdamWFor(memory: WebAssembly.Memory): SimdAdamW | undefined {
  let fn = instances.get(memory);
  if (fn === undefined) {
    try {
      const module = new WebAssembly.Module(ADAMW_SIMD_WASM);
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      fn = instance.exports.adamw as unknown as SimdAdamW;
    } catch {
      fn = null; // no SIMD (or the memory cannot be imported): the caller keeps its JS loop
    }
    instances.set(memory, fn);
  }
  return fn ?? undefined;
}
