import { test } from "node:test";
import assert from "node:assert/strict";
import * as ner from "../src/index";

test("the public entry exposes the everyday API and every module namespace", () => {
  for (const name of [
    "loadCorpus",
    "NerTokenizer",
    "tokenizeAndAlignLabels",
    "DataCollatorForTokenClassification",
    "initBackend",
    "AutoModelForTokenClassification",
    "Trainer",
    "AdamW",
    "computeMetrics",
    "classificationReport",
    "pipeline",
    "renderEntitiesHtml",
    "resolveModelFile",
  ] as const) {
    assert.equal(typeof ner[name], "function", name);
  }
  for (const ns of [
    "data",
    "tokenization",
    "alignment",
    "collator",
    "backend",
    "models",
    "training",
    "seqeval",
    "pipelines",
    "viz",
    "charts",
    "explore",
    "hub",
    "env",
  ] as const) {
    assert.equal(typeof ner[ns], "object", ns);
  }
  assert.equal(ner.f1Score([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]]), 1);
});
