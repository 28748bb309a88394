/**
 * BERT for token classification, as HF's `BertForTokenClassification` (no pooler):
 * embeddings (word + position + token type → LayerNorm → dropout), `num_hidden_layers`
 * layers (self-attention → output.dense → dropout → residual+LayerNorm; intermediate.dense →
 * gelu → output.dense → dropout → residual+LayerNorm), then dropout(classifier_dropout ??
 * hidden_dropout_prob) → classifier.
 */
import * as tf from "@tensorflow/tfjs";
import type { TokenClassificationConfig } from "./config";
import { embeddingLookup } from "../backend/ops";
import { selfAttention } from "./attention";
import { EncoderForTokenClassification, type Dims, type ModelInputs } from "./base";
import type { DropoutContext } from "./dropout";
import { layerNormSpecs, linearSpecs, type ParamSpec } from "./weights";

export class BertForTokenClassification extends EncoderForTokenClassification {
  static readonly basePrefix = "bert";

  /** Every parameter with its HF name and shape, in HF's state-dict order. */
  static paramSpecs(c: TokenClassificationConfig): ParamSpec[] {
    const h = c.hiddenSize;
    const specs: ParamSpec[] = [
      {
        name: "bert.embeddings.word_embeddings.weight",
        kind: "embedding",
        hfShape: [c.vocabSize, h],
        paddingIdx: c.padTokenId,
      },
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
    if (config.modelType !== "bert")
      throw new Error(`BertForTokenClassification needs model_type bert, got ${config.modelType}`);
    super(config, BertForTokenClassification.paramSpecs(config), params);
  }

  protected layerPrefix(i: number): string {
    return `bert.encoder.layer.${i}`;
  }

  protected embeddings(inputs: ModelInputs, { batch, seq }: Dims, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const [n, h] = [batch * seq, c.hiddenSize];
    const e = "bert.embeddings";
    const ids = tf.reshape(inputs.inputIds, [n]) as tf.Tensor1D; // [batch·seq]
    const typeIds = (
      inputs.tokenTypeIds ? tf.reshape(inputs.tokenTypeIds, [n]) : tf.zeros([n], "int32")
    ) as tf.Tensor1D; // [batch·seq]
    const words = embeddingLookup(this.w(`${e}.word_embeddings.weight`), ids, c.padTokenId); // [batch·seq, hidden]
    const types = embeddingLookup(this.w(`${e}.token_type_embeddings.weight`), typeIds); // [batch·seq, hidden]
    // position_ids = arange(seq): a slice of the table, broadcast over the batch.
    const positions = tf.slice(this.w(`${e}.position_embeddings.weight`), [0, 0], [seq, h]); // [seq, hidden]
    const sum = tf.add(tf.reshape(tf.add(words, types), [batch, seq, h]), positions); // [batch, seq, hidden]
    const summed = tf.reshape(sum, [n, h]) as tf.Tensor2D; // [batch·seq, hidden]
    return dropout.apply(this.layerNorm(`${e}.LayerNorm`, summed), c.hiddenDropout); // [batch·seq, hidden]
  }

  protected layer(i: number, x: tf.Tensor2D, bias: tf.Tensor4D, dims: Dims, dropout: DropoutContext): tf.Tensor2D {
    const c = this.config;
    const p = this.layerPrefix(i);
    // x: [batch·seq, hidden]; bias: [batch, 1, 1, seq]
    const qkv = {
      query: this.lin(`${p}.attention.self.query`),
      key: this.lin(`${p}.attention.self.key`),
      value: this.lin(`${p}.attention.self.value`),
    };
    // [batch·seq, hidden]
    const ctx = selfAttention(x, bias, qkv, { ...dims, heads: c.numHeads }, dropout, c.attentionDropout);
    // [batch·seq, hidden]
    const attnOut = dropout.apply(this.linear(`${p}.attention.output.dense`, ctx), c.hiddenDropout);
    // LayerNorm(attnOut + x): [batch·seq, hidden]
    const att = this.layerNorm(`${p}.attention.output.LayerNorm`, attnOut, x);
    const act = this.linearActivation(`${p}.intermediate.dense`, att); // [batch·seq, intermediate]
    const out = dropout.apply(this.linear(`${p}.output.dense`, act), c.hiddenDropout); // [batch·seq, hidden]
    return this.layerNorm(`${p}.output.LayerNorm`, out, att); // LayerNorm(out + att): [batch·seq, hidden]
  }
}
