/**
 * Parity with Python transformers/torch on every CPU tier we ship — plain wasm, wasm+blas (the native
 * BLAS tier; must run under CI=true) and cpu: logits (1e-4 abs), loss (1e-5 rel), gradient norms of
 * every parameter (1e-3 rel, 1e-6 abs for near-zero ones), classifier gradients, no leaked tensors.
 */
import { test } from "node:test";
import { initBackend } from "../../src/backend";
import { parityTiers } from "../backend/tiers";
import { FIXTURES, checkGradients, checkLogitsAndLoss, loadFixture } from "./parity-helper";

for (const tier of parityTiers()) {
  for (const name of FIXTURES) {
    test(`${name} on ${tier.name}: logits and loss match transformers`, { skip: tier.skip }, async () => {
      await initBackend(tier.name, { quiet: true });
      const { model, golden } = await loadFixture(name);
      checkLogitsAndLoss(model, golden);
      model.dispose();
    });

    test(`${name} on ${tier.name}: gradients match torch, no tensors leak`, { skip: tier.skip }, async () => {
      await initBackend(tier.name, { quiet: true });
      const { model, golden } = await loadFixture(name);
      checkGradients(model, golden);
      model.dispose();
    });
  }
}
