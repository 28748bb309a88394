/**
 * Hugging Face's initialisation for BERT-family models (`_init_weights`): Linear and Embedding
 * weights ~ normal(0, initializer_range), biases 0, the padding row of the word embeddings 0,
 * LayerNorm weight 1 and bias 0 — drawn from a seeded generator, so a seed gives the same model.
 */
import { Rng } from "../util/random";
import type { ParamSpec } from "./weights";

/** HF-layout initial values for one parameter. */
export function initialValues(spec: ParamSpec, initializerRange: number, rng: Rng): Float32Array {
  const size = spec.hfShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (spec.kind) {
    case "layernorm-weight":
      out.fill(1);
      break;
    case "bias":
    case "layernorm-bias":
      break;
    case "linear":
    case "embedding":
      for (let i = 0; i < size; i++) out[i] = rng.normal() * initializerRange;
      if (spec.paddingIdx !== undefined && spec.paddingIdx >= 0 && spec.paddingIdx < spec.hfShape[0]) {
        const w = spec.hfShape[1];
        out.fill(0, spec.paddingIdx * w, (spec.paddingIdx + 1) * w);
      }
      break;
  }
  return out;
}
