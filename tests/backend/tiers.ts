/**
 * The backends every parity test loops over: plain wasm, the native BLAS tier and cpu. wasm+blas is
 * skipped with its reason where the addon is unavailable, except under CI=true, where the tests run
 * anyway and fail on initBackend's error (CI must prove the native tier).
 */
import { loadNativeBlas } from "../../src/backend/native";

export interface TestTier {
  name: "wasm" | "wasm+blas" | "cpu";
  /** A reason to skip, or undefined when the tier must run. */
  skip?: string;
}

export function parityTiers(): TestTier[] {
  const native = loadNativeBlas();
  const blasSkip =
    native.addon === undefined && process.env.CI !== "true" ? `native BLAS addon ${native.reason}` : undefined;
  return [{ name: "wasm" }, { name: "wasm+blas", skip: blasSkip }, { name: "cpu" }];
}
