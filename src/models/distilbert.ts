/**
 * DistilBERT for token classification, as HF's `DistilBertForTokenClassification`:
 * embeddings (word + position → LayerNorm → dropout), `n_layers` transformer blocks
 * (attention → out_lin → residual+sa_layer_norm; lin1 → gelu → lin2 → dropout →
 * residual+output_layer_norm), then dropout(config.dropout) → classifier.
 */
import * as tf from "@tensorflow/tfjs";
import type { TokenClassificationConfig } from "./config";
import { embeddingLookup } from "../backend/ops";
import { selfAttention } from "./attention";
import { EncoderForTokenClassification, type Dims, type ModelInputs } from "./base";
import type { DropoutContext } from "./dropout";
import { layerNormSpecs, linearSpecs, type ParamSpec } from "./weights";

export class DistilBertForTokenClassification extends EncoderForTokenClassification {
  /** Prefix of the encoder's keys in a token-classification checkpoint. */
  static readonly basePrefix = "distilbert";

  /** Every parameter with its HF name and shape, in HF's state-dict order. */
  static paramSpecs(c: TokenClassificationConfig): ParamSpec[] {
    const h = c.hiddenSize;
    const specs: ParamSpec[] = [
      {
        name: "distilbert.embeddings.word_embeddings.weight",
        kind: "embedding",
        hfShape: [c.vocabSize, h],
        paddingIdx: c.padTokenId,
      },
      {
        name: "distilbert.embeddings.position_embeddings.weight",
        kind: "embedding",
        hfShape: [c.maxPositionEmbeddings, h],
      },
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
    if (config.modelType !== "distilbert")
      throw new Error(`DistilBertForTokenClassification needs model_type distilbert, got ${config.modelType}`);
    super(config, DistilBertForTokenClassification.paramSpecs(config), params);
  }

  protected layerPrefix(i: number): string {
    return `distilbert.transformer.layer.${i}`;
  }

  protected embeddings(inputs: ModelInputs, { batch, seq }: Dims, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const [n, h] = [batch * seq, c.hiddenSize];
    const e = "distilbert.embeddings";
    const ids = tf.reshape(inputs.inputIds, [n]) as tf.Tensor1D; // [batch·seq]
    const words = embeddingLookup(this.w(`${e}.word_embeddings.weight`), ids, c.padTokenId); // [batch·seq, hidden]
    // position_ids = arange(seq): a slice of the table, broadcast over the batch.
    const positions = tf.slice(this.w(`${e}.position_embeddings.weight`), [0, 0], [seq, h]); // [seq, hidden]
    const sum = tf.add(tf.reshape(words, [batch, seq, h]), positions); // [batch, seq, hidden]
    const summed = tf.reshape(sum, [n, h]) as tf.Tensor2D; // [batch·seq, hidden]
    return dropout.apply(this.layerNorm(`${e}.LayerNorm`, summed), c.hiddenDropout); // [batch·seq, hidden]
  }

  protected layer(i: number, x: tf.Tensor2D, bias: tf.Tensor4D, dims: Dims, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const p = this.layerPrefix(i);
    // x: [batch·seq, hidden]; bias: [batch, 1, 1, seq]
    const qkv = {
      query: this.lin(`${p}.attention.q_lin`),
      key: this.lin(`${p}.attention.k_lin`),
      value: this.lin(`${p}.attention.v_lin`),
    };
    // [batch·seq, hidden]
    const ctx = selfAttention(x, bias, qkv, { ...dims, heads: c.numHeads }, dropout, c.attentionDropout);
    const attnOut = this.linear(`${p}.attention.out_lin`, ctx); // [batch·seq, hidden]
    const sa = this.layerNorm(`${p}.sa_layer_norm`, attnOut, x); // LayerNorm(attnOut + x): [batch·seq, hidden]
    const act = this.linearActivation(`${p}.ffn.lin1`, sa); // [batch·seq, intermediate]
    const ffn = dropout.apply(this.linear(`${p}.ffn.lin2`, act), c.hiddenDropout); // [batch·seq, hidden]
    return this.layerNorm(`${p}.output_layer_norm`, ffn, sa); // LayerNorm(ffn + sa): [batch·seq, hidden]
  }
}
