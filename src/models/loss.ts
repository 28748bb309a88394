/**
 * Token-classification loss, exactly torch's `CrossEntropyLoss(ignore_index=-100)` with
 * mean reduction: the mean over positions whose label is not -100 (NaN if there are none, as torch).
 */
import * as tf from "@tensorflow/tfjs";

import { IGNORE_INDEX } from "../util/ignore-index";

/** Label value ignored by the loss (-100, HF convention), re-exported from its home src/util/ignore-index.ts. */
export { IGNORE_INDEX };

/** Mean cross-entropy of `logits` [batch, seq, numLabels] against int32 `labels` [batch, seq]. */
export function tokenClassificationLoss(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Scalar {
  const [b, s, c] = logits.shape;
  if (labels.shape[0] !== b || labels.shape[1] !== s) {
    throw new Error(`labels shape [${labels.shape}] does not match logits [${logits.shape}]`);
  }
  return tf.tidy(() => {
    const flatLabels = tf.reshape(tf.cast(labels, "int32"), [b * s]);
    const valid = tf.notEqual(flatLabels, IGNORE_INDEX);
    // Ignored positions get a harmless class 0 and a zero weight.
    const safeLabels = tf.where(valid, flatLabels, tf.zerosLike(flatLabels)) as tf.Tensor1D;
    const logp = tf.logSoftmax(tf.reshape(logits, [b * s, c]));
    const picked = tf.sum(tf.mul(logp, tf.oneHot(safeLabels, c)), -1);
    const weights = tf.cast(valid, "float32");
    return tf.div(tf.neg(tf.sum(tf.mul(picked, weights))), tf.sum(weights)) as tf.Scalar;
  });
}
