/**
 * Parity with Hugging Face transformers on tricky inputs: punctuation runs, accents (composed and
 * combining, uncased accent stripping), emoji (ZWJ sequences, U+FE0F, flags), CJK, characters
 * outside the vocabulary ([UNK]), adjacent same-type entities, hyphens/apostrophes, odd
 * whitespace, empty input, and a text longer than model_max_length with and without `stride`.
 * Goldens: tests/pipeline/fixtures/hf-tricky-goldens.json, made by scripts/make-pipeline-goldens.py
 * from the tiny fixture checkpoints (random weights) with real transformers + torch. Python's
 * start/end are code-point indices; ours are UTF-16, so the expected ones are converted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../../src/backend";
import { pipeline } from "../../src/pipeline";
import type { AggregationStrategy, PipelineEntity } from "../../src/pipeline";
import { fixturePath } from "../helpers/fixtures";
import { codePointToUtf16 } from "./helpers";

type Outcome = { entities: Record<string, unknown>[] } | { error: string; message: string };
type PerStrategy = Record<AggregationStrategy, Outcome>;
interface ModelGoldens {
  cases: { text: string; outputs: PerStrategy; outputs_no_ignore: PerStrategy }[];
  long: { text: string; outputs: PerStrategy; stride: Record<AggregationStrategy, Record<string, Outcome>> };
}
interface Goldens {
  strategies: AggregationStrategy[];
  models: Record<"tiny-bert" | "tiny-distilbert", ModelGoldens>;
}

const goldens = JSON.parse(readFileSync(join(__dirname, "fixtures", "hf-tricky-goldens.json"), "utf8")) as Goldens;

/** Differences between our entities and HF's (empty = parity). */
function compare(text: string, actual: PipelineEntity[], expected: Record<string, unknown>[], where: string): string[] {
  const toUtf16 = codePointToUtf16(text);
  const problems: string[] = [];
  if (actual.length !== expected.length)
    problems.push(`${where}: ${actual.length} entities, HF has ${expected.length}`);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i] as unknown as Record<string, unknown>;
    const { score: wantScore, ...wantRest } = expected[i];
    const want: Record<string, unknown> = {
      ...wantRest,
      start: toUtf16[wantRest.start as number],
      end: toUtf16[wantRest.end as number],
    };
    const { score: gotScore, ...got } = a;
    try {
      assert.deepEqual(got, want);
    } catch {
      problems.push(`${where} #${i}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
      continue;
    }
    if (Math.abs((gotScore as number) - (wantScore as number)) > 1e-5) {
      problems.push(`${where} #${i}: score ${String(gotScore)} vs ${String(wantScore)}`);
    }
  }
  return problems;
}

async function check(
  run: () => Promise<PipelineEntity[]>,
  text: string,
  outcome: Outcome,
  where: string,
): Promise<string[]> {
  if ("error" in outcome) {
    try {
      await run();
    } catch {
      return [];
    }
    return [`${where}: HF raised ${outcome.error} (${outcome.message}) but we returned entities`];
  }
  try {
    return compare(text, await run(), outcome.entities, where);
  } catch (err) {
    return [`${where}: we threw ${(err as Error).message}`];
  }
}

for (const name of ["tiny-bert", "tiny-distilbert"] as const) {
  const model = goldens.models[name];

  test(`${name}: tricky texts match transformers for every strategy, with and without ignore_labels`, async () => {
    await initBackend(undefined, { quiet: true });
    const ner = await pipeline("token-classification", { model: fixturePath(name) });
    const problems: string[] = [];
    try {
      for (const [variant, ignoreLabels] of [
        ["outputs", undefined],
        ["outputs_no_ignore", []],
      ] as const) {
        for (const strategy of goldens.strategies) {
          for (const c of model.cases) {
            const where = `${variant} ${strategy} ${JSON.stringify(c.text)}`;
            const opts = ignoreLabels
              ? { aggregationStrategy: strategy, ignoreLabels: [...ignoreLabels] }
              : { aggregationStrategy: strategy };
            problems.push(...(await check(() => ner(c.text, opts), c.text, c[variant][strategy], where)));
          }
        }
      }
    } finally {
      ner.dispose();
    }
    assert.deepEqual(problems, []);
  });

  test(
    `${name}: a text beyond model_max_length matches transformers when truncated; stride with none is ` +
      `refused like HF`,
    async () => {
      await initBackend(undefined, { quiet: true });
      const ner = await pipeline("token-classification", { model: fixturePath(name) });
      const { text, outputs, stride } = model.long;
      const problems: string[] = [];
      try {
        for (const strategy of goldens.strategies) {
          problems.push(
            ...(await check(
              () => ner(text, { aggregationStrategy: strategy }),
              text,
              outputs[strategy],
              `truncated ${strategy}`,
            )),
          );
          // Only HF's refusals are compared for stride: its entities come from tokenizers 0.23.x, whose
          // overflow stops after one short window (huggingface/tokenizers#2091); we keep 0.22's full windows.
          for (const [s, outcome] of Object.entries(stride[strategy])) {
            if (!("error" in outcome)) continue;
            problems.push(
              ...(await check(
                () => ner(text, { aggregationStrategy: strategy, stride: Number(s) }),
                text,
                outcome,
                `stride ${s} ${strategy}`,
              )),
            );
          }
        }
      } finally {
        ner.dispose();
      }
      assert.deepEqual(problems, []);
    },
  );
}
