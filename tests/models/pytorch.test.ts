/**
 * pytorch_model.bin reading against fixtures written by PyTorch 1.13 itself
 * (scripts/make-torch-fixtures.py): zip and legacy formats, fp16/bf16, views with offsets and
 * strides, tied storages, sharded sets; logits equal those of the same weights as safetensors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { AutoModelForTokenClassification, configFromHf, loadFromTensors, readSafetensors } from "../../src/models";
import { readHfConfigFile } from "../../src/models/config";
import { inspectPytorchCheckpoint, readPytorchCheckpoint } from "../../src/models/pytorch/reader";
import { inspectWeightFiles, resolveWeightFiles } from "../../src/models/weightFiles";

const FIX = path.join(__dirname, "fixtures", "torch");
const fx = (name: string) => path.join(FIX, name);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-torch-"));

/** A model directory with the fixture's config and `files` (target name → fixture file). */
function modelDir(model: "bert" | "distilbert", files: Record<string, string>): string {
  const dir = tmp();
  fs.copyFileSync(fx(`${model}.config.json`), path.join(dir, "config.json"));
  for (const [to, from] of Object.entries(files)) fs.copyFileSync(fx(from), path.join(dir, to));
  return dir;
}

function inputs() {
  const ids = [
    [2, 7, 11, 39, 5, 3],
    [2, 30, 17, 3, 0, 0],
  ];
  const mask = [
    [1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 0, 0],
  ];
  return { inputIds: tf.tensor2d(ids, undefined, "int32"), attentionMask: tf.tensor2d(mask, undefined, "int32") };
}

/** Logits of the model in `dir` and of the reference safetensors weights: must be identical. */
async function assertSameLogits(dir: string, model: "bert" | "distilbert", reference: string) {
  const loaded = await AutoModelForTokenClassification.fromPretrained(dir, { log: null });
  assert.deepEqual(loaded.loadingInfo?.missingKeys, []);
  const config = configFromHf(readHfConfigFile(fx(`${model}.config.json`)));
  const ref = loadFromTensors(config, readSafetensors(fx(reference)).tensors, { log: null });
  const x = inputs();
  const a = loaded.forward(x);
  const b = ref.forward(x);
  assert.deepEqual([...a.dataSync()], [...b.dataSync()]);
  tf.dispose([a, b, x.inputIds, x.attentionMask]);
  loaded.dispose();
  ref.dispose();
  return loaded.loadingInfo!;
}

/** Every tensor of a .bin equals the reference bit for bit (same dtype, shape, bytes). */
function assertSameTensors(bin: string, reference: string, extra: string[] = []) {
  const ours = readPytorchCheckpoint(fx(bin));
  const ref = readSafetensors(fx(reference)).tensors;
  assert.deepEqual([...ours.keys()].sort(), [...ref.keys(), ...extra].sort());
  for (const [k, t] of ref) {
    const o = ours.get(k)!;
    assert.equal(o.dtype, t.dtype, k);
    assert.deepEqual(o.shape, t.shape, k);
    assert.deepEqual(Buffer.from(o.rawBytes()), Buffer.from(t.bytes), k);
  }
}

test(
  "zip and legacy pytorch_model.bin load with the logits of the same " + "weights as safetensors (bert, distilbert)",
  async () => {
    await initBackend("wasm", { quiet: true });
    for (const model of ["bert", "distilbert"] as const) {
      for (const format of ["zip", "legacy"]) {
        assertSameTensors(`${model}.${format}.bin`, `${model}.reference.safetensors`);
        const dir = modelDir(model, { "pytorch_model.bin": `${model}.${format}.bin` });
        assert.equal((await resolveWeightFiles(dir))!.format, "pytorch");
        const info = await assertSameLogits(dir, model, `${model}.reference.safetensors`);
        assert.deepEqual(info, { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
        assert.equal(inspectPytorchCheckpoint(fx(`${model}.${format}.bin`)).format, format);
      }
    }
  },
);

test("float16 and bfloat16 checkpoints decode to the same values as safetensors F16/BF16", async () => {
  await initBackend("wasm", { quiet: true });
  for (const dtype of ["fp16", "bf16"]) {
    assertSameTensors(`bert.${dtype}.bin`, `bert.${dtype}.reference.safetensors`);
    const dir = modelDir("bert", { "pytorch_model.bin": `bert.${dtype}.bin` });
    await assertSameLogits(dir, "bert", `bert.${dtype}.reference.safetensors`);
  }
});

test("views with storage offsets and strides are materialised in row-major order", async () => {
  await initBackend("wasm", { quiet: true });
  const ours = readPytorchCheckpoint(fx("bert.views.bin"));
  const ref = readSafetensors(fx("bert.reference.safetensors")).tensors;
  for (const [k, t] of ref) assert.deepEqual([...ours.get(k)!.toFloat32()], [...t.toFloat32()], k);
  await assertSameLogits(
    modelDir("bert", { "pytorch_model.bin": "bert.views.bin" }),
    "bert",
    "bert.reference.safetensors",
  );
});

test("tied weights (two keys, one storage) load; the unused one is reported like HF", async () => {
  await initBackend("wasm", { quiet: true });
  assertSameTensors("bert.tied.bin", "bert.reference.safetensors", ["cls.predictions.decoder.weight"]);
  const t = readPytorchCheckpoint(fx("bert.tied.bin"));
  assert.deepEqual(
    [...t.get("cls.predictions.decoder.weight")!.toFloat32()],
    [...t.get("bert.embeddings.word_embeddings.weight")!.toFloat32()],
  );
  const info = await assertSameLogits(
    modelDir("bert", { "pytorch_model.bin": "bert.tied.bin" }),
    "bert",
    "bert.reference.safetensors",
  );
  assert.deepEqual(info.unexpectedKeys, ["cls.predictions.decoder.weight"]);
});

test("sharded checkpoints (pytorch_model.bin.index.json, model.safetensors.index.json) load every shard", async () => {
  await initBackend("wasm", { quiet: true });
  for (const kind of ["sharded", "safetensors-sharded"]) {
    const dir = fx(`bert.${kind}`);
    const w = (await resolveWeightFiles(dir))!;
    assert.equal(w.files.length, 2);
    assert.equal(w.format, kind === "sharded" ? "pytorch" : "safetensors");
    assert.equal(inspectWeightFiles(w).tensors.size, readSafetensors(fx("bert.reference.safetensors")).tensors.size);
    await assertSameLogits(dir, "bert", "bert.reference.safetensors");
  }
  // A shard that the index names but that is missing is reported with the index file.
  const dir = tmp();
  for (const f of ["config.json", "pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin"])
    fs.copyFileSync(path.join(fx("bert.sharded"), f), path.join(dir, f));
  await assert.rejects(
    resolveWeightFiles(dir),
    /pytorch_model\.bin\.index\.json: shard pytorch_model-00002-of-00002\.bin is listed in the index but not found/,
  );
});

test("safetensors is preferred when a directory has both, as in HF", async () => {
  await initBackend("wasm", { quiet: true });
  // The .bin holds bf16-rounded weights: loading it would change the logits.
  const dir = modelDir("bert", {
    "model.safetensors": "bert.reference.safetensors",
    "pytorch_model.bin": "bert.bf16.bin",
  });
  assert.equal((await resolveWeightFiles(dir))!.format, "safetensors");
  await assertSameLogits(dir, "bert", "bert.reference.safetensors");
});

test("a pickle whose __reduce__ calls os.system is refused, naming the global; nothing runs", () => {
  const marker = "/tmp/ner-pickle-pwned";
  fs.rmSync(marker, { force: true });
  for (const file of ["malicious.bin", "malicious.legacy.bin"]) {
    assert.throws(
      () => readPytorchCheckpoint(fx(file), "pytorch_model.bin"),
      (err: Error) => {
        assert.match(
          err.message,
          new RegExp(
            '^pytorch_model\\.bin: refusing to load pickle global "posix\\.system" ' +
              "\\(only tensor-rebuild functions, storage types and OrderedDict are " +
              "allowed\\)$",
          ),
        );
        return true;
      },
    );
    assert.throws(() => inspectPytorchCheckpoint(fx(file)), /refusing to load pickle global "posix\.system"/);
  }
  assert.equal(fs.existsSync(marker), false);
});

test("truncated or foreign .bin files give one-line errors naming the file", () => {
  const dir = tmp();
  for (const format of ["zip", "legacy"]) {
    const whole = fs.readFileSync(fx(`bert.${format}.bin`));
    const cut = path.join(dir, `${format}.bin`);
    fs.writeFileSync(cut, whole.subarray(0, whole.length - 3000));
    assert.throws(
      () => inspectPytorchCheckpoint(cut),
      new RegExp(`^Error: ${format}\\.bin: .*(truncated|end-of-central-directory)`),
    );
    assert.throws(() => readPytorchCheckpoint(cut), /truncated|end-of-central-directory/);
  }
  const text = path.join(dir, "text.bin");
  fs.writeFileSync(text, "hello, not a checkpoint\n");
  assert.throws(() => readPytorchCheckpoint(text), /text\.bin: not a PyTorch checkpoint/);
});

test("loading a .bin checkpoint leaks no tensors", async () => {
  await initBackend("wasm", { quiet: true });
  const before = tf.memory().numTensors;
  const model = await AutoModelForTokenClassification.fromPretrained(
    modelDir("bert", { "pytorch_model.bin": "bert.views.bin" }),
    { log: null },
  );
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("a Hub repo without safetensors: the resolver fetches the .bin shard index and every shard it names", async () => {
  await initBackend("wasm", { quiet: true });
  const { startFakeHub } = await import("../helpers/fake-hub");
  const src = fx("bert.sharded");
  const files = Object.fromEntries(
    fs.readdirSync(src).map((f) => [f, { content: fs.readFileSync(path.join(src, f)), lfs: f.endsWith(".bin") }]),
  );
  const hub = await startFakeHub({ "org/sharded-bert": files });
  const cache = tmp();
  const saved = {
    NER_OFFLINE: process.env.NER_OFFLINE,
    NER_MODELS_DIR: process.env.NER_MODELS_DIR,
    HF_HUB_CACHE: process.env.HF_HUB_CACHE,
    HF_ENDPOINT: process.env.HF_ENDPOINT,
  };
  try {
    delete process.env.NER_OFFLINE;
    delete process.env.NER_MODELS_DIR;
    process.env.HF_HUB_CACHE = cache;
    process.env.HF_ENDPOINT = hub.url;
    const w = (await resolveWeightFiles("org/sharded-bert"))!;
    assert.equal(w.format, "pytorch");
    assert.deepEqual(
      w.files.map((f) => path.basename(f)),
      ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"],
    );
    const gets = hub.requests.filter((r) => r.startsWith("GET ")).map((r) => r.split("/").pop());
    assert.deepEqual([...new Set(gets)].sort(), [
      "pytorch_model-00001-of-00002.bin",
      "pytorch_model-00002-of-00002.bin",
      "pytorch_model.bin.index.json",
    ]);
    await assertSameLogits("org/sharded-bert", "bert", "bert.reference.safetensors");
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await hub.close();
  }
});

test("the pickle VM refuses object-building opcodes and unlisted globals however they are named", async () => {
  const { unpickle } = await import("../../src/models/pytorch/pickle");
  const { stateDictGlobals, ALLOWED_DESCRIPTION } = await import("../../src/models/pytorch/tensors");
  const run = (bytes: number[]) =>
    unpickle(Uint8Array.from(bytes), {
      source: "x.bin",
      globals: stateDictGlobals("x.bin"),
      allowedDescription: ALLOWED_DESCRIPTION,
    });
  const text = (s: string) => [...Buffer.from(s, "latin1")];
  const short = (s: string) => [0x8c, s.length, ...text(s)];
  // NEWOBJ on an allowed class would build an object: not implemented, so refused.
  assert.throws(
    () => run([0x80, 2, ...text("ccollections\nOrderedDict\n"), 0x29, 0x81, 0x2e]),
    /^Error: x\.bin: unsupported pickle opcode 0x81/,
  );
  // Protocol 4 STACK_GLOBAL naming builtins.eval, and GLOBAL naming torch's own loader of arbitrary pickles.
  assert.throws(
    () => run([0x80, 4, ...short("builtins"), ...short("eval"), 0x93, 0x2e]),
    /refusing to load pickle global "builtins\.eval"/,
  );
  assert.throws(
    () => run([0x80, 2, ...text("ctorch.storage\n_load_from_bytes\n"), 0x2e]),
    /refusing to load pickle global "torch\.storage\._load_from_bytes"/,
  );
  // The allowed globals still work: OrderedDict() is an empty dict.
  assert.deepEqual(run([0x80, 2, ...text("ccollections\nOrderedDict\n"), 0x29, 0x52, 0x2e]).value, new Map());
});
