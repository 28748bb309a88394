/**
 * Reverse-mode gradients over TensorFlow.js's own tape, freeing memory as the backward pass goes.
 *
 * `tf.variableGrads` (engine.gradients) runs the whole backward pass in one tidy scope: every
 * intermediate gradient and every tensor saved for backprop stays alive until the pass ends, so
 * its peak is activations + all intermediate gradients. This walk computes the same gradients with
 * the same gradient functions in the same order (so the numbers are identical), but:
 *  - a node's saved tensors (tfjs saves private copies) are freed right after its gradient ran;
 *  - the gradient flowing into a node's output is freed once that node consumed it;
 *  - nodes that do not lead from `xs` to the result are dropped (and their saved tensors freed)
 *    before the walk starts.
 * It uses tfjs-core 4.x engine internals (the tape and its depth counter), checked on entry.
 *
 * {@link customOp} is `tf.customGrad` without its copies: tfjs clones every tensor a custom
 * gradient saves (an Identity kernel, a full copy on wasm); here saved tensors are zero-copy
 * aliases (a Reshape to the same shape shares the buffer on wasm and cpu).
 */
import * as tf from "@tensorflow/tfjs";

/** One recorded op of tfjs's tape (tfjs-core's TapeNode). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

interface EngineInternals {
  state: { activeTape?: TapeNode[] | null; gradientDepth: number; kernelDepth: number };
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
  keep<T extends tf.Tensor>(t: T): T;
  runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs?: Record<string, unknown>): tf.Tensor;
  addTapeNode(
    kernelName: string,
    inputs: Record<string, tf.Tensor>,
    outputs: tf.Tensor[],
    gradient: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>,
    saved: tf.Tensor[],
    attrs: object,
  ): void;
}

function engineInternals(): EngineInternals {
  const engine = tf.engine() as unknown as EngineInternals;
  const s = engine.state as Partial<EngineInternals["state"]> | undefined;
  if (!s || typeof s.gradientDepth !== "number" || typeof s.kernelDepth !== "number") {
    throw new Error(
      "lean gradients: this tfjs-core has no tape internals (state.activeTape / gradientDepth); tfjs-core 4.x expected",
    );
  }
  return engine;
}

export interface LeanGradients {
  value: tf.Tensor;
  /** Gradient of `value` w.r.t. each of `xs` (undefined where `value` does not depend on it). */
  grads: (tf.Tensor | undefined)[];
}

/**
 * Value of `f()` and its gradients with respect to `xs` (seeded with `dy`, default ones), like
 * `tf.engine().gradients`, with the memory freed as described above. May be called inside a
 * gradient function (e.g. to recompute a block during backprop); not inside a recording forward.
 */
export function leanGradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): LeanGradients {
  const engine = engineInternals();
  if (engine.state.gradientDepth > 0 && engine.state.kernelDepth === 0) {
    throw new Error(
      "leanGradients: cannot run while another gradient computation is recording " +
        "(higher-order gradients are not supported)",
    );
  }
  // A backward pass in progress (ours or tfjs's) keeps its tape object: set it aside and restore it.
  const outerTape = engine.state.activeTape;
  const outerKernelDepth = engine.state.kernelDepth;
  engine.state.activeTape = [];
  engine.state.kernelDepth = 0;
  engine.state.gradientDepth++;
  let y: tf.Tensor;
  let tape: TapeNode[];
  try {
    y = engine.tidy("forward", f);
  } finally {
    engine.state.gradientDepth--;
    tape = engine.state.activeTape ?? [];
    engine.state.activeTape = outerTape;
    engine.state.kernelDepth = outerKernelDepth;
  }
  if (!(y instanceof tf.Tensor)) throw new Error("leanGradients: f() must return a tensor");
  const filtered = filterTape(tape, xs, y);
  return engine.tidy("backward", () => {
    const gradOf = new Map<number, tf.Tensor>();
    gradOf.set(y.id, dy ?? tf.onesLike(y));
    const keep = new Set(xs.map((x) => x.id));
    if (dy) keep.add(y.id); // the caller's seed is the caller's
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i];
      const dys = node.outputs.map((o) => gradOf.get(o.id) ?? null);
      if (dys.every((d) => d === null)) {
        disposeSaved(node);
        continue;
      }
      if (node.gradient == null)
        throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      // One scope per node: eager gradients of pruned inputs (customGrad computes all) die here.
      const dxs = engine.tidy(() => {
        const thunks = node.gradient!(dys);
        const out: Record<string, tf.Tensor> = {};
        for (const name of Object.keys(node.inputs)) {
          if (!(name in thunks))
            throw new Error(
              `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(thunks)}.`,
            );
          out[name] = thunks[name]();
        }
        return out;
      });
      disposeSaved(node);
      const produced = new Set(Object.values(dxs).map((t) => t.id));
      for (const o of node.outputs) {
        const g = gradOf.get(o.id);
        if (g !== undefined && !keep.has(o.id)) {
          gradOf.delete(o.id);
          if (!produced.has(g.id)) g.dispose();
        }
      }
      for (const [name, dx] of Object.entries(dxs)) {
        const x = node.inputs[name];
        if (dx.dtype !== "float32") {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. ` +
              `The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
          );
        }
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', ` +
              `which does not match the shape of the input '${x.shape}'`,
          );
        }
        const prev = gradOf.get(x.id);
        if (prev === undefined) gradOf.set(x.id, dx);
        else {
          gradOf.set(x.id, tf.add(prev, dx));
          prev.dispose();
          dx.dispose();
        }
      }
    }
    return { value: y, grads: xs.map((x) => gradOf.get(x.id)) } as unknown as tf.TensorContainer;
  }) as unknown as LeanGradients;
}

function disposeSaved(node: TapeNode): void {
  if (node.saved) for (const t of node.saved) t.dispose();
  node.saved = [];
}

/**
 * The nodes on a path from `xs` to `y`, with inputs pruned to those that depend on `xs` (as
 * tfjs's getFilteredNodesXToY). Saved tensors of every other node are freed at once.
 */
function filterTape(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodesFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => leadsToY.has(o.id))) {
      nodesToY.add(node.id);
      for (const t of Object.values(node.inputs)) leadsToY.add(t.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (nodesFromX.has(node.id) && nodesToY.has(node.id)) {
      const inputs: Record<string, tf.Tensor> = {};
      for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
      out.push({ ...node, inputs, outputs: node.outputs });
    } else {
      disposeSaved(node);
    }
  }
  return out;
}

/** True while tfjs records ops for a gradient (in the forward of tf.grads, variableGrads or {@link leanGradients}). */
export function isRecordingGradients(): boolean {
  const state = (tf.engine() as unknown as Partial<EngineInternals>).state;
  return state !== undefined && state.gradientDepth > 0 && state.kernelDepth === 0;
}

/** What a {@link customOp} body returns: its value and the gradient of each input. */
export interface CustomOpResult {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * A differentiable op with a hand-written gradient, like `tf.customGrad(f)`: `f(...inputs, save)`
 * runs without recording; while gradients are recorded it becomes one tape node named `name`,
 * whose saved tensors share their buffers with what `save` was given (no copies). Tensors are
 * immutable in tfjs, and nothing this library writes in place is ever saved for backprop.
 */
export function customOp<Inputs extends tf.Tensor[], Out extends tf.Tensor>(
  name: string,
  f: (...args: [...Inputs, (tensors: tf.Tensor[]) => void]) => CustomOpResult,
): (...inputs: Inputs) => Out {
  return (...inputs: Inputs): Out => {
    const engine = engineInternals();
    const recording = engine.state.gradientDepth > 0 && engine.state.kernelDepth === 0;
    let saved: tf.Tensor[] = [];
    const save = (tensors: tf.Tensor[]): void => {
      if (recording) saved = tensors.map((t) => engine.keep(engine.runKernel("Reshape", { x: t }, { shape: t.shape })));
    };
    let gradFunc: CustomOpResult["gradFunc"] | undefined;
    engine.state.kernelDepth++;
    let value: tf.Tensor;
    try {
      value = engine.tidy(() => {
        const res = f(...inputs, save);
        gradFunc = res.gradFunc;
        return res.value;
      });
    } finally {
      engine.state.kernelDepth--;
    }
    if (recording) {
      const inputMap: Record<string, tf.Tensor> = {};
      inputs.forEach((t, i) => (inputMap[i] = t));
      const backward = (dy: tf.Tensor, s: tf.Tensor[]): Record<string, () => tf.Tensor> => {
        const grads = gradFunc!(dy, s);
        if (grads.length !== inputs.length)
          throw new Error(`${name}: ${grads.length} gradients for ${inputs.length} inputs`);
        const out: Record<string, () => tf.Tensor> = {};
        grads.forEach((g, i) => (out[i] = () => g));
        return out;
      };
      engine.addTapeNode(name, inputMap, [value], backward, saved, {});
    }
    return value as Out;
  };
}
