/** fromPretrained / savePretrained / randomInit behaviour (wasm backend, tiny configs). */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import {
  AutoModelForTokenClassification,
  configFromHf,
  defaultHfConfig,
  encodeSafetensors,
  loadFromTensors,
  randomInit,
  readSafetensors,
} from "../../src/models";
import { fixturePath } from "../helpers/fixtures";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-models-"));
const fixture = (name: string) => fixturePath(name);

function tinyConfig(type: "distilbert" | "bert", labels = 3) {
  const sizes =
    type === "distilbert"
      ? { vocab_size: 50, dim: 16, n_layers: 1, n_heads: 2, hidden_dim: 32, max_position_embeddings: 24 }
      : {
          vocab_size: 50,
          hidden_size: 16,
          num_hidden_layers: 1,
          num_attention_heads: 2,
          intermediate_size: 32,
          max_position_embeddings: 24,
        };
  return configFromHf(defaultHfConfig(type, sizes), { numLabels: labels });
}

function inputs(batch = 2, seq = 5) {
  const ids = Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, s) => (b * 7 + s * 3 + 1) % 50));
  const mask = Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, s) => (s < seq - b ? 1 : 0)));
  return { inputIds: tf.tensor2d(ids, undefined, "int32"), attentionMask: tf.tensor2d(mask, undefined, "int32") };
}

test("savePretrained writes HF config + safetensors that load back identically", async () => {
  await initBackend("wasm", { quiet: true });
  for (const type of ["distilbert", "bert"] as const) {
    const model = randomInit(tinyConfig(type), 7);
    const dir = tmp();
    await model.savePretrained(dir);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    assert.equal(cfg.model_type, type);
    assert.deepEqual(cfg.architectures, [
      type === "bert" ? "BertForTokenClassification" : "DistilBertForTokenClassification",
    ]);
    assert.deepEqual(cfg.id2label, { "0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2" });
    assert.deepEqual(cfg.label2id, { LABEL_0: 0, LABEL_1: 1, LABEL_2: 2 });
    const file = readSafetensors(path.join(dir, "model.safetensors"));
    assert.deepEqual(file.metadata, { format: "pt" });
    assert.deepEqual(
      [...file.tensors.keys()],
      model.specs.map((s) => s.name),
    );
    const loaded = await AutoModelForTokenClassification.fromPretrained(dir, { log: null });
    assert.deepEqual(loaded.loadingInfo, { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    const x = inputs();
    const a = model.forward(x);
    const b = loaded.forward(x);
    assert.deepEqual([...a.dataSync()], [...b.dataSync()]);
    tf.dispose([a, b, x.inputIds, x.attentionMask]);
    model.dispose();
    loaded.dispose();
  }
});

test("re-saving a Python checkpoint reproduces every tensor bit for bit", async () => {
  await initBackend("wasm", { quiet: true });
  for (const name of ["tiny-distilbert", "tiny-bert"]) {
    const model = await AutoModelForTokenClassification.fromPretrained(fixture(name), { log: null });
    const dir = tmp();
    await model.savePretrained(dir);
    const orig = readSafetensors(path.join(fixture(name), "model.safetensors"));
    const ours = readSafetensors(path.join(dir, "model.safetensors"));
    assert.deepEqual(new Set(ours.tensors.keys()), new Set(orig.tensors.keys()));
    for (const [k, t] of orig.tensors) {
      assert.deepEqual(ours.tensors.get(k)!.shape, t.shape, k);
      assert.deepEqual(Buffer.from(ours.tensors.get(k)!.bytes), Buffer.from(t.bytes), k);
    }
    model.dispose();
  }
});

test("a base checkpoint without classifier gets a fresh head, announced like HF", async () => {
  await initBackend("wasm", { quiet: true });
  const orig = readSafetensors(path.join(fixture("tiny-bert"), "model.safetensors"));
  // A bert-base-* style checkpoint: no classifier, a pooler, MLM/NSP heads, LayerNorm gamma/beta, no... prefix kept.
  const tensors = new Map(
    [...orig.tensors]
      .filter(([k]) => !k.startsWith("classifier."))
      .map(([k, v]) => [
        k.replace(/LayerNorm\.weight$/, "LayerNorm.gamma").replace(/LayerNorm\.bias$/, "LayerNorm.beta"),
        v,
      ]),
  );
  const extra = readSafetensors(
    encodeSafetensors(
      new Map([
        ["bert.pooler.dense.weight", { shape: [32, 32], data: new Float32Array(32 * 32) }],
        ["cls.predictions.bias", { shape: [4], data: new Float32Array(4) }],
        ["bert.embeddings.position_ids", { shape: [1, 4], data: new Float32Array(4) }],
      ]),
    ),
  );
  for (const [k, v] of extra.tensors) tensors.set(k, v);
  const raw = JSON.parse(fs.readFileSync(path.join(fixture("tiny-bert"), "config.json"), "utf8"));
  delete raw.id2label;
  delete raw.label2id;
  const id2label = { 0: "O", 1: "B-X", 2: "I-X" };
  const messages: string[] = [];
  const model = loadFromTensors(configFromHf(raw, { id2label }), tensors, {
    source: "bert-like",
    log: (m) => messages.push(m),
    seed: 3,
  });
  assert.deepEqual(model.loadingInfo!.missingKeys, ["classifier.weight", "classifier.bias"]);
  assert.deepEqual(model.loadingInfo!.unexpectedKeys.sort(), ["bert.pooler.dense.weight", "cls.predictions.bias"]);
  assert.match(
    messages.join("\n"),
    new RegExp(
      "Some weights of BertForTokenClassification were not initialized from the " +
        "model checkpoint at bert-like and are newly initialized: " +
        '\\["classifier.weight","classifier.bias"\\]',
    ),
  );
  assert.match(messages.join("\n"), /You should probably TRAIN this model/);
  assert.match(
    messages.join("\n"),
    /were not used when initializing BertForTokenClassification: .*cls\.predictions\.bias/,
  );
  assert.equal(model.config.numLabels, 3);
  assert.deepEqual(model.config.label2id, { O: 0, "B-X": 1, "I-X": 2 });
  // LayerNorm gamma/beta were mapped onto weight/bias.
  const ln = model.namedWeights().get("bert.embeddings.LayerNorm.weight")!.dataSync();
  assert.deepEqual([...ln], [...orig.tensors.get("bert.embeddings.LayerNorm.weight")!.toFloat32()]);
  // The fresh head follows HF's init: normal(0, 0.02) weights, zero bias.
  const w = Array.from(model.namedWeights().get("classifier.weight")!.dataSync());
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(std > 0.01 && std < 0.03, `classifier std ${std}`);
  assert.ok(
    model
      .namedWeights()
      .get("classifier.bias")!
      .dataSync()
      .every((v) => v === 0),
  );
  model.dispose();
});

test("bare encoder checkpoints (keys without the distilbert. prefix) load", async () => {
  await initBackend("wasm", { quiet: true });
  const orig = readSafetensors(path.join(fixture("tiny-distilbert"), "model.safetensors"));
  const tensors = new Map(
    [...orig.tensors].filter(([k]) => k.startsWith("distilbert.")).map(([k, v]) => [k.slice("distilbert.".length), v]),
  );
  const raw = JSON.parse(fs.readFileSync(path.join(fixture("tiny-distilbert"), "config.json"), "utf8"));
  const model = loadFromTensors(configFromHf(raw), tensors, { log: null });
  assert.deepEqual(model.loadingInfo!.missingKeys, ["classifier.weight", "classifier.bias"]);
  assert.deepEqual(model.loadingInfo!.unexpectedKeys, []);
  const q = model.namedWeights().get("distilbert.transformer.layer.1.attention.q_lin.weight")!;
  // tfjs keeps Linear weights as [in, out]: the transpose of torch's [out, in].
  const expected = tf
    .tensor(orig.tensors.get("distilbert.transformer.layer.1.attention.q_lin.weight")!.toFloat32(), [32, 32])
    .transpose();
  assert.deepEqual([...q.dataSync()], [...expected.dataSync()]);
  expected.dispose();
  model.dispose();
});

test("fromPretrained + dispose leaves no tensors behind, also when loading fails", async () => {
  await initBackend("wasm", { quiet: true });
  for (const name of ["tiny-bert", "tiny-distilbert"]) {
    const before = tf.memory().numTensors;
    const model = await AutoModelForTokenClassification.fromPretrained(fixture(name), { log: null });
    assert.ok(tf.memory().numTensors > before, `${name}: the model holds its weights`);
    model.dispose();
    assert.equal(tf.memory().numTensors, before, `${name}: after dispose()`);
    await assert.rejects(
      AutoModelForTokenClassification.fromPretrained(fixture(name), { numLabels: 5, log: null }),
      /size mismatch/,
    );
    assert.equal(tf.memory().numTensors, before, `${name}: after a failed load`);
    const resized = await AutoModelForTokenClassification.fromPretrained(fixture(name), {
      numLabels: 5,
      ignoreMismatchedSizes: true,
      log: null,
    });
    resized.dispose();
    assert.equal(tf.memory().numTensors, before, `${name}: after a fresh head and dispose()`);
  }
});

test("a head of a different size is an error unless ignoreMismatchedSizes", async () => {
  await initBackend("wasm", { quiet: true });
  await assert.rejects(
    AutoModelForTokenClassification.fromPretrained(fixture("tiny-distilbert"), { numLabels: 5, log: null }),
    new RegExp(
      "size mismatch for classifier.weight: the checkpoint has shape \\[9,32\\], the " +
        "model needs \\[5,32\\].*ignoreMismatchedSizes",
    ),
  );
  const messages: string[] = [];
  const model = await AutoModelForTokenClassification.fromPretrained(fixture("tiny-distilbert"), {
    numLabels: 5,
    ignoreMismatchedSizes: true,
    log: (m) => messages.push(m),
  });
  assert.deepEqual(
    model.loadingInfo!.mismatchedKeys.map((m) => m.key),
    ["classifier.weight", "classifier.bias"],
  );
  assert.match(messages.join("\n"), /shapes did not match/);
  assert.equal(model.config.id2label[4], "LABEL_4");
  model.dispose();
});

test("directories without weights, or with a .bin that is no checkpoint, give a clear error", async () => {
  await initBackend("wasm", { quiet: true });
  const dir = tmp();
  fs.copyFileSync(path.join(fixture("tiny-bert"), "config.json"), path.join(dir, "config.json"));
  await assert.rejects(
    AutoModelForTokenClassification.fromPretrained(dir, { log: null }),
    new RegExp(
      "no weights found \\(looked for model\\.safetensors, " +
        "model\\.safetensors\\.index\\.json, pytorch_model\\.bin, " +
        "pytorch_model\\.bin\\.index\\.json",
    ),
  );
  fs.writeFileSync(path.join(dir, "pytorch_model.bin"), "not a checkpoint");
  await assert.rejects(
    AutoModelForTokenClassification.fromPretrained(dir, { log: null }),
    /pytorch_model\.bin: not a PyTorch checkpoint/,
  );
});

test("config.json that is null, not an object or not JSON: one-line error naming the file", async () => {
  await initBackend("wasm", { quiet: true });
  for (const [text, why] of [
    ["null", /must be a JSON object, got null/],
    ["[1, 2]", /must be a JSON object, got an array/],
    ["{model_type: bert", /is not valid JSON/],
  ] as const) {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "config.json"), text);
    fs.copyFileSync(path.join(fixture("tiny-bert"), "model.safetensors"), path.join(dir, "model.safetensors"));
    await assert.rejects(AutoModelForTokenClassification.fromPretrained(dir, { log: null }), (err: Error) => {
      assert.ok(err.message.startsWith(path.join(dir, "config.json") + ": "), err.message);
      assert.match(err.message, why);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  }
});

test("randomInit follows HF's init and is reproducible from the seed", async () => {
  await initBackend("wasm", { quiet: true });
  const cfg = tinyConfig("bert");
  const a = randomInit(cfg, 11);
  const b = randomInit(cfg, 11);
  const c = randomInit(cfg, 12);
  const word = a.namedWeights().get("bert.embeddings.word_embeddings.weight")!;
  assert.deepEqual(
    [...word.dataSync()],
    [...b.namedWeights().get("bert.embeddings.word_embeddings.weight")!.dataSync()],
  );
  assert.notDeepEqual(
    [...word.dataSync()],
    [...c.namedWeights().get("bert.embeddings.word_embeddings.weight")!.dataSync()],
  );
  const rows = word.arraySync() as number[][];
  assert.ok(
    rows[cfg.padTokenId].every((v) => v === 0),
    "padding row is zero",
  );
  const flat = rows.slice(1).flat();
  const std = Math.sqrt(flat.reduce((s, v) => s + v * v, 0) / flat.length);
  assert.ok(Math.abs(std - 0.02) < 0.002, `std ${std}`);
  assert.ok(
    a
      .namedWeights()
      .get("bert.encoder.layer.0.output.LayerNorm.weight")!
      .dataSync()
      .every((v) => v === 1),
  );
  assert.ok(
    a
      .namedWeights()
      .get("bert.encoder.layer.0.output.dense.bias")!
      .dataSync()
      .every((v) => v === 0),
  );
  for (const m of [a, b, c]) m.dispose();
});

test("forward checks its inputs", async () => {
  await initBackend("wasm", { quiet: true });
  const model = randomInit(tinyConfig("distilbert"), 1);
  const ids = tf.tensor2d([[1, 2, 3]], undefined, "int32");
  assert.throws(
    () => model.forward({ inputIds: ids, attentionMask: tf.tensor2d([[1, 1]], undefined, "int32") }),
    /attentionMask shape \[1,2\] does not match inputIds \[1,3\]/,
  );
  assert.throws(
    () => model.forward({ inputIds: tf.tensor2d([[1.5]]), attentionMask: tf.tensor2d([[1]]) }),
    /inputIds must be int32/,
  );
  const long = tf.zeros([1, 30], "int32") as tf.Tensor2D;
  assert.throws(() => model.forward({ inputIds: long, attentionMask: long }), /exceeds max_position_embeddings 24/);
  model.dispose();
});

test("half-precision checkpoints (F16, BF16) load and give nearly the same logits", async () => {
  await initBackend("wasm", { quiet: true });
  const dir = fixture("tiny-distilbert");
  const orig = readSafetensors(path.join(dir, "model.safetensors"));
  const raw = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  const reference = await AutoModelForTokenClassification.fromPretrained(dir, { log: null });
  const x = inputs(2, 6);
  const expected = reference.forward(x).dataSync();
  for (const dtype of ["F16", "BF16"] as const) {
    // Re-encode every tensor in half precision (round to nearest for F16, truncation for BF16).
    const header: Record<string, unknown> = {};
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const [name, t] of orig.tensors) {
      const f = t.toFloat32();
      const half = new Uint16Array(f.length);
      for (let i = 0; i < f.length; i++)
        half[i] = dtype === "F16" ? toHalf(f[i]) : new Uint32Array(new Float32Array([f[i]]).buffer)[0] >>> 16;
      header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + half.byteLength] };
      chunks.push(new Uint8Array(half.buffer));
      offset += half.byteLength;
    }
    const json = Buffer.from(JSON.stringify(header));
    const bytes = new Uint8Array(8 + json.length + offset);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    let pos = 8 + json.length;
    for (const c of chunks) {
      bytes.set(c, pos);
      pos += c.length;
    }
    const model = loadFromTensors(configFromHf(raw), readSafetensors(bytes).tensors, { log: null });
    const got = model.forward(x).dataSync();
    let diff = 0;
    for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - expected[i]));
    assert.ok(diff < (dtype === "F16" ? 0.01 : 0.1), `${dtype}: logits differ by ${diff}`);
    assert.ok(diff > 0, `${dtype}: precision loss should be visible`);
    model.dispose();
  }
  reference.dispose();
});

/** float → IEEE half bits (round to nearest even; enough for weights of moderate size). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  let mant = u & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    return sign | ((mant + (1 << (shift - 1))) >> shift);
  }
  if (exp >= 31) return sign | 0x7c00;
  const rounded = (exp << 10) + ((mant + 0x1000) >> 13);
  return sign | rounded;
}
