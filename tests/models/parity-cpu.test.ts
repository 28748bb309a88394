/**
 * Parity with Python transformers/torch on the cpu backend: logits (1e-4 abs), loss (1e-5 rel),
 * gradient norms of every parameter (1e-3 rel, 1e-6 abs for near-zero ones), classifier
 * gradients, and no leaked tensors.
 */
import { test } from "node:test";
import { initBackend } from "../../src/backend";
import { FIXTURES, checkGradients, checkLogitsAndLoss, loadFixture } from "./parity-helper";

for (const name of FIXTURES) {
  test(`${name} on cpu: logits and loss match transformers`, async () => {
    await initBackend("cpu", { quiet: true });
    const { model, golden } = await loadFixture(name);
    checkLogitsAndLoss(model, golden);
    model.dispose();
  });

  test(`${name} on cpu: gradients match torch, no tensors leak`, async () => {
    await initBackend("cpu", { quiet: true });
    const { model, golden } = await loadFixture(name);
    checkGradients(model, golden);
    model.dispose();
  });
}
