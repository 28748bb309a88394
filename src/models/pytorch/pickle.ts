/**
 * A restricted pickle reader for PyTorch state dicts. Python's pickle is a small stack machine
 * whose GLOBAL + REDUCE opcodes call arbitrary functions; this reader interprets the data opcodes
 * itself and maps only an allow-list of globals (tensor rebuild functions, storage types,
 * OrderedDict) to JavaScript constructors. Any other global is refused when it is named, so
 * nothing from the file is ever executed.
 */

/** A Python tuple (frozen array, to tell it apart from a list where it matters). */
export type PyTuple = readonly PyValue[] & { readonly __tuple: true };
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | Map<PyValue, PyValue>
  | PyGlobal
  | object;

/** A global the allow-list resolved: a storage type marker or a callable. */
export interface PyGlobal {
  kind: "global";
  module: string;
  name: string;
  call?: (args: PyValue[]) => PyValue;
}

export interface UnpickleOptions {
  /** Names the file in errors, e.g. `pytorch_model.bin`. */
  source: string;
  /** Allowed globals: `"module.name"` → value (a callable or a marker). */
  globals: Record<string, Omit<PyGlobal, "kind" | "module" | "name">>;
  /** Resolves BINPERSID ids (PyTorch's storage references). */
  persistentLoad?: (pid: PyValue) => PyValue;
  /** Short description of what is allowed, for the refusal message. */
  allowedDescription: string;
}

/** Thrown when the bytes end before STOP (a reader may fetch more and retry). */
export class PickleTruncatedError extends Error {}

const MARK = Symbol("mark");

/**
 * Limits that no state dict comes near (torch batches dict items by 1000, integers are sizes and
 * offsets) and that keep a hostile pickle small in memory and time: the stack holds at most
 * MAX_STACK values, and an integer opcode (LONG1/LONG4) at most MAX_LONG_BYTES bytes.
 */
export const PICKLE_LIMITS = { MAX_STACK: 1 << 17, MAX_MEMO: 1 << 20, MAX_LONG_BYTES: 1024 } as const;

/**
 * A short, non-recursive description of a value for error messages: a hostile pickle can nest
 * values a million deep, and String() or JSON.stringify on them overflows the call stack.
 */
export function describePy(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "bigint") {
    const s = v.toString();
    return s.length > 24 ? `an integer of ${s.length} digits` : s;
  }
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `${Object.isFrozen(v) ? "a tuple" : "a list"} of ${v.length} items`;
  if (v instanceof Map) return `a dict of ${v.size} items`;
  return "an object";
}

export function tuple(items: PyValue[]): PyTuple {
  const t = Object.freeze(items.slice()) as unknown as PyTuple;
  return t;
}

/**
 * Run one pickle starting at `offset`; returns its value and the offset after its STOP opcode
 * (the legacy format stores several pickles back to back).
 */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions, offset = 0): { value: PyValue; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: (PyValue | typeof MARK)[] = [];
  const memo = new Map<number, PyValue>();
  let pos = offset;
  const fail = (msg: string): never => {
    throw new Error(`${opts.source}: ${msg}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.byteLength)
      throw new PickleTruncatedError(`${opts.source}: pickle data ends unexpectedly at byte ${bytes.byteLength}`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), dv.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`pickle length ${v} is too large`);
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const utf8 = (n: number) => Buffer.from(take(n)).toString("utf8");
  const line = () => {
    const start = pos;
    while (true) {
      need(1);
      if (bytes[pos++] === 0x0a) break;
    }
    return Buffer.from(bytes.subarray(start, pos - 1)).toString("latin1");
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail("malformed pickle (stack underflow)");
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail("malformed pickle (stack underflow)");
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) fail("malformed pickle (no MARK)");
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const resolveGlobal = (module: string, name: string): PyGlobal => {
    const entry = opts.globals[`${module}.${name}`];
    if (!entry) fail(`refusing to load pickle global "${module}.${name}" (${opts.allowedDescription})`);
    return { kind: "global", module, name, ...entry };
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    if (!(target instanceof Map)) fail("malformed pickle (SETITEM on a non-dict)");
    for (let i = 0; i + 1 < items.length; i += 2) (target as Map<PyValue, PyValue>).set(items[i], items[i + 1]);
  };
  // Two's complement little-endian → integer, in one linear pass (hex digits, then one BigInt parse).
  const longFrom = (n: number): number | bigint => {
    if (n > PICKLE_LIMITS.MAX_LONG_BYTES)
      fail(`integer of ${n} bytes at byte ${pos} (more than ${PICKLE_LIMITS.MAX_LONG_BYTES}; a state dict holds none)`);
    const b = take(n);
    if (b.length === 0) return 0;
    const hex = Buffer.from(b).reverse().toString("hex");
    let v = BigInt(`0x${hex}`);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  while (true) {
    const at = pos;
    // Values nest through the stack (or the memo), so these caps also bound how deep they nest.
    if (stack.length > PICKLE_LIMITS.MAX_STACK)
      fail(
        `pickle stack grows past ${PICKLE_LIMITS.MAX_STACK} entries at byte ${at} (nested too deep ` +
          `or a batch too large for a state dict)`,
      );
    if (memo.size > PICKLE_LIMITS.MAX_MEMO)
      fail(`pickle memo grows past ${PICKLE_LIMITS.MAX_MEMO} entries at byte ${at}`);
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("unsupported pickle protocol");
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x49: {
        // INT (text; "01"/"00" are booleans)
        const s = line();
        stack.push(s === "01" ? true : s === "00" ? false : Number.parseInt(s, 10));
        break;
      }
      case 0x8a: // LONG1
        stack.push(longFrom(u8()));
        break;
      case 0x8b: // LONG4
        stack.push(longFrom(u32()));
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x54: // BINSTRING
        stack.push(Buffer.from(take(i32())).toString("latin1"));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(Buffer.from(take(u8())).toString("latin1"));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(tuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list) || Object.isFrozen(list)) fail("malformed pickle (APPEND to a non-list)");
        (list as PyValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list) || Object.isFrozen(list)) fail("malformed pickle (APPENDS to a non-list)");
        for (const item of items) (list as PyValue[]).push(item); // no spread: 300k arguments overflow the call stack
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const m = new Map<PyValue, PyValue>();
        setItems(m, popMark());
        stack.push(m);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("malformed pickle (STACK_GLOBAL)");
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop() as PyGlobal;
        if (!fn || (fn as PyGlobal).kind !== "global" || !fn.call)
          fail(`pickle calls something that is not an allowed function (at byte ${at})`);
        if (!Array.isArray(args)) fail("malformed pickle (REDUCE arguments are not a tuple)");
        stack.push(fn.call!(args as PyValue[]));
        break;
      }
      case 0x62: {
        // BUILD: only OrderedDict's attribute dict (state_dict()._metadata) is expected; it is dropped
        const state = pop();
        const obj = top();
        if (!(obj instanceof Map) || !(state instanceof Map || state === null))
          fail(`pickle sets state on an unsupported object (at byte ${at})`);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail("pickle refers to external data (persistent id) where none is expected");
        stack.push(opts.persistentLoad!(pid));
        break;
      }
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const idx = op === 0x68 ? u8() : u32();
        if (!memo.has(idx)) fail(`malformed pickle (memo ${idx} is empty)`);
        stack.push(memo.get(idx)!);
        break;
      }
      case 0x67: {
        // GET
        const idx = Number.parseInt(line(), 10);
        if (!memo.has(idx)) fail(`malformed pickle (memo ${idx} is empty)`);
        stack.push(memo.get(idx)!);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x70: // PUT
        memo.set(Number.parseInt(line(), 10), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      default:
        fail(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${at} (only the ` +
            `opcodes of a plain state dict are read)`,
        );
    }
  }
}
