/**
 * Reading `pytorch_model.bin` files (both the zip format of torch >= 1.6 and the legacy pickle
 * format) into checkpoint tensors, and checking one cheaply (structure and sizes only, no
 * tensor data read) for `ner model info`.
 */
import * as fs from "fs";
import * as path from "path";
import { countNonFinite, DTYPE_BYTES, type CheckpointTensor, type SafetensorsDtype } from "../safetensors";
import { isLegacyPickle, isTar, readLegacyLayout } from "./legacy";
import { unpickle, type PyValue } from "./pickle";
import {
  ALLOWED_DESCRIPTION,
  checkpointTensor,
  stateDictEntries,
  stateDictGlobals,
  storageFromPersistentId,
  swapBytes,
  viewExtent,
  type StorageRef,
  type TensorRef,
} from "./tensors";
import { openRegularFile } from "../../util/files";
import { bufferSource, fdSource, isZip, readZipEntries, readZipEntry, type ByteSource } from "./zip";

/** A parsed checkpoint: its tensors (as views) and how to fetch a storage's little-endian bytes. */
interface OpenedCheckpoint {
  format: "zip" | "legacy";
  entries: [string, TensorRef][];
  /** Throws when the file holds fewer bytes than the storage needs. */
  checkStorage(s: StorageRef): void;
  storageBytes(s: StorageRef): Uint8Array;
  /** Where element 0 of the storage (or of its legacy view) lies in the file, and its byte order. */
  storageLocation(s: StorageRef): { offset: number; littleEndian: boolean };
}

function open(src: ByteSource, source: string): OpenedCheckpoint {
  const head = src.read(0, Math.min(src.size, 512));
  if (isZip(head)) return openZip(src, source);
  if (isTar(head))
    throw new Error(
      `${source}: a tar-format PyTorch checkpoint (torch < 0.4) is not supported; re-save it with a newer torch`,
    );
  if (isLegacyPickle(head)) return openLegacy(src, source);
  throw new Error(`${source}: not a PyTorch checkpoint (neither a zip archive nor a pickle; ${src.size} bytes)`);
}

function openZip(src: ByteSource, source: string): OpenedCheckpoint {
  const files = readZipEntries(src, source);
  const pkl = [...files.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) throw new Error(`${source}: zip archive without <name>/data.pkl (not a torch.save file)`);
  const prefix = pkl.slice(0, -"data.pkl".length);
  const order = files.get(prefix + "byteorder");
  const littleEndian =
    !order ||
    Buffer.from(readZipEntry(src, order, source))
      .toString("latin1")
      .trim() !== "big";
  const { value } = unpickle(readZipEntry(src, files.get(pkl)!, source), {
    source,
    globals: stateDictGlobals(source),
    allowedDescription: ALLOWED_DESCRIPTION,
    persistentLoad: (pid: PyValue) => storageFromPersistentId(pid, source),
  });
  const entries = stateDictEntries(value, source);
  const entryOf = (s: StorageRef) => {
    const e = files.get(`${prefix}data/${s.key}`);
    if (!e) throw new Error(`${source}: storage ${s.key} is missing from the archive (${prefix}data/${s.key})`);
    const need = s.numel * DTYPE_BYTES[s.dtype];
    if (e.size < need)
      throw new Error(
        `${source}: storage ${s.key} has ${e.size} bytes, its ${s.numel} ${s.dtype} elements need ${need}`,
      );
    return e;
  };
  const cache = new Map<string, Uint8Array>();
  return {
    format: "zip",
    entries,
    checkStorage: (s) => void entryOf(s),
    storageLocation: (s) => ({ offset: entryOf(s).dataOffset, littleEndian }),
    storageBytes(s) {
      let bytes = cache.get(s.key);
      if (!bytes) {
        bytes = readZipEntry(src, entryOf(s), source).subarray(0, s.numel * DTYPE_BYTES[s.dtype]);
        if (!littleEndian) bytes = swapBytes(bytes, DTYPE_BYTES[s.dtype]);
        cache.set(s.key, bytes);
      }
      return bytes;
    },
  };
}

function openLegacy(src: ByteSource, source: string): OpenedCheckpoint {
  const layout = readLegacyLayout(src, source);
  const cache = new Map<string, Uint8Array>();
  return {
    format: "legacy",
    entries: layout.entries,
    checkStorage: () => undefined, // readLegacyLayout checked every storage against the file size
    storageLocation: (s) => ({
      offset: layout.storages.get(s.key)!.dataOffset + (s.view ? s.view.offset : 0) * DTYPE_BYTES[s.dtype],
      littleEndian: layout.littleEndian,
    }),
    storageBytes(s) {
      const id = s.view ? `${s.key}@${s.view.offset}` : s.key;
      let bytes = cache.get(id);
      if (!bytes) {
        const st = layout.storages.get(s.key)!;
        const es = DTYPE_BYTES[s.dtype];
        const first = s.view ? s.view.offset : 0;
        const count = s.view ? s.view.size : st.numel;
        bytes = src.read(st.dataOffset + first * es, count * es);
        if (!layout.littleEndian) bytes = swapBytes(bytes, es);
        cache.set(id, bytes);
      }
      return bytes;
    },
  };
}

/** All tensors of a `pytorch_model.bin` (decoded on demand); `source` names it in errors. */
export function readPytorchCheckpoint(file: string, source = path.basename(file)): Map<string, CheckpointTensor> {
  const { fd } = openRegularFile(file, "PyTorch checkpoint");
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const opened = open(bufferSource(bytes), source);
  const out = new Map<string, CheckpointTensor>();
  for (const [name, t] of opened.entries) {
    opened.checkStorage(t.storage);
    out.set(
      name,
      checkpointTensor(name, t, (s) => opened.storageBytes(s), source),
    );
  }
  return out;
}

/**
 * Names, dtypes and shapes of a `pytorch_model.bin`, with every storage and view checked
 * against the file's size, reading only the archive directory and the pickle. Throws on a
 * truncated or malformed file.
 */
export function inspectPytorchCheckpoint(
  file: string,
  source = path.basename(file),
  opts: { checkValues?: boolean } = {},
): {
  format: "zip" | "legacy";
  tensors: Map<string, { dtype: SafetensorsDtype; shape: number[] }>;
  nonFinite: Map<string, number>;
} {
  const { fd } = openRegularFile(file, "PyTorch checkpoint");
  try {
    const src = fdSource(fd);
    const opened = open(src, source);
    const tensors = new Map<string, { dtype: SafetensorsDtype; shape: number[] }>();
    const nonFinite = new Map<string, number>();
    for (const [name, t] of opened.entries) {
      opened.checkStorage(t.storage);
      const { begin, end } = viewExtent(t, name, source);
      tensors.set(name, { dtype: t.storage.dtype, shape: [...t.shape] });
      if (opts.checkValues && end > begin) {
        // The elements the view spans, read in bounded chunks (swapped first when big-endian).
        const { offset, littleEndian } = opened.storageLocation(t.storage);
        const es = DTYPE_BYTES[t.storage.dtype];
        const read = littleEndian ? src.read : (o: number, n: number) => swapBytes(src.read(o, n), es);
        const bad = countNonFinite(read, offset + begin * es, end - begin, t.storage.dtype);
        if (bad > 0) nonFinite.set(name, bad);
      }
    }
    return { format: opened.format, tensors, nonFinite };
  } finally {
    fs.closeSync(fd);
  }
}
