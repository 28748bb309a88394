/**
 * The workshop profile's checkpoints from the Hub, offline: random checkpoints of each chosen
 * model's exact layout and size, in the files its repository really has (Google's miniatures:
 * config.json without model_type, vocab.txt, pytorch_model.bin only; distilbert-base-cased:
 * model.safetensors beside pytorch_model.bin), served by a fake hub on 127.0.0.1 and loaded the
 * way the notebooks load them (loadNotebookModel, NerTokenizer.fromPretrained), then again
 * offline from the cache.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { initBackend } from "../../src/backend";
import {
  BertForTokenClassification,
  configFromHf,
  DistilBertForTokenClassification,
  encodeSafetensors,
} from "../../src/models";
import { loadNotebookModel } from "../../src/notebook/model";
import { notebookSettings, TUTORIAL_IDS, WORKSHOP_MODELS } from "../../src/notebook/profile";
import { NerTokenizer } from "../../src/tokenization";
import { startFakeHub, type FakeHubFile } from "../helpers/fake-hub";
import { modelDir } from "../helpers/fixtures";
import { writeTorchZip, type WriterTensor } from "./torch-writer";

async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(vars)) {
    saved[k] = process.env[k];
    if (vars[k] === undefined) delete process.env[k];
    else process.env[k] = vars[k];
  }
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(saved)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

/** Deterministic small values (a cheap LCG): the weights' values do not matter, their layout does. */
function fill(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = (x / 2 ** 32 - 0.5) * 0.04;
  }
  return out;
}

/**
 * The pretraining checkpoint's state dict: the encoder (the token-classification specs without
 * the classifier) plus the heads that pretraining saved (BertForPreTraining / DistilBertForMaskedLM).
 */
function pretrainingStateDict(hf: Record<string, unknown>): {
  tensors: Map<string, WriterTensor>;
  tied: Record<string, string>;
} {
  const config = configFromHf(hf);
  const bert = config.modelType === "bert";
  const specs = (bert ? BertForTokenClassification : DistilBertForTokenClassification)
    .paramSpecs(config)
    .filter((s) => !s.name.startsWith("classifier."));
  const H = config.hiddenSize;
  const V = config.vocabSize;
  const heads: [string, number[]][] = bert
    ? [
        ["bert.pooler.dense.weight", [H, H]],
        ["bert.pooler.dense.bias", [H]],
        ["cls.predictions.bias", [V]],
        ["cls.predictions.transform.dense.weight", [H, H]],
        ["cls.predictions.transform.dense.bias", [H]],
        ["cls.predictions.transform.LayerNorm.weight", [H]],
        ["cls.predictions.transform.LayerNorm.bias", [H]],
        ["cls.predictions.decoder.weight", [V, H]],
        ["cls.seq_relationship.weight", [2, H]],
        ["cls.seq_relationship.bias", [2]],
      ]
    : [
        ["vocab_transform.weight", [H, H]],
        ["vocab_transform.bias", [H]],
        ["vocab_layer_norm.weight", [H]],
        ["vocab_layer_norm.bias", [H]],
        ["vocab_projector.weight", [V, H]],
        ["vocab_projector.bias", [V]],
      ];
  const tensors = new Map<string, WriterTensor>();
  let seed = 1;
  for (const [name, shape] of [...specs.map((s) => [s.name, s.hfShape] as [string, number[]]), ...heads]) {
    tensors.set(name, {
      shape,
      data: fill(
        shape.reduce((a, b) => a * b, 1),
        seed++,
      ),
    });
  }
  const word = `${bert ? "bert" : "distilbert"}.embeddings.word_embeddings.weight`;
  const decoder = bert ? "cls.predictions.decoder.weight" : "vocab_projector.weight";
  tensors.set(decoder, tensors.get(word)!);
  return { tensors, tied: { [decoder]: word } };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ner-workshop-hub-"));

test(
  "every workshop notebook uses a pretrained hub model of its casing, " + "with real data and small-model settings",
  () => {
    for (const id of TUTORIAL_IDS) {
      const s = notebookSettings(id, "workshop");
      const full = notebookSettings(id, "full");
      assert.equal(s.randomInit, false, id);
      assert.ok(WORKSHOP_MODELS[s.model], `${id}: ${s.model} is a known workshop model`);
      // The tutorial's model casing is kept: bert-base-cased → a cased model, *-uncased → uncased.
      assert.equal(
        WORKSHOP_MODELS[s.model].cased,
        /-cased$/.test(full.model),
        `${id}: casing of ${s.model} vs ${full.model}`,
      );
      assert.equal(s.corpus, full.corpus);
      const steps = Math.ceil((s.subset.train ?? 1e9) / s.training.perDeviceTrainBatchSize) * s.training.numTrainEpochs;
      assert.ok(steps >= 100, `${id}: at least 100 optimizer steps of real data`);
      assert.ok(
        s.training.learningRate >= 3e-5 && s.training.learningRate <= 5e-4,
        `${id}: lr ${s.training.learningRate}`,
      );
      assert.ok(
        [16, 32].includes(s.training.perDeviceTrainBatchSize),
        `${id}: batch ${s.training.perDeviceTrainBatchSize}`,
      );
      assert.match(s.expectedTime, /measured/);
    }
  },
);

test(
  "workshop checkpoints load from their hub files (.bin-only miniatures, safetensors-first distilbert) " +
    "and then offline",
  async () => {
    await initBackend("wasm", { quiet: true });
    const uncasedVocab = fs.readFileSync(path.join(modelDir("bert-base-uncased"), "vocab.txt"));
    const cased = (f: string) => fs.readFileSync(path.join(modelDir("bert-base-cased"), f));
    const models = [...new Set(TUTORIAL_IDS.map((id) => notebookSettings(id, "workshop").model))];
    for (const repo of models) {
      const spec = WORKSHOP_MODELS[repo];
      const dir = tmp();
      const { tensors, tied } = pretrainingStateDict({ model_type: "bert", ...spec.config });
      // Python's json.dumps layout in the hub's key order: Google's config.json is exactly these 286 bytes.
      const pyJson =
        "{" +
        Object.entries(spec.config)
          .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
          .join(", ") +
        "}";
      const files: Record<string, FakeHubFile> = { "config.json": { content: Buffer.from(pyJson) } };
      if (repo === "google/bert_uncased_L-4_H-256_A-4") assert.equal(files["config.json"].content.length, 286);
      if (spec.weightFiles[0] === "pytorch_model.bin") {
        writeTorchZip(path.join(dir, "pytorch_model.bin"), tensors, tied);
        files["pytorch_model.bin"] = { content: fs.readFileSync(path.join(dir, "pytorch_model.bin")), lfs: true };
      } else {
        // safetensors stores tied weights once; the .bin beside it must never be fetched.
        const st = new Map([...tensors].filter(([k]) => !tied[k]));
        files["model.safetensors"] = { content: Buffer.from(encodeSafetensors(st)), lfs: true };
        files["pytorch_model.bin"] = { content: Buffer.from("never downloaded"), lfs: true };
      }
      if (spec.cased) {
        files["vocab.txt"] = { content: cased("vocab.txt") };
        files["tokenizer.json"] = { content: cased("tokenizer.json") };
        files["tokenizer_config.json"] = { content: Buffer.from(JSON.stringify({ do_lower_case: false })) };
      } else {
        files["vocab.txt"] = { content: uncasedVocab }; // the miniatures ship vocab.txt only
      }
      const hub = await startFakeHub({ [repo]: files });
      const cache = tmp();
      try {
        const settings = notebookSettings(
          TUTORIAL_IDS.find((id) => notebookSettings(id, "workshop").model === repo)!,
          "workshop",
        );
        const labels = { id2label: { 0: "O", 1: "B-PER", 2: "I-PER" }, label2id: { O: 0, "B-PER": 1, "I-PER": 2 } };
        const load = async () => {
          const model = await loadNotebookModel(settings, labels);
          const info = (model as { loadingInfo?: { missingKeys: string[]; unexpectedKeys: string[] } }).loadingInfo!;
          assert.deepEqual(info.missingKeys, ["classifier.weight", "classifier.bias"], repo);
          assert.ok(info.unexpectedKeys.length >= 4, `${repo}: pretraining heads reported unused`);
          const word = spec.cased
            ? "distilbert.embeddings.word_embeddings.weight"
            : "bert.embeddings.word_embeddings.weight";
          const got = model.namedWeights().get(word)!.dataSync().subarray(0, 8);
          assert.deepEqual(
            [...got],
            [...tensors.get(word)!.data.subarray(0, 8)],
            `${repo}: weights come from the checkpoint`,
          );
          model.dispose();
          const tokenizer = await NerTokenizer.fromPretrained(settings.model);
          const enc = await tokenizer.encodeWords(["EU", "rejects"]);
          assert.equal(enc.tokens[1], spec.cased ? "EU" : "eu", `${repo}: tokenizer casing`);
        };
        await withEnv(
          { NER_OFFLINE: undefined, NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url },
          load,
        );
        const gets = hub.requests.filter((r) => r.startsWith("GET "));
        assert.ok(
          gets.some((r) => r.endsWith(`/${spec.weightFiles[0]}`)),
          `${repo}: downloaded ${spec.weightFiles[0]}`,
        );
        if (spec.weightFiles[0] !== "pytorch_model.bin")
          assert.ok(!gets.some((r) => r.endsWith("/pytorch_model.bin")), `${repo}: .bin not fetched`);
        const before = hub.requests.length;
        await withEnv({ NER_OFFLINE: "1", NER_MODELS_DIR: undefined, HF_HUB_CACHE: cache, HF_ENDPOINT: hub.url }, load);
        assert.equal(hub.requests.length, before, `${repo}: offline load touches no network`);
      } finally {
        await hub.close();
        fs.rmSync(cache, { recursive: true, force: true });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  },
);
