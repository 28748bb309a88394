/**
 * What a PyTorch state-dict pickle describes, and how its tensors become values: storages
 * (typed, flat, shared between tensors) and tensors as views into them (offset, sizes, strides).
 * Also the allow-list of pickle globals such a state dict needs.
 */
import { DTYPE_BYTES, decodeToFloat32, type CheckpointTensor, type SafetensorsDtype } from "../safetensors";
import { describePy, type PyGlobal, type PyValue } from "./pickle";

/** One storage, as a persistent id names it. */
export interface StorageRef {
  kind: "storage";
  key: string;
  dtype: SafetensorsDtype;
  /** Elements in the storage. */
  numel: number;
  /** Legacy storage views (torch < 0.4): elements [offset, offset + size) of the root storage `key`. */
  view?: { key: string; offset: number; size: number };
}

/** One tensor: a strided view into a storage. */
export interface TensorRef {
  kind: "tensor";
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** torch's typed storage classes → safetensors dtype names. */
const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: "F32",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  DoubleStorage: "F64",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
};

export const ALLOWED_DESCRIPTION = "only tensor-rebuild functions, storage types and OrderedDict are allowed";

const isInts = (v: PyValue): v is number[] => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x));
const isCount = (v: PyValue): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The pickle globals a state dict needs, each mapped to a harmless JavaScript builder. */
export function stateDictGlobals(
  source: string,
): Record<string, Omit<PyGlobal, "kind" | "module" | "name"> & { storageDtype?: SafetensorsDtype }> {
  const bad = (what: string): never => {
    throw new Error(`${source}: malformed state dict (${what})`);
  };
  const globals: Record<string, Omit<PyGlobal, "kind" | "module" | "name"> & { storageDtype?: SafetensorsDtype }> = {
    "collections.OrderedDict": {
      call: (args) => {
        const m = new Map<PyValue, PyValue>();
        if (args.length > 0 && Array.isArray(args[0]))
          for (const pair of args[0] as PyValue[][]) m.set(pair[0], pair[1]);
        return m;
      },
    },
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    "torch._utils._rebuild_tensor_v2": {
      call: (args): TensorRef => {
        const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
        if (!storage || (storage as StorageRef).kind !== "storage") bad("a tensor without storage");
        if (
          !Number.isInteger(offset) ||
          offset < 0 ||
          !isInts(shape) ||
          !isInts(stride) ||
          shape.length !== stride.length
        )
          bad("a tensor with invalid offset, size or stride");
        return { kind: "tensor", storage, offset, shape: [...shape], stride: [...stride] };
      },
    },
    // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is its data here.
    "torch._utils._rebuild_parameter": { call: (args) => args[0] },
    "torch._utils._rebuild_parameter_with_state": { call: (args) => args[0] },
  };
  for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) globals[`torch.${name}`] = { storageDtype: dtype };
  return globals;
}

/**
 * PyTorch's persistent id for a storage:
 * `("storage", storage_type, key, location, numel)` (zip) or with a sixth element, the legacy
 * view metadata `(view_key, offset, size)` or None.
 */
export function storageFromPersistentId(pid: PyValue, source: string): StorageRef {
  const t = pid as PyValue[];
  if (!Array.isArray(t) || t[0] !== "storage" || t.length < 5)
    throw new Error(`${source}: unsupported persistent id ${describePy(t)} (expected a storage)`);
  const type = t[1] as PyGlobal & { storageDtype?: SafetensorsDtype };
  if (!type || type.kind !== "global" || !type.storageDtype)
    throw new Error(`${source}: persistent id names no storage type`);
  if (typeof t[2] !== "string") throw new Error(`${source}: storage key ${describePy(t[2])} is not a string`);
  const key = t[2];
  const numel = t[4];
  if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0)
    throw new Error(`${source}: storage ${key} has invalid size ${describePy(numel)}`);
  const ref: StorageRef = { kind: "storage", key, dtype: type.storageDtype, numel };
  const view = t[5] as PyValue[] | null | undefined;
  if (Array.isArray(view) && view.length === 3) {
    const [vk, offset, size] = view;
    if (typeof vk !== "string" || !isCount(offset) || !isCount(size))
      throw new Error(`${source}: storage ${key} has an invalid view ${describePy(view)}`);
    ref.view = { key: vk, offset, size };
  }
  return ref;
}

/** The name → tensor entries of a state dict value, with a clear error for anything else. */
export function stateDictEntries(value: PyValue, source: string): [string, TensorRef][] {
  if (!(value instanceof Map)) throw new Error(`${source}: the pickle holds no state dict (a dict of tensors)`);
  const out: [string, TensorRef][] = [];
  for (const [k, v] of value as Map<PyValue, PyValue>) {
    if (typeof k !== "string") throw new Error(`${source}: state dict key ${describePy(k)} is not a string`);
    if (!v || (v as TensorRef).kind !== "tensor") {
      // Whole-model pickles or training checkpoints nest dicts; a state dict maps names to tensors.
      throw new Error(
        `${source}: state dict entry ${describePy(k)} is not a tensor (is this a full training ` +
          `checkpoint rather than a model state dict?)`,
      );
    }
    out.push([k, v as TensorRef]);
  }
  return out;
}

/** torch refuses tensors of more dimensions in most kernels; a state dict has at most 4. */
const MAX_DIMS = 64;

/**
 * Elements the view reaches in its storage: [first, last + 1), checked against the storage size.
 * A view is refused when materialising it would produce more elements than its storage holds
 * (a zero stride on a dimension of size > 1, as `expand` makes, or strides that overlap):
 * a 90 KB file must not turn into gigabytes.
 */
export function viewExtent(t: TensorRef, name: string, source: string): { begin: number; end: number; count: number } {
  const where = `${source}: tensor "${name}"`;
  if (t.shape.length > MAX_DIMS)
    throw new Error(`${where} has ${t.shape.length} dimensions (at most ${MAX_DIMS} are read)`);
  if (t.shape.some((d) => d < 0)) throw new Error(`${where} has a negative size [${t.shape}]`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const storageSize = t.storage.view ? t.storage.view.size : t.storage.numel;
  const desc = `(offset ${t.offset}, size [${t.shape}], stride [${t.stride}])`;
  if (count > 0) {
    const zero = t.shape.findIndex((d, i) => d > 1 && t.stride[i] === 0);
    if (zero >= 0) {
      throw new Error(
        `${where} ${desc} has stride 0 on dimension ${zero} of size ${t.shape[zero]} (an expanded ` +
          `view); refusing to materialise ${count} elements from a storage of ${storageSize}`,
      );
    }
    if (count > storageSize)
      throw new Error(
        `${where} ${desc} has ${count} elements but its storage holds ${storageSize} (overlapping ` +
          `strides); refusing to materialise it`,
      );
  }
  let last = t.offset;
  for (let d = 0; d < t.shape.length; d++) if (t.shape[d] > 0) last += (t.shape[d] - 1) * t.stride[d];
  const end = count === 0 ? t.offset : last + 1;
  if (t.stride.some((s) => s < 0) || end > storageSize || !Number.isSafeInteger(end)) {
    throw new Error(`${where} ${desc} reaches element ${end} of a storage of ${storageSize}`);
  }
  return { begin: t.offset, end, count };
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/**
 * A tensor of the checkpoint, decoded on demand. `storageBytes` returns the whole storage's
 * little-endian bytes (the readers byte-swap big-endian archives).
 */
export function checkpointTensor(
  name: string,
  t: TensorRef,
  storageBytes: (s: StorageRef) => Uint8Array,
  source: string,
): CheckpointTensor {
  const es = DTYPE_BYTES[t.storage.dtype];
  const { begin, count } = viewExtent(t, name, source);
  const rawBytes = (): Uint8Array => {
    const all = storageBytes(t.storage);
    if (isContiguous(t.shape, t.stride)) return all.subarray(begin * es, (begin + count) * es);
    // A non-contiguous view (e.g. a transpose): gather its elements in row-major order.
    const out = new Uint8Array(count * es);
    const idx = new Array<number>(t.shape.length).fill(0);
    for (let i = 0; i < count; i++) {
      let src = begin;
      for (let d = 0; d < idx.length; d++) src += idx[d] * t.stride[d];
      out.set(all.subarray(src * es, src * es + es), i * es);
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < t.shape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  };
  return {
    name,
    dtype: t.storage.dtype,
    shape: [...t.shape],
    rawBytes,
    toFloat32: () => decodeToFloat32(rawBytes(), t.storage.dtype, count),
  };
}

/** Reverse each element's bytes (big-endian archives). */
export function swapBytes(bytes: Uint8Array, elementSize: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += elementSize)
    for (let j = 0; j < elementSize; j++) out[i + j] = bytes[i + elementSize - 1 - j];
  return out;
}
