// Builders of tiny hostile files for the reliability tests: raw pickles and torch.save-style zips.
import * as fs from "fs";
import * as path from "path";

/** Pickle bytes from opcodes and operands. */
export class PickleBuilder {
  private parts: Buffer[] = [Buffer.from([0x80, 2])];
  op(...b: number[]): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  u32(op: number, n: number): this {
    const b = Buffer.alloc(5);
    b[0] = op;
    b.writeUInt32LE(n, 1);
    this.parts.push(b);
    return this;
  }
  str(s: string): this {
    const b = Buffer.from(s, "utf8");
    this.u32(0x58, b.length);
    this.parts.push(b);
    return this;
  }
  int(n: number): this {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    this.parts.push(b);
    return this;
  }
  global(module: string, name: string): this {
    this.parts.push(Buffer.from(`c${module}\n${name}\n`, "latin1"));
    return this;
  }
  raw(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  ints(xs: number[]): this {
    this.op(0x28);
    xs.forEach((x) => this.int(x));
    return this.op(0x74);
  }
  /**
   * `name: _rebuild_tensor_v2(storage key "0" of `numel` floats, offset, shape, stride, False, OrderedDict())` inside a
   * dict on the stack.
   */
  tensor(name: string, numel: number, shape: number[], stride: number[]): this {
    this.str(name).global("torch._utils", "_rebuild_tensor_v2").op(0x28, 0x28);
    this.str("storage").global("torch", "FloatStorage").str("0").str("cpu").int(numel).op(0x74, 0x51);
    this.int(0).ints(shape).ints(stride).op(0x89).global("collections", "OrderedDict").op(0x29, 0x52, 0x74, 0x52);
    return this.op(0x73); // SETITEM
  }
  bytes(): Buffer {
    return Buffer.concat([...this.parts, Buffer.from([0x2e])]);
  }
}

/** A stored-entries zip (torch.save's layout); `mutate` may edit each central record before it is written. */
export function writeZip(
  file: string,
  files: [string, Uint8Array][],
  mutate?: (central: Buffer, name: string) => Buffer,
): void {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    out.push(local, nameBytes, Buffer.from(data));
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt32LE(data.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(nameBytes.length, 28);
    c.writeUInt32LE(offset, 42);
    const rec = Buffer.concat([c, nameBytes]);
    central.push(mutate ? mutate(rec, name) : rec);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...out, cd, end]));
}

/** A torch.save zip whose data.pkl is `pickle` and whose storage "0" holds `storageBytes`. */
export function torchZip(dir: string, pickle: Buffer, storageBytes = new Uint8Array(16)): string {
  const file = path.join(dir, "pytorch_model.bin");
  writeZip(file, [
    ["archive/data.pkl", pickle],
    ["archive/data/0", storageBytes],
    ["archive/version", Buffer.from("3\n")],
  ]);
  return file;
}
