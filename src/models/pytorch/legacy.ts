/**
 * PyTorch's legacy serialization (torch < 1.6, or `_use_new_zipfile_serialization=False`):
 * five things back to back — a pickled magic number, a pickled protocol version (1001), a
 * pickled sys_info dict (byte order, type sizes), the state-dict pickle (storages as persistent
 * ids), a pickled list of storage keys — then each storage in that order as an int64
 * little-endian element count followed by its raw bytes.
 * (The even older tar container of torch < 0.4 is recognised and refused with a message.)
 */
import { DTYPE_BYTES } from "../safetensors";
import { describePy, PickleTruncatedError, unpickle, type PyValue } from "./pickle";
import {
  ALLOWED_DESCRIPTION,
  stateDictEntries,
  stateDictGlobals,
  storageFromPersistentId,
  type StorageRef,
  type TensorRef,
} from "./tensors";
import type { ByteSource } from "./zip";

const MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

export interface LegacyLayout {
  entries: [string, TensorRef][];
  littleEndian: boolean;
  /** Where each root storage's bytes start, and its element count as the file says. */
  storages: Map<string, { dataOffset: number; numel: number; dtype: string }>;
}

/** True when the bytes look like the legacy pickle format (a pickle PROTO opcode first). */
export function isLegacyPickle(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
}

/** True for a tar archive (ustar magic at byte 257). */
export function isTar(head: Uint8Array): boolean {
  return head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString("latin1") === "ustar";
}

/**
 * Parse the pickles and walk the storage headers; reads only the pickles and 8 bytes per
 * storage from `src`, so it is cheap on a file descriptor.
 */
export function readLegacyLayout(src: ByteSource, source: string): LegacyLayout {
  // The pickles come first and are small; read a growing prefix until they parse.
  let len = Math.min(src.size, 1 << 16);
  while (true) {
    const head = src.read(0, len);
    try {
      return parse(head, src, source);
    } catch (err) {
      if (!(err instanceof PickleTruncatedError) || len >= src.size) {
        if (err instanceof PickleTruncatedError)
          throw new Error(
            `${source}: the file ends inside its pickled header (${src.size} bytes; truncated download?)`,
          );
        throw err;
      }
      len = Math.min(src.size, len * 4);
    }
  }
}

function parse(head: Uint8Array, src: ByteSource, source: string): LegacyLayout {
  const plain = { source, globals: {}, allowedDescription: ALLOWED_DESCRIPTION };
  const magic = unpickle(head, plain, 0);
  if (typeof magic.value !== "bigint" || magic.value !== MAGIC)
    throw new Error(`${source}: not a PyTorch checkpoint (a pickle without PyTorch's magic number)`);
  const protocol = unpickle(head, plain, magic.end);
  if (protocol.value !== PROTOCOL_VERSION)
    throw new Error(`${source}: unsupported legacy protocol version ${describePy(protocol.value)}`);
  const sysInfo = unpickle(head, plain, protocol.end);
  const littleEndian = !(sysInfo.value instanceof Map) || sysInfo.value.get("little_endian") !== false;
  const refs = new Map<string, StorageRef>();
  const main = unpickle(
    head,
    {
      source,
      globals: stateDictGlobals(source),
      allowedDescription: ALLOWED_DESCRIPTION,
      persistentLoad: (pid: PyValue) => {
        const ref = storageFromPersistentId(pid, source);
        // The key is always the root storage's; `view` (torch < 0.4 only) selects a slice of it.
        if (!refs.has(ref.key)) refs.set(ref.key, { ...ref, view: undefined });
        return ref;
      },
    },
    sysInfo.end,
  );
  const entries = stateDictEntries(main.value, source);
  const keys = unpickle(head, plain, main.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string"))
    throw new Error(`${source}: malformed legacy checkpoint (storage key list)`);
  const storages = new Map<string, { dataOffset: number; numel: number; dtype: string }>();
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const ref = refs.get(key);
    if (!ref) throw new Error(`${source}: storage ${key} is listed but no tensor uses it`);
    const sizeBytes = src.read(pos, 8);
    if (sizeBytes.length < 8)
      throw new Error(`${source}: the file ends before storage ${key} (${src.size} bytes; truncated download?)`);
    const dv = new DataView(sizeBytes.buffer, sizeBytes.byteOffset, 8);
    const numel = Number(littleEndian ? dv.getBigInt64(0, true) : dv.getBigInt64(0, false));
    const dataOffset = pos + 8;
    const end = dataOffset + numel * DTYPE_BYTES[ref.dtype];
    if (end > src.size)
      throw new Error(
        `${source}: storage ${key} data [${dataOffset}, ${end}) runs past the end of the file ` +
          `(${src.size} bytes; truncated download?)`,
      );
    if (numel < ref.numel)
      throw new Error(`${source}: storage ${key} holds ${numel} elements, its tensors need ${ref.numel}`);
    storages.set(key, { dataOffset, numel, dtype: ref.dtype });
    pos = end;
  }
  for (const key of refs.keys())
    if (!storages.has(key)) throw new Error(`${source}: storage ${key} is used by a tensor but not stored`);
  return { entries, littleEndian, storages };
}
