/**
 * DataCollatorForTokenClassification: dynamic padding of a list of features into int32
 * tensors [batch, seq] for the model, labels padded with -100 (HF semantics).
 */
import * as tf from "@tensorflow/tfjs";
import { IGNORE_INDEX } from "../util/ignore-index";
import { padFeatures, type PadOptions, type PaddedBatch, type TokenFeature } from "./pad";

/** The model-ready batch. The caller owns the tensors (dispose them, or use tf.tidy). */
export interface TokenClassificationBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds: tf.Tensor2D;
  /** Absent when the features carry no labels (inference). */
  labels?: tf.Tensor2D;
}

export interface CollatorOptions {
  padTokenId: number;
  /** Default -100. */
  labelPadTokenId?: number;
  padToMultipleOf?: number;
  padTokenTypeId?: number;
}

export class DataCollatorForTokenClassification {
  readonly padTokenId: number;
  readonly labelPadTokenId: number;
  readonly padToMultipleOf?: number;
  readonly padTokenTypeId: number;

  constructor(opts: CollatorOptions) {
    this.padTokenId = opts.padTokenId;
    this.labelPadTokenId = opts.labelPadTokenId ?? IGNORE_INDEX;
    this.padToMultipleOf = opts.padToMultipleOf;
    this.padTokenTypeId = opts.padTokenTypeId ?? 0;
  }

  /** A collator using a tokenizer's pad token id. */
  static forTokenizer(
    tokenizer: { padTokenId: number },
    opts: Omit<CollatorOptions, "padTokenId"> = {},
  ): DataCollatorForTokenClassification {
    return new DataCollatorForTokenClassification({ ...opts, padTokenId: tokenizer.padTokenId });
  }

  private options(): PadOptions {
    return {
      padTokenId: this.padTokenId,
      labelPadTokenId: this.labelPadTokenId,
      padToMultipleOf: this.padToMultipleOf,
      padTokenTypeId: this.padTokenTypeId,
    };
  }

  /** Pad to the longest feature (rounded up to `padToMultipleOf`), as plain arrays. */
  padFeatures(features: readonly TokenFeature[]): PaddedBatch {
    return padFeatures(features, this.options());
  }

  /** Pad and build int32 tensors [batch, seq]. */
  collate(features: readonly TokenFeature[]): TokenClassificationBatch {
    const p = this.padFeatures(features);
    const shape: [number, number] = [p.batchSize, p.seqLength];
    return {
      inputIds: tf.tensor2d(p.inputIds, shape, "int32"),
      attentionMask: tf.tensor2d(p.attentionMask, shape, "int32"),
      tokenTypeIds: tf.tensor2d(p.tokenTypeIds, shape, "int32"),
      labels: p.labels ? tf.tensor2d(p.labels, shape, "int32") : undefined,
    };
  }
}

/** Dispose every tensor of a batch (the collator's, or the Trainer's whose token types are optional). */
export function disposeBatch(batch: {
  inputIds: tf.Tensor;
  attentionMask: tf.Tensor;
  tokenTypeIds?: tf.Tensor;
  labels?: tf.Tensor;
}): void {
  batch.inputIds.dispose();
  batch.attentionMask.dispose();
  batch.tokenTypeIds?.dispose();
  batch.labels?.dispose();
}
