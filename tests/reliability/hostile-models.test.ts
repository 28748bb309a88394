// Hostile checkpoints through the CLI and the loader (issue 18, items 7, 8, 13): weight files with
// no tensors, NaN/Inf weights, and model files that are not what they claim. Each is a copy of the
// tiny-bert fixture with one file replaced, built here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { initBackend } from "../../src/backend";
import { AutoModelForTokenClassification } from "../../src/models";
import { encodeSafetensors, readSafetensors } from "../../src/models/safetensors";
import { fixturePath, repoRoot } from "../helpers/fixtures";
import { PickleBuilder, torchZip, writeZip } from "./hostile-builders";

const tiny = fixturePath("tiny-bert");

function ner(args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const res = spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, NER_OFFLINE: "1", NER_BACKEND: "wasm" },
    timeout: 120_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, ms: Date.now() - t0 };
}

/** A copy of tiny-bert whose weights are `weights` (file name → bytes) instead of model.safetensors. */
function modelWith(weights: Record<string, Uint8Array>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-hostile-model-"));
  for (const f of fs.readdirSync(tiny))
    if (!f.endsWith(".safetensors")) fs.copyFileSync(path.join(tiny, f), path.join(dir, f));
  for (const [name, bytes] of Object.entries(weights)) fs.writeFileSync(path.join(dir, name), bytes);
  return dir;
}

/** torch.save({}) in the zip format: data.pkl is PROTO 2, EMPTY_DICT, STOP. */
function emptyTorchZip(): Buffer {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ner-empty-bin-")), "empty.bin");
  writeZip(file, [
    ["archive/data.pkl", new PickleBuilder().op(0x7d).bytes()],
    ["archive/version", Buffer.from("3\n")],
  ]);
  return fs.readFileSync(file);
}

/** stderr's lines other than the backend notice. */
const messageLines = (s: string) =>
  s.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("[ner] TensorFlow.js backend"));

test(
  "a weights file with no tensors: model info, predict and evaluate refuse it naming the file; " +
    "fine-tuning still loads it",
  async () => {
    const cases: [string, Record<string, Uint8Array>][] = [
      ["model.safetensors", { "model.safetensors": encodeSafetensors(new Map(), null) }],
      ["pytorch_model.bin", { "pytorch_model.bin": emptyTorchZip() }],
    ];
    for (const [file, weights] of cases) {
      const dir = modelWith(weights);
      const info = ner(["model", "info", dir]);
      assert.equal(info.status, 1, info.stderr);
      assert.match(
        info.stdout,
        new RegExp(`${file}: the checkpoint supplies none of the encoder's weights \\(0 tensors\\)`),
      );
      const pred = ner(["predict", "--model", dir, "Igor lives in Berlin"]);
      assert.notEqual(pred.status, 0);
      assert.equal(pred.stdout, "");
      assert.match(pred.stderr, new RegExp(`${file}: the checkpoint supplies none of the encoder's weights`));
      assert.equal(messageLines(pred.stderr).length, 1, pred.stderr);
      const data = path.join(dir, "eval.jsonl");
      fs.writeFileSync(data, JSON.stringify({ tokens: ["Igor", "lives"], tags: ["B-PER", "O"] }) + "\n");
      const ev = ner(["evaluate", "--model", dir, "--data", data]);
      assert.notEqual(ev.status, 0);
      assert.match(ev.stderr, new RegExp(`${file}: the checkpoint supplies none of the encoder's weights`));
      // Fine-tuning from it is allowed, with HF's notice (every weight newly initialized).
      await initBackend("wasm", { quiet: true });
      const logs: string[] = [];
      const model = await AutoModelForTokenClassification.fromPretrained(dir, { log: (m) => logs.push(m) });
      assert.ok(model.loadingInfo!.missingKeys.length > 0);
      assert.match(logs.join("\n"), /newly initialized/);
      model.dispose();
      await assert.rejects(
        AutoModelForTokenClassification.fromPretrained(dir, { log: null, requireEncoderWeights: true }),
        /supplies none of the encoder's weights/,
      );
    }
  },
);

test("NaN/Inf weights: model info names the tensors; predict and evaluate warn once on non-finite logits", () => {
  const st = readSafetensors(path.join(tiny, "model.safetensors"));
  const tensors = new Map([...st.tensors].map(([k, t]) => [k, { shape: t.shape, data: t.toFloat32() }]));
  tensors.get("classifier.bias")!.data[1] = NaN;
  tensors.get("bert.embeddings.LayerNorm.weight")!.data.fill(Infinity, 0, 3);
  const dir = modelWith({ "model.safetensors": encodeSafetensors(tensors) });
  const info = ner(["model", "info", dir, "--json"]);
  assert.equal(info.status, 1);
  const report = JSON.parse(info.stdout) as { problems: string[] };
  assert.ok(
    report.problems.some((p) => /model\.safetensors: tensor "classifier\.bias" has 1 non-finite values/.test(p)),
    report.problems.join("\n"),
  );
  assert.ok(
    report.problems.some((p) => /tensor "bert\.embeddings\.LayerNorm\.weight" has 3 non-finite values/.test(p)),
  );
  const input = path.join(dir, "texts.txt");
  fs.writeFileSync(input, "Igor lives in Berlin\n".repeat(40));
  const pred = ner(["predict", "--model", dir, "--input", input]);
  assert.equal(pred.status, 0, pred.stderr);
  assert.equal(pred.stderr.match(/non-finite logits/g)?.length, 1, pred.stderr);
  const data = path.join(dir, "eval.jsonl");
  fs.writeFileSync(data, JSON.stringify({ tokens: ["Igor", "lives"], tags: ["B-PER", "O"] }) + "\n");
  const ev = ner(["evaluate", "--model", dir, "--data", data]);
  assert.equal(ev.status, 0, ev.stderr);
  assert.equal(ev.stderr.match(/non-finite logits/g)?.length, 1, ev.stderr);
});

test("model files that are not regular files, or too large, fail fast naming the file", () => {
  const dir = modelWith({ "model.safetensors": fs.readFileSync(path.join(tiny, "model.safetensors")) });
  fs.rmSync(path.join(dir, "tokenizer.json"));
  fs.symlinkSync("/dev/zero", path.join(dir, "tokenizer.json"));
  const pred = ner(["predict", "--model", dir, "x"]);
  assert.notEqual(pred.status, 0);
  assert.match(pred.stderr, /tokenizer\.json: tokenizer file is a character device, not a regular file/);
  assert.ok(pred.ms < 30_000);
  const dir2 = modelWith({});
  fs.symlinkSync("/dev/zero", path.join(dir2, "model.safetensors"));
  const info = ner(["model", "info", dir2]);
  assert.equal(info.status, 1);
  assert.match(
    info.stdout + info.stderr,
    /model\.safetensors: safetensors file is a character device, not a regular file/,
  );
});

test(
  "ner predict --input streams: a bad line late in the file fails naming it, and the results before it " +
    "are already printed",
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-predict-stream-"));
    const input = path.join(dir, "texts.txt");
    const good = "Igor lives in Berlin\n".repeat(99);
    fs.writeFileSync(
      input,
      Buffer.concat([Buffer.from(good), Buffer.from([0x45, 0xff, 0x55, 0x0a]), Buffer.from("after\n")]),
    );
    const res = ner(["predict", "--model", tiny, "--input", input]);
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /texts\.txt:100: invalid UTF-8 \(byte 0xff at byte column 2\)/);
    const lines = res.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { line: number });
    // Batches of 32 texts: lines 1-96 were predicted and printed before line 100 was read.
    assert.ok(lines.length >= 96, `${lines.length} results printed`);
    assert.deepEqual(
      lines.map((l) => l.line),
      Array.from({ length: lines.length }, (_, i) => i + 1),
    );
  },
);

test(
  "ner model convert and model info on a 1 KB .bin whose tensor has stride 0 over 2^28 elements: " +
    "refused, nothing written",
  () => {
    const dir = modelWith({});
    torchZip(
      dir,
      new PickleBuilder()
        .op(0x7d)
        .tensor("bert.embeddings.word_embeddings.weight", 1, [2 ** 28], [0])
        .bytes(),
      new Uint8Array(4),
    );
    const conv = ner(["model", "convert", dir]);
    assert.notEqual(conv.status, 0);
    assert.match(
      conv.stderr,
      new RegExp(
        'pytorch_model\\.bin: tensor "bert\\.embeddings\\.word_embeddings\\.weight" .* ' +
          "has stride 0 on dimension 0 of size 268435456",
      ),
    );
    assert.equal(fs.existsSync(path.join(dir, "model.safetensors")), false);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith(".")),
      [],
      "no temporary file left",
    );
    const info = ner(["model", "info", dir]);
    assert.equal(info.status, 1);
    assert.match(info.stdout, /stride 0 on dimension 0/);
  },
);
