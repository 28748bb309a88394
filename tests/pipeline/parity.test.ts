/**
 * Parity with Python transformers 4.57.6: pipeline("token-classification") outputs of the tiny
 * fixture checkpoints for all five aggregation strategies (tests/fixtures/<model>/golden.json,
 * key "pipeline"). Entities must match exactly (labels, words, offsets, index), scores within 1e-5.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { pipeline } from "../../src/pipeline";
import type { AggregationStrategy, PipelineEntity } from "../../src/pipeline";
import { fixturePath, readFixtureJson } from "../helpers/fixtures";

interface GoldenPipeline {
  texts: string[];
  outputs: Record<AggregationStrategy, Record<string, unknown>[][]>;
}

const STRATEGIES: AggregationStrategy[] = ["none", "simple", "first", "average", "max"];

function assertSameEntities(actual: PipelineEntity[], expected: Record<string, unknown>[], where: string): void {
  const strip = (e: Record<string, unknown>) => {
    const { score: _score, ...rest } = e;
    return rest;
  };
  assert.deepEqual(
    actual.map((e) => strip(e as unknown as Record<string, unknown>)),
    expected.map(strip),
    where,
  );
  actual.forEach((e, i) => {
    const want = expected[i].score as number;
    assert.ok(Math.abs(e.score - want) <= 1e-5, `${where} entity ${i}: score ${e.score} vs ${want}`);
  });
}

for (const name of ["tiny-distilbert", "tiny-bert"]) {
  test(`${name}: pipeline outputs equal transformers' for all five strategies`, async () => {
    await initBackend(undefined, { quiet: true });
    const golden = readFixtureJson<{ pipeline: GoldenPipeline }>(name, "golden.json").pipeline;
    const ner = await pipeline("token-classification", { model: fixturePath(name) });
    const before = tf.memory().numTensors;
    try {
      for (const strategy of STRATEGIES) {
        const batch = (await ner(golden.texts, { aggregationStrategy: strategy })) as PipelineEntity[][];
        assert.equal(batch.length, golden.texts.length);
        batch.forEach((entities, i) =>
          assertSameEntities(entities, golden.outputs[strategy][i], `${strategy} text ${i}`),
        );
      }
      // a single string gives a flat list, the same as its batch entry
      const single = await ner(golden.texts[1], { aggregationStrategy: "simple" });
      assertSameEntities(single, golden.outputs.simple[1], "single simple");
      assert.equal(tf.memory().numTensors, before, "no tensors leak from pipeline calls");
    } finally {
      ner.dispose();
    }
  });
}
