/** The small-product threading policy follows the machine's load (src/backend/native.ts smallGemmFlops). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SMALL_GEMM_FLOPS, smallGemmFlops } from "../../src/backend/native";

test("busy machine (1-minute load ≥ cores): products under SMALL_GEMM_FLOPS run on one BLAS thread", () => {
  assert.equal(smallGemmFlops(2, 2), SMALL_GEMM_FLOPS);
  assert.equal(smallGemmFlops(20.5, 2), SMALL_GEMM_FLOPS);
  assert.equal(smallGemmFlops(16, 16), SMALL_GEMM_FLOPS);
});

test("quiet machine (load below the core count): every product on all BLAS threads", () => {
  assert.equal(smallGemmFlops(0, 2), 0);
  assert.equal(smallGemmFlops(1.99, 2), 0);
  assert.equal(smallGemmFlops(7.9, 16), 0);
});
