// A tiny token classifier (one-hot embedding → tanh → linear) implementing the Trainer's model
// contract, so the training loop can be tested fast and on its own. Labels are learnable from
// the token id alone (label = id % 3).
import * as fs from "fs";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../src/util/random";
import { saveTensorFile } from "../../src/training/checkpoint";
import type { ModelInputs, TrainableModel, TrainingFeature } from "../../src/training/types";

const VOCAB = 20;
const HIDDEN = 8;
const LABELS = 3;
let instance = 0;

export class ToyModel implements TrainableModel {
  readonly config = { numLabels: LABELS, id2label: { 0: "O", 1: "B-X", 2: "I-X" } as Record<number, string> };
  private readonly weights: Map<string, tf.Variable>;

  constructor(seed = 1) {
    const rng = new Rng(seed);
    const init = (shape: number[], scale: number) =>
      tf.tensor(
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
        shape,
      );
    const id = instance++;
    // The variable keeps its own reference to the data: free the initial value (no tensor outlives dispose()).
    const variable = (value: tf.Tensor, name: string) => {
      const v = tf.variable(value, true, `toy${id}.${name}`);
      value.dispose();
      return v;
    };
    this.weights = new Map([
      ["embeddings.weight", variable(init([VOCAB, HIDDEN], 0.5), "emb")],
      ["embeddings.LayerNorm.weight", variable(tf.ones([HIDDEN]), "lnw")],
      ["classifier.weight", variable(init([HIDDEN, LABELS], 0.5), "w")],
      ["classifier.bias", variable(tf.zeros([LABELS]), "b")],
    ]);
  }

  forward(inputs: ModelInputs, opts: { training?: boolean; dropoutSeed?: number } = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const w = this.weights;
      const [b, s] = inputs.inputIds.shape;
      const oneHot = tf.oneHot(inputs.inputIds.reshape([-1]), VOCAB).toFloat();
      let h = tf.tanh(oneHot.matMul(w.get("embeddings.weight")!)).mul(w.get("embeddings.LayerNorm.weight")!);
      if (opts.training) h = tf.dropout(h, 0.1, undefined, opts.dropoutSeed);
      const logits = h.matMul(w.get("classifier.weight")!).add(w.get("classifier.bias")!);
      return logits.reshape([b, s, LABELS]) as tf.Tensor3D;
    });
  }

  namedWeights(): Map<string, tf.Variable> {
    return this.weights;
  }

  async savePretrained(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ model_type: "toy", num_labels: LABELS }));
    saveTensorFile(
      path.join(dir, "model.safetensors"),
      new Map([...this.weights].map(([n, v]) => [n, v as tf.Tensor])),
    );
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
  }
}

/** `n` sentences of random length; the first position (like [CLS]) is ignored with -100. */
export function toyFeatures(n: number, seed = 7): TrainingFeature[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const len = 3 + rng.int(6);
    const ids = Array.from({ length: len }, (_, i) => (i === 0 ? 0 : 1 + rng.int(VOCAB - 1)));
    return {
      inputIds: ids,
      attentionMask: ids.map(() => 1),
      labels: ids.map((id, i) => (i === 0 ? -100 : id % 3)),
    };
  });
}

/** Accuracy-style metrics so best-model selection and early stopping have an "f1" to watch. */
export function toyMetrics(preds: number[][], labels: number[][]): Record<string, number> {
  let right = 0;
  let total = 0;
  preds.forEach((p, i) =>
    labels[i].forEach((l, j) => {
      if (l === -100) return;
      total++;
      if (p[j] === l) right++;
    }),
  );
  return { accuracy: right / total, f1: right / total, precision: right / total, recall: right / total };
}

export function weightsOf(model: TrainableModel): Record<string, number[]> {
  return Object.fromEntries([...model.namedWeights()].map(([n, v]) => [n, Array.from(v.dataSync())]));
}
