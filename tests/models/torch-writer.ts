/**
 * A minimal `torch.save` for tests: writes a float32 state dict in PyTorch's zip format (the
 * layout scripts/make-torch-fixtures.py gets from PyTorch itself), so tests can build
 * checkpoints of real hub sizes without Python. Keys listed in `tied` share one storage, as
 * tied weights do in real checkpoints.
 */
import * as fs from "fs";

export interface WriterTensor {
  shape: number[];
  data: Float32Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Protocol-2 pickle of OrderedDict{name: _rebuild_tensor_v2(storage, 0, shape, stride, False, OrderedDict())}. */
function statePickle(entries: { name: string; key: string; shape: number[]; numel: number }[]): Buffer {
  const parts: Buffer[] = [];
  const op = (...b: number[]) => parts.push(Buffer.from(b));
  const str = (s: string) => {
    const b = Buffer.from(s, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    parts.push(Buffer.from([0x58]), len, b);
  };
  const int = (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    parts.push(b);
  };
  const global = (module: string, name: string) => parts.push(Buffer.from(`c${module}\n${name}\n`, "latin1"));
  const intTuple = (xs: number[]) => {
    op(0x28);
    xs.forEach(int);
    op(0x74);
  };
  op(0x80, 2);
  global("collections", "OrderedDict");
  op(0x29, 0x52, 0x28); // () REDUCE MARK
  for (const e of entries) {
    str(e.name);
    global("torch._utils", "_rebuild_tensor_v2");
    op(0x28, 0x28); // MARK (args) MARK (persistent id)
    str("storage");
    global("torch", "FloatStorage");
    str(e.key);
    str("cpu");
    int(e.numel);
    op(0x74, 0x51); // TUPLE BINPERSID
    int(0);
    intTuple(e.shape);
    const stride = e.shape.map((_, d) => e.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    intTuple(stride);
    op(0x89);
    global("collections", "OrderedDict");
    op(0x29, 0x52, 0x74, 0x52); // () REDUCE TUPLE REDUCE
  }
  op(0x75, 0x2e); // SETITEMS STOP
  return Buffer.concat(parts);
}

/** Write `tensors` as a torch.save zip file; `tied` maps an alias key to the key whose storage it shares. */
export function writeTorchZip(
  file: string,
  tensors: Map<string, WriterTensor>,
  tied: Record<string, string> = {},
): void {
  const keyOf = new Map<string, string>();
  const entries: { name: string; key: string; shape: number[]; numel: number }[] = [];
  const storages: [string, Float32Array][] = [];
  for (const [name, t] of tensors) {
    const owner = tied[name];
    let key = owner !== undefined ? keyOf.get(owner) : undefined;
    if (key === undefined) {
      key = String(storages.length);
      storages.push([key, t.data]);
    }
    keyOf.set(name, key);
    entries.push({ name, key, shape: t.shape, numel: t.data.length });
  }
  const files: [string, Uint8Array][] = [
    ["archive/data.pkl", statePickle(entries)],
    ...storages.map(
      ([k, d]) => [`archive/data/${k}`, new Uint8Array(d.buffer, d.byteOffset, d.byteLength)] as [string, Uint8Array],
    ),
    ["archive/version", Buffer.from("3\n")],
  ];
  const fd = fs.openSync(file, "w");
  try {
    let offset = 0;
    const central: Buffer[] = [];
    for (const [name, data] of files) {
      const nameBytes = Buffer.from(name, "utf8");
      const crc = crc32(data);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(nameBytes.length, 26);
      fs.writeSync(fd, local);
      fs.writeSync(fd, nameBytes);
      fs.writeSync(fd, data);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt32LE(crc, 16);
      c.writeUInt32LE(data.length, 20);
      c.writeUInt32LE(data.length, 24);
      c.writeUInt16LE(nameBytes.length, 28);
      c.writeUInt32LE(offset, 42);
      central.push(c, nameBytes);
      offset += 30 + nameBytes.length + data.length;
    }
    const cd = Buffer.concat(central);
    fs.writeSync(fd, cd);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(offset, 16);
    fs.writeSync(fd, end);
  } finally {
    fs.closeSync(fd);
  }
}
