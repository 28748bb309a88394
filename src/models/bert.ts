/**
 * BERT for token classification, as HF's `BertForTokenClassification` (no pooler):
 * embeddings (word + position + token type → LayerNorm → dropout), `num_hidden_layers`
 * layers (self-attention → output.dense → dropout → residual+LayerNorm; intermediate.dense →
 * gelu → output.dense → dropout → residual+LayerNorm), then dropout(classifier_dropout ??
 * hidden_dropout_prob) → classifier.
 */
import * as tf from "@tensorflow/tfjs";
import type { TokenClassificationConfig } from "./config";
import { attentionBias, selfAttention } from "./attention";
import { EncoderForTokenClassification, type ModelInputs } from "./base";
import type { DropoutContext } from "./dropout";
import { embeddingLookup } from "./embedding";
import { activation, layerNorm, linear } from "./layers";
import { checkpointed, shouldCheckpoint } from "./recompute";
import { layerNormSpecs, linearSpecs, type ParamSpec } from "./weights";

export class BertForTokenClassification extends EncoderForTokenClassification {
  static readonly basePrefix = "bert";

  /** Every parameter with its HF name and shape, in HF's state-dict order. */
  static paramSpecs(c: TokenClassificationConfig): ParamSpec[] {
    const h = c.hiddenSize;
    const specs: ParamSpec[] = [
      { name: "bert.embeddings.word_embeddings.weight", kind: "embedding", hfShape: [c.vocabSize, h], paddingIdx: c.padTokenId },
      { name: "bert.embeddings.position_embeddings.weight", kind: "embedding", hfShape: [c.maxPositionEmbeddings, h] },
      { name: "bert.embeddings.token_type_embeddings.weight", kind: "embedding", hfShape: [c.typeVocabSize, h] },
      ...layerNormSpecs("bert.embeddings.LayerNorm", h),
    ];
    for (let i = 0; i < c.numLayers; i++) {
      const p = `bert.encoder.layer.${i}`;
      specs.push(
        ...linearSpecs(`${p}.attention.self.query`, h, h),
        ...linearSpecs(`${p}.attention.self.key`, h, h),
        ...linearSpecs(`${p}.attention.self.value`, h, h),
        ...linearSpecs(`${p}.attention.output.dense`, h, h),
        ...layerNormSpecs(`${p}.attention.output.LayerNorm`, h),
        ...linearSpecs(`${p}.intermediate.dense`, h, c.intermediateSize),
        ...linearSpecs(`${p}.output.dense`, c.intermediateSize, h),
        ...layerNormSpecs(`${p}.output.LayerNorm`, h),
      );
    }
    specs.push(...linearSpecs("classifier", h, c.numLabels));
    return specs;
  }

  constructor(config: TokenClassificationConfig, params: Map<string, tf.Variable>) {
    if (config.modelType !== "bert") throw new Error(`BertForTokenClassification needs model_type bert, got ${config.modelType}`);
    super(config, BertForTokenClassification.paramSpecs(config), params);
  }

  protected encode(inputs: ModelInputs, dims: { batch: number; seq: number }, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const { batch, seq } = dims;
    const n = batch * seq;
    const h = c.hiddenSize;
    const e = "bert.embeddings";
    const words = embeddingLookup(this.w(`${e}.word_embeddings.weight`), tf.reshape(inputs.inputIds, [n]) as tf.Tensor1D, c.padTokenId); // [batch·seq, hidden]
    const typeIds = inputs.tokenTypeIds ? (tf.reshape(inputs.tokenTypeIds, [n]) as tf.Tensor1D) : tf.zeros([n], "int32") as tf.Tensor1D; // [batch·seq]
    const types = embeddingLookup(this.w(`${e}.token_type_embeddings.weight`), typeIds); // [batch·seq, hidden]
    const positions = tf.slice(this.w(`${e}.position_embeddings.weight`), [0, 0], [seq, h]); // [seq, hidden], position_ids = arange(seq)
    const summed = tf.reshape(tf.add(tf.reshape(tf.add(words, types), [batch, seq, h]), positions), [n, h]) as tf.Tensor2D; // [batch·seq, hidden]
    let x = dropout.apply(layerNorm(summed, this.b(`${e}.LayerNorm.weight`), this.b(`${e}.LayerNorm.bias`), c.layerNormEps), c.hiddenDropout); // [batch·seq, hidden]
    const bias = attentionBias(inputs.attentionMask); // [batch, 1, 1, seq]
    const layerShape = { ...dims, hidden: h, intermediate: c.intermediateSize, heads: c.numHeads };
    const ckpt = shouldCheckpoint(this.gradientCheckpointing, layerShape, c.numLayers, 4 * this.numParameters());
    for (let i = 0; i < c.numLayers; i++) {
      const block = (xi: tf.Tensor2D, bi: tf.Tensor4D, d: DropoutContext) => this.layer(i, xi, bi, dims, d);
      const input = x;
      // One scope per layer: only what backprop saved (tfjs keeps its own copies) outlives the layer.
      x = tf.tidy(() => (ckpt ? checkpointed(block, input, bias, this.layerParams(i), dropout) : block(input, bias, dropout))); // [batch·seq, hidden]
      input.dispose();
    }
    return x;
  }

  private layerParams(i: number): tf.Variable[] {
    const prefix = `bert.encoder.layer.${i}.`;
    return [...this.namedWeights()].filter(([name]) => name.startsWith(prefix)).map(([, v]) => v);
  }

  private layer(i: number, x: tf.Tensor2D, bias: tf.Tensor4D, dims: { batch: number; seq: number }, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const p = `bert.encoder.layer.${i}`;
    const lin = (name: string) => ({ w: this.w(`${p}.${name}.weight`), b: this.b(`${p}.${name}.bias`) });
    // x: [batch·seq, hidden]; bias: [batch, 1, 1, seq]
    const ctx = selfAttention(
      x,
      bias,
      { query: lin("attention.self.query"), key: lin("attention.self.key"), value: lin("attention.self.value") },
      { ...dims, heads: c.numHeads },
      dropout,
      c.attentionDropout,
    ); // [batch·seq, hidden] (heads merged)
    const o = lin("attention.output.dense");
    const attnOut = dropout.apply(linear(ctx, o.w, o.b), c.hiddenDropout); // [batch·seq, hidden]
    const att = layerNorm(tf.add(attnOut, x), this.b(`${p}.attention.output.LayerNorm.weight`), this.b(`${p}.attention.output.LayerNorm.bias`), c.layerNormEps); // [batch·seq, hidden]
    const inter = lin("intermediate.dense");
    const act = activation(c.activation, linear(att, inter.w, inter.b)) as tf.Tensor2D; // [batch·seq, intermediate]
    const out = lin("output.dense");
    const h = dropout.apply(linear(act, out.w, out.b), c.hiddenDropout); // [batch·seq, hidden]
    return layerNorm(tf.add(h, att), this.b(`${p}.output.LayerNorm.weight`), this.b(`${p}.output.LayerNorm.bias`), c.layerNormEps); // [batch·seq, hidden]
  }
}
