/**
 * DistilBERT for token classification, as HF's `DistilBertForTokenClassification`:
 * embeddings (word + position → LayerNorm → dropout), `n_layers` transformer blocks
 * (attention → out_lin → residual+sa_layer_norm; lin1 → gelu → lin2 → dropout →
 * residual+output_layer_norm), then dropout(config.dropout) → classifier.
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

export class DistilBertForTokenClassification extends EncoderForTokenClassification {
  /** Prefix of the encoder's keys in a token-classification checkpoint. */
  static readonly basePrefix = "distilbert";

  /** Every parameter with its HF name and shape, in HF's state-dict order. */
  static paramSpecs(c: TokenClassificationConfig): ParamSpec[] {
    const h = c.hiddenSize;
    const specs: ParamSpec[] = [
      { name: "distilbert.embeddings.word_embeddings.weight", kind: "embedding", hfShape: [c.vocabSize, h], paddingIdx: c.padTokenId },
      { name: "distilbert.embeddings.position_embeddings.weight", kind: "embedding", hfShape: [c.maxPositionEmbeddings, h] },
      ...layerNormSpecs("distilbert.embeddings.LayerNorm", h),
    ];
    for (let i = 0; i < c.numLayers; i++) {
      const p = `distilbert.transformer.layer.${i}`;
      specs.push(
        ...linearSpecs(`${p}.attention.q_lin`, h, h),
        ...linearSpecs(`${p}.attention.k_lin`, h, h),
        ...linearSpecs(`${p}.attention.v_lin`, h, h),
        ...linearSpecs(`${p}.attention.out_lin`, h, h),
        ...layerNormSpecs(`${p}.sa_layer_norm`, h),
        ...linearSpecs(`${p}.ffn.lin1`, h, c.intermediateSize),
        ...linearSpecs(`${p}.ffn.lin2`, c.intermediateSize, h),
        ...layerNormSpecs(`${p}.output_layer_norm`, h),
      );
    }
    specs.push(...linearSpecs("classifier", h, c.numLabels));
    return specs;
  }

  constructor(config: TokenClassificationConfig, params: Map<string, tf.Variable>) {
    if (config.modelType !== "distilbert") throw new Error(`DistilBertForTokenClassification needs model_type distilbert, got ${config.modelType}`);
    super(config, DistilBertForTokenClassification.paramSpecs(config), params);
  }

  protected encode(inputs: ModelInputs, dims: { batch: number; seq: number }, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const { batch, seq } = dims;
    const h = c.hiddenSize;
    const e = "distilbert.embeddings";
    const ids = tf.reshape(inputs.inputIds, [batch * seq]) as tf.Tensor1D; // [batch·seq]
    const words = embeddingLookup(this.w(`${e}.word_embeddings.weight`), ids, c.padTokenId); // [batch·seq, hidden]
    // position_ids = arange(seq): a slice of the table, broadcast over the batch.
    const positions = tf.slice(this.w(`${e}.position_embeddings.weight`), [0, 0], [seq, h]); // [seq, hidden]
    const summed = tf.reshape(tf.add(tf.reshape(words, [batch, seq, h]), positions), [batch * seq, h]) as tf.Tensor2D; // [batch·seq, hidden]
    let x = dropout.apply(layerNorm(summed, this.b(`${e}.LayerNorm.weight`), this.b(`${e}.LayerNorm.bias`), c.layerNormEps), c.hiddenDropout); // [batch·seq, hidden]
    const bias = attentionBias(inputs.attentionMask); // [batch, 1, 1, seq]
    const layerShape = { ...dims, hidden: h, intermediate: c.intermediateSize, heads: c.numHeads };
    const ckpt = shouldCheckpoint(this.gradientCheckpointing, layerShape, c.numLayers, 4 * this.numParameters());
    for (let i = 0; i < c.numLayers; i++) {
      const block = (xi: tf.Tensor2D, bi: tf.Tensor4D, d: DropoutContext) => this.block(i, xi, bi, dims, d);
      const input = x;
      // One scope per layer: only what backprop saved (tfjs keeps its own copies) outlives the layer.
      x = tf.tidy(() => (ckpt ? checkpointed(block, input, bias, this.layerParams(i), dropout) : block(input, bias, dropout))); // [batch·seq, hidden]
      input.dispose();
    }
    return x;
  }

  private layerParams(i: number): tf.Variable[] {
    const prefix = `distilbert.transformer.layer.${i}.`;
    return [...this.namedWeights()].filter(([name]) => name.startsWith(prefix)).map(([, v]) => v);
  }

  private block(i: number, x: tf.Tensor2D, bias: tf.Tensor4D, dims: { batch: number; seq: number }, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const p = `distilbert.transformer.layer.${i}`;
    const lin = (n: string) => ({ w: this.w(`${p}.${n}.weight`), b: this.b(`${p}.${n}.bias`) });
    // x: [batch·seq, hidden]; bias: [batch, 1, 1, seq]
    const ctx = selfAttention(
      x,
      bias,
      { query: lin("attention.q_lin"), key: lin("attention.k_lin"), value: lin("attention.v_lin") },
      { ...dims, heads: c.numHeads },
      dropout,
      c.attentionDropout,
    ); // [batch·seq, hidden] (heads merged)
    const attnOut = linear(ctx, this.w(`${p}.attention.out_lin.weight`), this.b(`${p}.attention.out_lin.bias`)); // [batch·seq, hidden]
    const sa = layerNorm(tf.add(attnOut, x), this.b(`${p}.sa_layer_norm.weight`), this.b(`${p}.sa_layer_norm.bias`), c.layerNormEps); // [batch·seq, hidden]
    const hiddenAct = activation(c.activation, linear(sa, this.w(`${p}.ffn.lin1.weight`), this.b(`${p}.ffn.lin1.bias`))) as tf.Tensor2D; // [batch·seq, intermediate]
    const ffn = dropout.apply(linear(hiddenAct, this.w(`${p}.ffn.lin2.weight`), this.b(`${p}.ffn.lin2.bias`)), c.hiddenDropout); // [batch·seq, hidden]
    return layerNorm(tf.add(ffn, sa), this.b(`${p}.output_layer_norm.weight`), this.b(`${p}.output_layer_norm.bias`), c.layerNormEps); // [batch·seq, hidden]
  }
}
