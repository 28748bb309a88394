/**
 * Token-classification loss, exactly torch's `CrossEntropyLoss(ignore_index=-100)` with
 * mean reduction: the mean over positions whose label is not -100 (NaN if there are none, as torch).
 */
import * as tf from "@tensorflow/tfjs";
import { customOp } from "../backend/autograd";

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
    const weights = tf.cast(valid, "float32"); // [batch·seq]
    // [batch·seq, numLabels]
    const target = tf.mul(tf.oneHot(safeLabels, c), tf.expandDims(weights, 1)) as tf.Tensor2D;
    return softmaxCrossEntropy(tf.reshape(logits, [b * s, c]), target, tf.sum(weights));
  });
}

/**
 * `-Σ target · logSoftmax(logits) / count` as one op with its own gradient,
 * `(Σ_j target_j · softmax(logits) − target) / count`: one tape node instead of the ~8 of the
 * composed formula (log-softmax, product, sums, division), the same forward numbers.
 */
const softmaxCrossEntropy = customOp<[tf.Tensor2D, tf.Tensor2D, tf.Scalar], tf.Scalar>(
  "NerSoftmaxCrossEntropy",
  (logits, target, count, save) => {
    const logp = tf.logSoftmax(logits); // [n, classes]
    save([logp, target, count]);
    return {
      value: tf.div(tf.neg(tf.sum(tf.mul(logp, target))), count),
      gradFunc: (dy, saved) => {
        const [lp, t, n] = saved;
        return tf.tidy(() => {
          const dlogits = tf.mul(tf.sub(tf.mul(tf.exp(lp), tf.sum(t, -1, true)), t), tf.div(dy, n));
          return [dlogits, tf.zerosLike(t), tf.zerosLike(n)]; // labels are constants
        });
      },
    };
  },
);
