// Tiny hostile files against the loaders (issue 18, items 10–16): each is built here (a few KB to a
// few MB, nothing checked in) and must be refused in under 5 s, with a one-line error naming the
// file, in bounded memory — no hang, no stack overflow, no raw RangeError, no gigabytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { configFromHf, readHfConfigFile } from "../../src/models/config";
import { PICKLE_LIMITS, unpickle } from "../../src/models/pytorch/pickle";
import { inspectPytorchCheckpoint, readPytorchCheckpoint } from "../../src/models/pytorch/reader";
import { ALLOWED_DESCRIPTION, stateDictGlobals } from "../../src/models/pytorch/tensors";
import { readSafetensors, readSafetensorsHeader } from "../../src/models/safetensors";
import { readJsonFileBounded, readTextFileBounded } from "../../src/util/files";
import { PickleBuilder, torchZip, writeZip } from "./hostile-builders";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-hostile-"));

/** `fn` must throw within 5 s, one line, matching `re` and naming `file`; RSS may grow by at most 256 MB. */
function refuses(fn: () => unknown, re: RegExp, file: string): Error {
  const rss0 = process.memoryUsage().rss;
  const t0 = Date.now();
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  const ms = Date.now() - t0;
  assert.ok(caught instanceof Error, `expected an error for ${file}`);
  const err = caught as Error;
  assert.ok(!(err instanceof RangeError), `raw RangeError: ${err.message}`);
  assert.doesNotMatch(err.message, /\n/, "one line");
  assert.ok(err.message.includes(path.basename(file)), `names the file: ${err.message}`);
  assert.match(err.message, re);
  assert.ok(ms < 5000, `answered in ${ms} ms`);
  assert.ok(process.memoryUsage().rss - rss0 < 256 * 2 ** 20, "bounded memory");
  return err;
}

// ---------------------------------------------------------------- builders

const runPickle = (bytes: Uint8Array) =>
  unpickle(bytes, {
    source: "hostile.pkl",
    globals: stateDictGlobals("hostile.pkl"),
    allowedDescription: ALLOWED_DESCRIPTION,
  });

/** A safetensors file from a header object and a data length. */
function safetensorsFile(dir: string, header: unknown, dataLen: number, name = "model.safetensors"): string {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([len, json, Buffer.alloc(dataLen)]));
  return file;
}

// ---------------------------------------------------------------- pickles (items 11, 15)

test("LONG4 integers: a 2 MB one is refused at once (size cap); sizes up to the cap parse linearly and exactly", () => {
  const dir = tmp();
  const huge = Buffer.alloc(2_000_000, 0x5a);
  const file = torchZip(dir, new PickleBuilder().u32(0x8b, huge.length).raw(huge).bytes());
  refuses(() => readPytorchCheckpoint(file), /integer of 2000000 bytes/, file);
  refuses(() => inspectPytorchCheckpoint(file), /integer of 2000000 bytes/, file);
  // At the cap: value identical to a byte-by-byte reference, negative numbers in two's complement.
  const bytes = Uint8Array.from({ length: PICKLE_LIMITS.MAX_LONG_BYTES }, (_, i) => (i * 37 + 11) & 0xff);
  bytes[bytes.length - 1] = 0x91; // sign bit set
  let ref = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) ref = (ref << 8n) | BigInt(bytes[i]);
  ref -= 1n << BigInt(8 * bytes.length);
  const t0 = Date.now();
  assert.equal(runPickle(new PickleBuilder().u32(0x8b, bytes.length).raw(bytes).bytes()).value, ref);
  assert.ok(Date.now() - t0 < 1000);
  // LONG1: PyTorch's legacy magic number and small negatives.
  assert.equal(
    runPickle(new PickleBuilder().op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).bytes())
      .value,
    0x1950a86a20f9469cfc6cn,
  );
  assert.equal(runPickle(new PickleBuilder().op(0x8a, 2, 0x00, 0xff).bytes()).value, -256);
});

test(
  "pickles nested a million deep, or a 300k-item APPENDS, are refused " + "with the file named (no stack overflow)",
  () => {
    const dir = tmp();
    const n = 1_000_000;
    const deep = new PickleBuilder()
      .raw(Buffer.alloc(n, 0x5d))
      .raw(Buffer.alloc(n - 1, 0x61))
      .bytes(); // EMPTY_LIST×n APPEND×(n-1)
    const deepFile = torchZip(dir, deep);
    refuses(() => readPytorchCheckpoint(deepFile), /pickle stack grows past \d+ entries/, deepFile);
    // [] MARK None×300k APPENDS
    const appends = new PickleBuilder().op(0x5d, 0x28).raw(Buffer.alloc(300_000, 0x4e)).op(0x65).bytes();
    const appendsFile = path.join(tmp(), "pytorch_model.bin");
    fs.writeFileSync(appendsFile, Buffer.concat([appends]));
    refuses(() => readPytorchCheckpoint(appendsFile), /pickle stack grows past/, appendsFile);
    // Below the cap, APPENDS of 100k items works (no spread of 100k arguments).
    const ok = new PickleBuilder().op(0x5d, 0x28).raw(Buffer.alloc(100_000, 0x4e)).op(0x65).bytes();
    assert.equal((runPickle(ok).value as unknown[]).length, 100_000);
  },
);

test(
  "a value nested 100k deep through the memo (small stack) used as a " + "state-dict key: a short error, no recursion",
  () => {
    const b = new PickleBuilder().op(0x7d, 0x5d).u32(0x72, 0); // {} [] LONG_BINPUT 0
    const depth = 100_000;
    for (let i = 1; i <= depth; i++) b.op(0x5d).u32(0x72, i).op(0x61, 0x30).u32(0x6a, i); // [] PUT APPEND POP GET
    b.op(0x30).u32(0x6a, 0).op(0x4e, 0x73); // POP GET0 None SETITEM
    const file = torchZip(tmp(), b.bytes());
    refuses(() => readPytorchCheckpoint(file), /state dict key a list of 1 items is not a string/, file);
  },
);

// ---------------------------------------------------------------- zip (item 16)

test("bad zip64 extra fields and records give one-line errors naming the file, never a DataView RangeError", () => {
  const dir = tmp();
  const pickle = new PickleBuilder().op(0x7d).bytes();
  // Size marked 0xFFFFFFFF with a zip64 extra field of 4 bytes (needs 8).
  const short = path.join(dir, "short-zip64.bin");
  writeZip(short, [["archive/data.pkl", pickle]], (rec) => {
    rec.writeUInt32LE(0xffffffff, 20);
    rec.writeUInt32LE(0xffffffff, 24);
    const extra = Buffer.from([0x01, 0x00, 0x04, 0x00, 1, 2, 3, 4]);
    rec.writeUInt16LE(extra.length, 30);
    return Buffer.concat([rec, extra]);
  });
  // The central directory would then be longer than the EOCD says: fix its size to match.
  const fixCd = (file: string) => {
    const buf = fs.readFileSync(file);
    const eocd = buf.length - 22;
    const cdOffset = buf.readUInt32LE(eocd + 16);
    buf.writeUInt32LE(eocd - cdOffset, eocd + 12);
    fs.writeFileSync(file, buf);
  };
  fixCd(short);
  refuses(
    () => inspectPytorchCheckpoint(short),
    /zip64 extra field of "archive\/data\.pkl" is 4 bytes, too short/,
    short,
  );
  refuses(() => readPytorchCheckpoint(short), /invalid zip archive/, short);
  // An extra field whose length runs past the entry's extra data.
  const over = path.join(dir, "extra-overrun.bin");
  writeZip(over, [["archive/data.pkl", pickle]], (rec) => {
    const extra = Buffer.from([0x01, 0x00, 0xff, 0x00, 0, 0, 0, 0]);
    rec.writeUInt16LE(extra.length, 30);
    return Buffer.concat([rec, extra]);
  });
  fixCd(over);
  refuses(() => inspectPytorchCheckpoint(over), /extra field .* runs past/, over);
  // A zip64 locator pointing past the end of the file, and an entry count the directory cannot hold.
  const locator = path.join(dir, "locator.bin");
  writeZip(locator, [["archive/data.pkl", pickle]]);
  const buf = fs.readFileSync(locator);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(0xffffffffffn, 8);
  fs.writeFileSync(locator, Buffer.concat([buf.subarray(0, buf.length - 22), loc, buf.subarray(buf.length - 22)]));
  refuses(
    () => inspectPytorchCheckpoint(locator),
    /zip64 end-of-central-directory record at \d+ lies past the end/,
    locator,
  );
  const count = path.join(dir, "count.bin");
  writeZip(count, [["archive/data.pkl", pickle]]);
  const c = fs.readFileSync(count);
  c.writeUInt16LE(0xffff, c.length - 22 + 10);
  fs.writeFileSync(count, c);
  refuses(() => inspectPytorchCheckpoint(count), /cannot hold 65535 entries/, count);
});

// ---------------------------------------------------------------- strides (item 12)

test("a zero stride on a non-singleton dimension, or overlapping strides, is refused: nothing is materialised", () => {
  const dir = tmp();
  const zero = torchZip(
    dir,
    new PickleBuilder()
      .op(0x7d)
      .tensor("w", 1, [2 ** 28], [0])
      .bytes(),
    new Uint8Array(4),
  );
  refuses(
    () => inspectPytorchCheckpoint(zero),
    /tensor "w" .* has stride 0 on dimension 0 of size 268435456 \(an expanded view\)/,
    zero,
  );
  refuses(() => readPytorchCheckpoint(zero), /stride 0 on dimension 0/, zero);
  const overlap = torchZip(
    tmp(),
    new PickleBuilder().op(0x7d).tensor("w", 2000, [1000, 1000], [1, 1]).bytes(),
    new Uint8Array(8000),
  );
  refuses(
    () => inspectPytorchCheckpoint(overlap),
    /has 1000000 elements but its storage holds 2000 \(overlapping strides\)/,
    overlap,
  );
  // Stride 0 on a dimension of size 1 (torch's expand of a leading axis, e.g. position_ids) is fine.
  const ok = torchZip(tmp(), new PickleBuilder().op(0x7d).tensor("w", 4, [1, 4], [0, 1]).bytes());
  assert.deepEqual(readPytorchCheckpoint(ok).get("w")!.shape, [1, 4]);
});

// ---------------------------------------------------------------- safetensors (item 10)

test("safetensors offsets must tile the data as the safetensors library requires", () => {
  const dir = tmp();
  const t = (begin: number, end: number) => ({ dtype: "F32", shape: [(end - begin) / 4], data_offsets: [begin, end] });
  const cases: [string, Record<string, unknown>, number, RegExp][] = [
    [
      "overlap",
      { a: t(0, 16), b: t(8, 24) },
      24,
      /tensor "b" data \[8, 24\) overlaps the previous tensor's, which ends at 16/,
    ],
    ["same", { a: t(0, 16), b: t(0, 16) }, 16, /overlaps the previous/],
    [
      "gap",
      { a: t(0, 16), b: t(24, 40) },
      40,
      /tensor "b" data starts at 24, leaving a gap after the previous tensor's end at 16/,
    ],
    ["late-start", { a: t(8, 24) }, 24, /starts at 8, leaving a gap/],
    ["trailing", { a: t(0, 16) }, 32, /tensors cover 16 of the 32 data bytes/],
    ["past-end", { a: t(0, 16) }, 8, /tensor "a" data \[0, 16\) runs past the end of the data \(8 bytes/],
  ];
  for (const [name, header, dataLen, re] of cases) {
    const file = safetensorsFile(dir, header, dataLen, `${name}.safetensors`);
    refuses(() => readSafetensors(file), re, file);
    refuses(() => readSafetensorsHeader(file), re, file);
  }
  // Out of order in the JSON but contiguous once sorted (older writers): accepted, as the library does.
  const file = safetensorsFile(dir, { b: t(16, 32), a: t(0, 16) }, 32, "unsorted.safetensors");
  assert.deepEqual([...readSafetensors(file).tensors.keys()].sort(), ["a", "b"]);
  // An empty file ({} and no data) is valid safetensors.
  assert.equal(readSafetensors(safetensorsFile(dir, {}, 0, "empty.safetensors")).tensors.size, 0);
  // A header length over the library's 100 MB cap, and a header that is not UTF-8.
  const big = path.join(dir, "big.safetensors");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(200_000_000n);
  fs.writeFileSync(big, Buffer.concat([len, Buffer.from("{}")]));
  refuses(() => readSafetensorsHeader(big), /header length 200000000 is over the 100000000-byte limit/, big);
  const latin = path.join(dir, "latin.safetensors");
  const hdr = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x20]);
  len.writeBigUInt64LE(BigInt(hdr.length));
  fs.writeFileSync(latin, Buffer.concat([len, hdr]));
  refuses(() => readSafetensors(latin), /header is not valid UTF-8/, latin);
});

// ---------------------------------------------------------------- JSON and text files (item 13)

test("config.json as a symlink to /dev/zero or a FIFO fails fast; a non-JSON file's content is never shown", () => {
  const dir = tmp();
  const zero = path.join(dir, "config.json");
  fs.symlinkSync("/dev/zero", zero);
  refuses(() => readHfConfigFile(zero), /model config is a character device, not a regular file/, zero);
  const fifoDir = tmp();
  const fifo = path.join(fifoDir, "config.json");
  execFileSync("mkfifo", [fifo]);
  refuses(() => readHfConfigFile(fifo), /is a FIFO \(named pipe\), not a regular file/, fifo);
  refuses(() => readTextFileBounded(fifo, 1024, "vocabulary"), /FIFO/, fifo);
  // A symlink to a secret: the error says "not valid JSON" and where, never what.
  const secretDir = tmp();
  const secret = path.join(secretDir, "id_rsa");
  fs.writeFileSync(secret, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n");
  const link = path.join(secretDir, "config.json");
  fs.symlinkSync(secret, link);
  const err = refuses(() => readHfConfigFile(link), /model config is not valid JSON/, link);
  assert.doesNotMatch(err.message, /BEGIN|OPENSSH|b3Blbn/);
  const typo = path.join(secretDir, "typo.json");
  fs.writeFileSync(typo, '{\n  "model_type": "bert",\n  "hidden_size": 768,,\n}');
  assert.throws(() => readJsonFileBounded(typo, "model config"), /typo\.json: model config is not valid JSON/);
  // Over the size cap: refused from fstat's size, before reading.
  const big = path.join(secretDir, "big.json");
  fs.writeFileSync(big, Buffer.alloc(2048, 0x20));
  refuses(
    () => readJsonFileBounded(big, "model config", 1024),
    /model config is 2048 bytes, over the 1024-byte limit/,
    big,
  );
  // Binary (invalid UTF-8): says so without echoing bytes.
  const bin = path.join(secretDir, "bin.json");
  fs.writeFileSync(bin, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  refuses(() => readJsonFileBounded(bin, "model config"), /is not valid UTF-8 text/, bin);
});

// ---------------------------------------------------------------- configs (items 9, 14)

test("out-of-range and absurd config values: one-line errors naming the file and field, before any allocation", () => {
  const base = {
    model_type: "bert",
    vocab_size: 100,
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 64,
  };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ hidden_dropout_prob: 5 }, /field "hidden_dropout_prob" must be a probability in \[0, 1\), got 5/],
    [
      { attention_probs_dropout_prob: -1 },
      /field "attention_probs_dropout_prob" must be a probability in \[0, 1\), got -1/,
    ],
    [{ classifier_dropout: 1 }, /field "classifier_dropout" must be a probability/],
    [{ intermediate_size: -64 }, /field "intermediate_size" must be a positive integer, got -64/],
    [{ hidden_size: 2.5 }, /field "hidden_size" must be a positive integer, got 2.5/],
    [{ num_attention_heads: 0 }, /field "num_attention_heads" must be a positive integer/],
    [{ hidden_size: 30 }, /hidden_size 30 is not a multiple of num_attention_heads 4/],
    [{ layer_norm_eps: -1e-5 }, /field "layer_norm_eps" must be non-negative, got -0.00001/],
    [{ pad_token_id: 100 }, /field "pad_token_id" must be within the vocabulary \[0, 100\)/],
    [{ hidden_act: "swish" }, /unsupported activation "swish" in "hidden_act"/],
    [{ hidden_act: Array.from({ length: 5 }, () => "gelu") }, /unsupported activation an array of 5 items/],
    [{ num_hidden_layers: 1e6 }, /field "num_hidden_layers" must be at most 1024, got 1000000/],
    [
      { num_hidden_layers: 1000, hidden_size: 4096, num_attention_heads: 16, intermediate_size: 16384 },
      /needs about [\d.]+ GiB for inference .* more than this machine's/,
    ],
    [{ hidden_size: 1e9, num_attention_heads: 1 }, /a tensor of this config would hold 1\.00e\+11 elements/],
    [{ vocab_size: 1e12 }, /a tensor of this config would hold 3\.20e\+13 elements/],
    [{ max_position_embeddings: 1e6 }, /a tensor of this config would hold 4\.00e\+12 elements/],
  ];
  for (const [over, re] of cases) {
    const t0 = Date.now();
    assert.throws(
      () => configFromHf({ ...base, ...over }, {}, "bad/config.json"),
      (err: Error) => {
        assert.match(err.message, /^bad\/config\.json: /);
        assert.doesNotMatch(err.message, /\n/);
        assert.match(err.message, re);
        return true;
      },
      JSON.stringify(over),
    );
    assert.ok(Date.now() - t0 < 1000);
  }
  // DistilBERT's names in its messages.
  assert.throws(
    () =>
      configFromHf(
        { model_type: "distilbert", vocab_size: 100, dim: 30, n_layers: 1, n_heads: 4, hidden_dim: 64 },
        {},
        "d.json",
      ),
    /dim 30 is not a multiple of n_heads 4/,
  );
  assert.throws(
    () =>
      configFromHf(
        { model_type: "distilbert", vocab_size: 100, dim: 32, n_layers: 1, n_heads: 4, hidden_dim: 64, dropout: 1.5 },
        {},
        "d.json",
      ),
    /field "dropout" must be a probability/,
  );
});

test("the wasm backend's 4 GiB heap: a config whose weights do not fit is refused with the estimate", async () => {
  const { checkModelFits, estimateModelMemory } = await import("../../src/models/config");
  // bert-large-sized x 4 layers deep: ~1.2e9 parameters, 4.5 GiB of float32 weights.
  const config = configFromHf(
    {
      model_type: "bert",
      vocab_size: 30522,
      hidden_size: 2048,
      num_hidden_layers: 24,
      num_attention_heads: 16,
      intermediate_size: 8192,
    },
    {},
    "big/config.json",
  );
  const est = estimateModelMemory(config);
  assert.ok(est.weightBytes > 4 * 2 ** 30);
  assert.throws(
    () => checkModelFits(config, "wasm", "big/config.json"),
    new RegExp(
      "^Error: big\\/config\\.json: this config needs about [\\d.]+ GiB for inference " +
        "\\([\\d.]+e\\+9 parameters, [\\d.]+ GiB of float32 weights\\), more than the " +
        "wasm backend's 4 GiB heap$",
    ),
  );
  // bert-base fits for inference and for training.
  const base = configFromHf({
    model_type: "bert",
    vocab_size: 30522,
    hidden_size: 768,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    intermediate_size: 3072,
    id2label: { 0: "O", 1: "B" },
  });
  checkModelFits(base, "wasm", "base", "training");
  // The estimate counts what the model builds: bert-base-cased for token classification has 108,893,955 + ...
  const { BertForTokenClassification } = await import("../../src/models/bert");
  const specs = BertForTokenClassification.paramSpecs(base);
  assert.equal(
    estimateModelMemory(base).parameters,
    specs.reduce((n, s) => n + s.hfShape.reduce((a, b) => a * b, 1), 0),
  );
});

// ---------------------------------------------------------------- streamed text input (item 19)

test(
  "textLines streams a file: CRLF, BOM, lines across chunk boundaries, strict UTF-8 with line numbers, " +
    "a line-length cap",
  async () => {
    const { textLines } = await import("../../src/util/lines");
    const dir = tmp();
    const file = path.join(dir, "in.txt");
    const long = "x".repeat(70_000); // spans the 64 KiB read chunks
    fs.writeFileSync(file, `\ufeffone\r\n\n${long}\ntwo é\nlast`);
    assert.deepEqual(
      [...textLines(file)].map((l) => [l.line, l.text.length > 100 ? l.text.length : l.text]),
      [
        [1, "one"],
        [2, ""],
        [3, 70_000],
        [4, "two é"],
        [5, "last"],
      ],
    );
    const bad = path.join(dir, "bad.txt");
    fs.writeFileSync(bad, Buffer.concat([Buffer.from("ok\nfine\nE"), Buffer.from([0xff]), Buffer.from("U\n")]));
    const got: string[] = [];
    assert.throws(() => {
      for (const l of textLines(bad)) got.push(l.text);
    }, /bad\.txt:3: invalid UTF-8 \(byte 0xff at byte column 2\)/);
    assert.deepEqual(got, ["ok", "fine"], "the lines before the bad one were delivered");
    const huge = path.join(dir, "huge.txt");
    fs.writeFileSync(huge, "a\n" + "b".repeat(5000));
    refuses(() => [...textLines(huge, 4096)], /huge\.txt:2: line longer than 4096 bytes/, huge);
    assert.throws(() => [...textLines(path.join(dir, "missing.txt"))], /missing\.txt: no such file/);
    // A pipe streams as it is written.
    const fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `printf 'a\\nb\\n' > ${fifo}`]);
    assert.deepEqual(
      [...textLines(fifo)].map((l) => l.text),
      ["a", "b"],
    );
    await new Promise((r) => writer.on("exit", r));
  },
);

test(
  "a Hub cache ref that is not a commit hash (a path, /dev/zero) is " + "refused instead of choosing the snapshot",
  async () => {
    const { findInHubCache } = await import("../../src/hub/resolve");
    const cache = tmp();
    const refs = path.join(cache, "models--org--m", "refs");
    fs.mkdirSync(refs, { recursive: true });
    fs.mkdirSync(path.join(cache, "secret"), { recursive: true });
    fs.writeFileSync(path.join(cache, "secret", "config.json"), "{}");
    fs.writeFileSync(path.join(refs, "main"), "../../secret");
    refuses(
      () => findInHubCache("org/m", "config.json", "main", cache),
      /Hub cache ref does not hold a commit hash/,
      path.join(refs, "main"),
    );
    fs.rmSync(path.join(refs, "main"));
    fs.symlinkSync("/dev/zero", path.join(refs, "main"));
    refuses(
      () => findInHubCache("org/m", "config.json", "main", cache),
      /Hub cache ref is a character device/,
      path.join(refs, "main"),
    );
  },
);

test(
  "checkpoint records (trainer_state.json, rng_state.json) symlinked to /dev/zero or not JSON: one " +
    "line, content never shown",
  async () => {
    const { readRngState, readTrainerState } = await import("../../src/training/checkpoint");
    const dir = tmp();
    fs.symlinkSync("/dev/zero", path.join(dir, "trainer_state.json"));
    refuses(
      () => readTrainerState(dir),
      /checkpoint record is a character device, not a regular file/,
      "trainer_state.json",
    );
    fs.writeFileSync(path.join(dir, "rng_state.json"), "password=hunter2");
    const err = refuses(() => readRngState(dir), /rng_state\.json: invalid JSON/, "rng_state.json");
    assert.doesNotMatch(err.message, /hunter2/);
  },
);

test("a --config file that is a FIFO or not JSON: one line naming it, content never shown", async () => {
  const { readConfigFile } = await import("../../src/cli/flags");
  const { JOB_OPTIONS } = await import("../../src/training/options");
  const dir = tmp();
  const fifo = path.join(dir, "train.json");
  execFileSync("mkfifo", [fifo]);
  refuses(() => readConfigFile(JOB_OPTIONS, fifo), /config is a FIFO/, fifo);
  const secret = path.join(dir, "secret.json");
  fs.writeFileSync(secret, "AKIAIOSFODNN7EXAMPLE\n");
  const err = refuses(() => readConfigFile(JOB_OPTIONS, secret), /config is not valid JSON/, secret);
  assert.doesNotMatch(err.message, /AKIA/);
});
