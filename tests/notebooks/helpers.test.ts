import { test } from "node:test";
import assert from "node:assert/strict";
import {
  displayBundle,
  formatTable,
  LiveDisplay,
  MimeBundle,
  plainText,
  setDisplaySink,
  showTable,
  tableHtml,
} from "../../src/notebook/display";
import { notebookSettings, scaleDownHfConfig, settingsRows, TUTORIAL_IDS } from "../../src/notebook/profile";
import { PhaseTimer, runCardFields, runCardMarkdown, showRunCard } from "../../src/notebook/runCard";
import { pythonValue, trainingArgsRows } from "../../src/notebook/trainingArgsTable";
import { DEFAULT_TRAINING_ARGUMENTS } from "../../src/training/arguments";
import { readModelConfig } from "../helpers/fixtures";

function capture(fn: () => void): { bundle: MimeBundle; displayId?: string; update: boolean }[] {
  const sent: { bundle: MimeBundle; displayId?: string; update: boolean }[] = [];
  setDisplaySink((bundle, o) => sent.push({ bundle, ...o }));
  try {
    fn();
  } finally {
    setDisplaySink(null);
  }
  return sent;
}

test("formatTable aligns numbers right and text left; tableHtml escapes", () => {
  const rows = [
    { Epoch: 1, "Training Loss": 0.51234, F1: 0.7 },
    { Epoch: 2, "Training Loss": 0.2, F1: 0.81 },
  ];
  const text = formatTable(rows, [{ key: "Epoch" }, { key: "Training Loss", digits: 4 }, { key: "F1", digits: 3 }]);
  assert.equal(
    text,
    [
      "Epoch  Training Loss     F1",
      "-----  -------------  -----",
      "    1         0.5123  0.700",
      "    2         0.2000  0.810",
    ].join("\n"),
  );
  assert.match(tableHtml([{ a: "<b>" }]), /<td[^>]*>&lt;b&gt;<\/td>/);
  assert.equal(formatTable([]), "\n");
});

test("display sinks: bundles, text fallback and live updates", () => {
  const sent = capture(() => {
    showTable([{ x: 1 }], undefined, "cap");
    const live = new LiveDisplay();
    live.show({ "text/plain": "a" });
    live.show({ "text/plain": "b" });
  });
  assert.equal(sent.length, 3);
  assert.match(sent[0].bundle["text/html"] as string, /<caption[^>]*>cap<\/caption>/);
  assert.equal(sent[0].bundle["text/plain"], "cap\nx\n-\n1");
  assert.equal(sent[0].update, false);
  assert.deepEqual([sent[1].update, sent[2].update], [false, true]);
  assert.equal(sent[1].displayId, sent[2].displayId);
  assert.equal(plainText({ "text/markdown": "# hi" }), "# hi");
  assert.equal(plainText({ "image/png": "x" }), "[image/png]");
});

test("displayBundle outside a kernel prints the text form", () => {
  const lines: string[] = [];
  const orig = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    displayBundle({ "text/html": "<b>x</b>", "text/plain": "x" });
  } finally {
    console.log = orig;
  }
  assert.deepEqual(lines, ["x"]);
});

test("profiles: full keeps the tutorial's settings, smoke shrinks model and data", () => {
  for (const id of TUTORIAL_IDS) {
    const full = notebookSettings(id, "full");
    const smoke = notebookSettings(id, "smoke");
    assert.equal(full.randomInit, false);
    assert.deepEqual(full.subset, {});
    assert.equal(smoke.randomInit, true);
    // About 144 batch-16 updates' worth of sentences within the tutorial's epochs, whatever their number.
    assert.equal((smoke.subset.train! * smoke.training.numTrainEpochs) / 16, 144);
    assert.ok(smoke.training.perDeviceTrainBatchSize >= 16, "the random smoke model stalls at batch 8");
    assert.equal(smoke.subset.validation, 64);
    assert.equal(smoke.smokeModel!.dropout, 0);
    assert.ok(smoke.training.learningRate > full.training.learningRate);
    assert.equal(smoke.training.numTrainEpochs, full.training.numTrainEpochs);
    assert.equal(smoke.labelAllTokens, full.labelAllTokens);
  }
  assert.throws(() => notebookSettings("nope" as never, "full"), /unknown tutorial "nope"/);
  const rows = settingsRows(notebookSettings("conll2003_distilbert", "smoke"));
  assert.equal(rows.find((r) => r.setting === "profile")!.value, "smoke");
  assert.match(rows.find((r) => r.setting === "model")!.value, /random init/);
});

test("full profile = the tutorials' settings (issue #12's table), HF defaults where they set none", () => {
  const pick = (id: (typeof TUTORIAL_IDS)[number]) => notebookSettings(id, "full");
  const keys = [
    "perDeviceTrainBatchSize",
    "learningRate",
    "numTrainEpochs",
    "weightDecay",
    "evalStrategy",
    "saveStrategy",
    "saveSteps",
    "loggingSteps",
    "loadBestModelAtEnd",
    "metricForBestModel",
  ] as const;
  const training = (id: (typeof TUTORIAL_IDS)[number]) =>
    Object.fromEntries(keys.map((k) => [k, pick(id).training[k]]));
  // 01: batch 8 is HF's default (the tutorial sets none); evaluation and saving every epoch.
  assert.deepEqual(training("mit_restaurant"), {
    perDeviceTrainBatchSize: 8,
    learningRate: 2e-5,
    numTrainEpochs: 3,
    weightDecay: 0.01,
    evalStrategy: "epoch",
    saveStrategy: "epoch",
    saveSteps: 500,
    loggingSteps: 500,
    loadBestModelAtEnd: false,
    metricForBestModel: "loss",
  });
  assert.equal(pick("mit_restaurant").trainingSources.perDeviceTrainBatchSize, "HF default");
  assert.equal(pick("mit_restaurant").pipelineAggregation, "simple");
  // 02: batch 16, logging every 100 steps, metric_for_best_model="f1" (which selects nothing without
  // load_best_model_at_end); checkpoints every 500 steps (HF's default); per-epoch evaluation is ours.
  assert.deepEqual(training("conll2003_distilbert"), {
    perDeviceTrainBatchSize: 16,
    learningRate: 2e-5,
    numTrainEpochs: 3,
    weightDecay: 0.01,
    evalStrategy: "epoch",
    saveStrategy: "steps",
    saveSteps: 500,
    loggingSteps: 100,
    loadBestModelAtEnd: false,
    metricForBestModel: "f1",
  });
  assert.equal(pick("conll2003_distilbert").trainingSources.evalStrategy, "ours");
  assert.deepEqual(
    [pick("conll2003_distilbert").trainingSources.saveStrategy, pick("conll2003_distilbert").trainingSources.saveSteps],
    ["HF default", "HF default"],
  );
  // 03: labels on all sub-words (is_all_labels=True), per-token pipeline output.
  assert.equal(pick("conll2003_bert_cased").labelAllTokens, true);
  assert.equal(pick("conll2003_bert_cased").model, "bert-base-cased");
  assert.equal(pick("conll2003_bert_cased").pipelineAggregation, "none");
  assert.deepEqual(
    [training("conll2003_bert_cased").saveStrategy, training("conll2003_bert_cased").saveSteps],
    ["steps", 500],
  );
  assert.equal(pick("conll2003_bert_cased").trainingSources.saveStrategy, "HF default");
  // 04: batch 16, 2 epochs, logging every len(train) // 16 = 20000 // 16 steps; lr and decay are HF's defaults.
  assert.deepEqual(
    [
      training("wikiann").perDeviceTrainBatchSize,
      training("wikiann").numTrainEpochs,
      training("wikiann").loggingSteps,
      training("wikiann").learningRate,
      training("wikiann").weightDecay,
    ],
    [16, 2, 1250, 5e-5, 0],
  );
  // The capture lost 04's TrainingArguments: HF's defaults stand in, marked "lost"; per-epoch evaluation is ours.
  assert.deepEqual(
    [pick("wikiann").trainingSources.learningRate, pick("wikiann").trainingSources.weightDecay],
    ["lost", "lost"],
  );
  assert.deepEqual(
    [
      training("wikiann").saveStrategy,
      pick("wikiann").trainingSources.saveStrategy,
      pick("wikiann").trainingSources.evalStrategy,
    ],
    ["steps", "lost", "ours"],
  );
  // 05: the guide's arguments; best model by eval loss (HF's default metric); evaluation on test.
  assert.deepEqual(training("wnut17"), {
    perDeviceTrainBatchSize: 16,
    learningRate: 2e-5,
    numTrainEpochs: 2,
    weightDecay: 0.01,
    evalStrategy: "epoch",
    saveStrategy: "epoch",
    saveSteps: 500,
    loggingSteps: 500,
    loadBestModelAtEnd: true,
    metricForBestModel: "loss",
  });
  assert.equal(pick("wnut17").evalSplit, "test");
  assert.equal(pick("wnut17").pipelineAggregation, "none");
  assert.equal(pick("wnut17").tutorialResult, null, "the guide prints no score");
  const rows = Object.fromEntries(settingsRows(pick("mit_restaurant")).map((r) => [r.setting, r.value]));
  assert.equal(rows["batch size (train / eval)"], "8 / 8 (HF default; the tutorial sets none)");
  const wikiannRows = Object.fromEntries(settingsRows(pick("wikiann")).map((r) => [r.setting, r.value]));
  assert.equal(wikiannRows["learning rate"], "0.00005 (HF default; the capture lost the tutorial's TrainingArguments)");
  assert.equal(
    wikiannRows["checkpoints"],
    "every 500 steps (HF default; the capture lost the tutorial's TrainingArguments)",
  );
  assert.equal(
    Object.fromEntries(settingsRows(pick("conll2003_bert_cased")).map((r) => [r.setting, r.value]))["checkpoints"],
    "every 500 steps (HF default; the tutorial sets none)",
  );
  assert.equal(
    Object.fromEntries(settingsRows(pick("wnut17")).map((r) => [r.setting, r.value]))["checkpoints"],
    "every epoch",
  );
  assert.equal(
    Object.fromEntries(settingsRows(pick("conll2003_distilbert")).map((r) => [r.setting, r.value]))["evaluation"],
    "every epoch on validation (our addition)",
  );
});

test("profile follows NER_PROFILE and rejects bad values", () => {
  const prev = process.env.NER_PROFILE;
  try {
    process.env.NER_PROFILE = "smoke";
    assert.equal(notebookSettings("wnut17").profile, "smoke");
    delete process.env.NER_PROFILE;
    assert.equal(notebookSettings("wnut17").profile, "full");
    process.env.NER_PROFILE = "fast";
    assert.throws(() => notebookSettings("wnut17"), /NER_PROFILE must be/);
  } finally {
    if (prev === undefined) delete process.env.NER_PROFILE;
    else process.env.NER_PROFILE = prev;
  }
});

test("scaleDownHfConfig shrinks the real distilbert and bert configs, keeping the vocabulary", () => {
  const size = { hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64 };
  const d = readModelConfig("distilbert-base-uncased");
  const ds = scaleDownHfConfig(d, size);
  assert.deepEqual([ds.dim, ds.n_layers, ds.n_heads, ds.hidden_dim, ds.vocab_size], [32, 2, 2, 64, 30522]);
  const b = readModelConfig("bert-base-cased");
  const bs = scaleDownHfConfig(b, size);
  assert.deepEqual(
    [bs.hidden_size, bs.num_hidden_layers, bs.num_attention_heads, bs.intermediate_size, bs.vocab_size],
    [32, 2, 2, 64, 28996],
  );
  assert.equal(b.hidden_size, 768, "input left untouched");
  assert.equal(bs.hidden_dropout_prob, 0.1, "dropout kept unless asked");
  const noDrop = scaleDownHfConfig(b, { ...size, dropout: 0 });
  assert.deepEqual([noDrop.hidden_dropout_prob, noDrop.attention_probs_dropout_prob], [0, 0]);
  const dNoDrop = scaleDownHfConfig(d, { ...size, dropout: 0 });
  assert.deepEqual([dNoDrop.dropout, dNoDrop.attention_dropout], [0, 0]);
  assert.throws(() => scaleDownHfConfig({ model_type: "gpt2" }, size), /cannot scale down model_type "gpt2"/);
  assert.throws(() => scaleDownHfConfig(d, { ...size, numHeads: 3 }), /not a multiple/);
});

test("run card: fields, markdown and display", () => {
  let now = 1000;
  const timer = new PhaseTimer(() => now);
  now += 1500;
  timer.mark("data");
  now += 2500;
  timer.mark("train");
  assert.deepEqual(timer.phases, [
    { phase: "data", seconds: 1.5 },
    { phase: "train", seconds: 2.5 },
  ]);
  const info = {
    settings: notebookSettings("mit_restaurant", "smoke"),
    backend: "wasm",
    splitSizes: { train: 128, test: 64 },
    metrics: { f1: 0.123456, accuracy: 0.5 },
    metricsSplit: "validation",
    timer,
    extra: { "saved to": "out/x" },
  };
  const fields = Object.fromEntries(runCardFields(info));
  assert.equal(fields["metrics (validation)"], "f1 0.1235, accuracy 0.5000");
  assert.equal(fields["wall time"], "4.0s (data 1.5s, train 2.5s)");
  assert.match(fields["tutorial reported"], /F1 0.79, accuracy 0.92 \(not comparable: smoke profile\)/);
  assert.equal(fields["saved to"], "out/x");
  assert.match(runCardMarkdown(info), /^### Run card\n\n\| \| \|\n\|---\|---\|\n\| notebook \|/);
  const sent = capture(() => showRunCard(info));
  assert.equal(sent.length, 1);
  assert.ok("text/markdown" in sent[0].bundle && "text/html" in sent[0].bundle);
});

test(
  'HF\'s TrainingArguments defaults: save_strategy="steps", save_steps=500 (the library and the ' + "profiles agree)",
  () => {
    assert.equal(DEFAULT_TRAINING_ARGUMENTS.saveStrategy, "steps");
    assert.equal(DEFAULT_TRAINING_ARGUMENTS.saveSteps, 500);
    // A notebook whose tutorial sets no save_strategy gets the library's default.
    const t = notebookSettings("conll2003_bert_cased", "full").training;
    assert.deepEqual(
      [t.saveStrategy, t.saveSteps],
      [DEFAULT_TRAINING_ARGUMENTS.saveStrategy, DEFAULT_TRAINING_ARGUMENTS.saveSteps],
    );
  },
);

test("trainingArgsRows: the value in use next to the tutorial's, with where the tutorial's comes from", () => {
  assert.deepEqual(
    [pythonValue(2e-5), pythonValue(0.005), pythonValue(0), pythonValue("epoch"), pythonValue(true), pythonValue(500)],
    ["2e-5", "0.005", "0", '"epoch"', "True", "500"],
  );
  const smoke = notebookSettings("wikiann", "smoke");
  const t = smoke.training;
  const rows = trainingArgsRows(smoke, {
    outputDir: "out/x",
    learningRate: t.learningRate,
    perDeviceTrainBatchSize: t.perDeviceTrainBatchSize,
    evalStrategy: t.evalStrategy,
    saveStrategy: t.saveStrategy,
    loggingSteps: t.loggingSteps,
    progress: "notebook",
  });
  assert.deepEqual(rows, [
    { argument: "learning_rate", "in use": "0.005", tutorial: "5e-5 (HF default; capture lost)" },
    { argument: "per_device_train_batch_size", "in use": "16", tutorial: "16" },
    { argument: "eval_strategy", "in use": '"epoch"', tutorial: '"epoch" (ours)' },
    { argument: "save_strategy", "in use": '"steps"', tutorial: '"steps" (HF default; capture lost)' },
    { argument: "logging_steps", "in use": "4", tutorial: "1250" },
  ]);
  const mit = trainingArgsRows(notebookSettings("mit_restaurant", "full"), {
    perDeviceTrainBatchSize: 8,
    saveStrategy: "epoch",
  });
  assert.deepEqual(mit, [
    { argument: "per_device_train_batch_size", "in use": "8", tutorial: "8 (HF default)" },
    { argument: "save_strategy", "in use": '"epoch"', tutorial: '"epoch"' },
  ]);
});
