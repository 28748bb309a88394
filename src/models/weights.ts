/**
 * Parameter specs: the ONE place that knows how each tensor is laid out in tfjs versus the
 * Hugging Face checkpoint. torch's `nn.Linear.weight` is [out, in]; we keep [in, out] so the
 * forward matmul needs no transpose, and transpose on load/save here.
 */
import * as tf from "@tensorflow/tfjs";

export type ParamKind = "linear" | "bias" | "embedding" | "layernorm-weight" | "layernorm-bias";

/** One named parameter of a model. */
export interface ParamSpec {
  /** The HF state-dict key, e.g. `distilbert.transformer.layer.0.attention.q_lin.weight`. */
  name: string;
  kind: ParamKind;
  /** Shape as stored in the HF checkpoint (torch layout). */
  hfShape: number[];
  /** Row of an embedding kept at zero by HF's init and never updated (torch `padding_idx`). */
  paddingIdx?: number;
}

/** Whether the tfjs tensor is the transpose of the HF tensor. */
export function isTransposed(spec: ParamSpec): boolean {
  return spec.kind === "linear";
}

/** Shape of the tfjs variable for `spec`. */
export function tfShape(spec: ParamSpec): number[] {
  return isTransposed(spec) ? [spec.hfShape[1], spec.hfShape[0]] : [...spec.hfShape];
}

/** HF-layout values (row-major) → tfjs-layout values. */
export function fromHfLayout(spec: ParamSpec, values: Float32Array): Float32Array {
  return isTransposed(spec) ? transpose2d(values, spec.hfShape[0], spec.hfShape[1]) : values;
}

/** tfjs-layout values → HF-layout values. */
export function toHfLayout(spec: ParamSpec, values: Float32Array): Float32Array {
  return isTransposed(spec) ? transpose2d(values, spec.hfShape[1], spec.hfShape[0]) : values;
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  const block = 32; // cache-friendly tiles
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(rows, r0 + block);
    for (let c0 = 0; c0 < cols; c0 += block) {
      const c1 = Math.min(cols, c0 + block);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = values[r * cols + c];
    }
  }
  return out;
}

/** A linear layer's two specs (`<prefix>.weight` [out, in], `<prefix>.bias` [out]). */
export function linearSpecs(prefix: string, inDim: number, outDim: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, kind: "linear", hfShape: [outDim, inDim] },
    { name: `${prefix}.bias`, kind: "bias", hfShape: [outDim] },
  ];
}

/** A LayerNorm's two specs. */
export function layerNormSpecs(prefix: string, dim: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, kind: "layernorm-weight", hfShape: [dim] },
    { name: `${prefix}.bias`, kind: "layernorm-bias", hfShape: [dim] },
  ];
}

/**
 * Create one trainable variable per spec from HF-layout values. When `valuesFor` throws (e.g. a
 * shape mismatch), the variables created so far are disposed, so a failed load leaks no tensors.
 */
export function createVariables(
  specs: ParamSpec[],
  valuesFor: (spec: ParamSpec) => Float32Array,
): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  try {
    for (const spec of specs) {
      const initial = tf.tensor(fromHfLayout(spec, valuesFor(spec)), tfShape(spec), "float32");
      out.set(spec.name, tf.variable(initial, true, spec.name.replace(/[^A-Za-z0-9_./-]/g, "_") + "_" + nextId()));
      initial.dispose(); // the variable holds its own reference to the data
    }
  } catch (err) {
    for (const v of out.values()) v.dispose();
    throw err;
  }
  return out;
}

let counter = 0;
/** tfjs variable names are global: several models in one process need distinct names. */
function nextId(): number {
  return ++counter;
}
