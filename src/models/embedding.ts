/**
 * Embedding lookup with a gradient that scatters rows back into the table (no dense one-hot,
 * no UnsortedSegmentSum needed from the backend) and, like torch's `padding_idx`, never
 * updates the padding row.
 */
import * as tf from "@tensorflow/tfjs";
import { gatherRows, scatterAddRowsOp } from "../backend/kernels";

/** `table[ids]` → [ids.length, dim]; the gradient skips rows where `ids == paddingIdx`. */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D, paddingIdx?: number): tf.Tensor2D {
  const numRows = table.shape[0];
  // ids go through `save` (not a closure) so they outlive the forward pass's tidy scope.
  const lookup = tf.customGrad(((t: tf.Tensor2D, i: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([i]);
    return {
      value: gatherRows(t, i) as tf.Tensor2D, // [ids, dim] from table [rows, dim]
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const si = saved[0] as tf.Tensor1D; // [ids]; dy: [ids, dim]
          // Ids outside the table are dropped by the scatter: send padding rows there.
          const target = paddingIdx === undefined ? si : tf.where(tf.equal(si, paddingIdx), tf.fill(si.shape, -1, "int32"), si);
          return [scatterAddRowsOp(dy, target as tf.Tensor1D, numRows), tf.zerosLike(si)]; // [rows, dim], [ids]
        }),
    };
  }) as never) as (t: tf.Tensor2D, i: tf.Tensor1D) => tf.Tensor2D;
  return lookup(table, ids);
}
