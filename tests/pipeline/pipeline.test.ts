/**
 * The full pipeline on the tiny fixture checkpoints with inputs beyond the golden texts:
 * punctuation, accents, emoji, out-of-vocabulary characters, long texts with stride windows,
 * option checks and tensor disposal.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend";
import { pipeline, type GroupedEntity, type TokenEntity, type PipelineTokenizer } from "../../src/pipeline";
import { fixturePath } from "../helpers/fixtures";

const TRICKY = [
  "Zürich, São Paulo & Köln — “quoted” names!!",
  "I ❤️ New York 😀😀 but not L.A.?!",
  "Ünïcödé ÀÉÎÕÜ … ½ ™ 東京 Москва",
  "John Smith and Mary Jones met Bob Brown in Paris , London and Berlin .",
  "",
];

for (const name of ["tiny-bert", "tiny-distilbert"] as const) {
  test(`${name}: token outputs on tricky text are consistent with the input string`, async () => {
    await initBackend(undefined, { quiet: true });
    const ner = await pipeline("ner", { model: fixturePath(name), ignoreLabels: [] });
    try {
      const all = (await ner(TRICKY)) as TokenEntity[][];
      TRICKY.forEach((text, t) => {
        const tokens = all[t];
        let lastIndex = 0;
        for (const tok of tokens) {
          assert.ok(tok.index > lastIndex, "indices increase and skip [CLS]");
          lastIndex = tok.index;
          assert.ok(
            0 <= tok.start && tok.start < tok.end && tok.end <= text.length,
            `${tok.start}-${tok.end} inside text ${t}`,
          );
          const slice = text.slice(tok.start, tok.end);
          assert.ok(
            !/^[\uDC00-\uDFFF]/.test(slice) && !/[\uD800-\uDBFF]$/.test(slice),
            "UTF-16 offsets never split a surrogate pair",
          );
          if (tok.word !== "[UNK]" && name === "tiny-bert") {
            // cased vocabulary: a known token is its text slice (plus ## for a continuation), an unknown one the slice
            // itself
            assert.equal(tok.word.replace(/^##/, ""), slice);
          }
          if (name === "tiny-distilbert") {
            // uncased: accents stripped, offsets still into the original text
            assert.equal(
              tok.word.replace(/^##/, ""),
              slice
                .toLowerCase()
                .normalize("NFD")
                .replace(/\p{Mn}/gu, ""),
            );
          }
          assert.ok(tok.score > 0 && tok.score <= 1);
        }
      });
      assert.deepEqual(all[TRICKY.length - 1], [], "empty text gives no entities");
      // grouped strategies: ordered, non-overlapping spans inside the text, words are never "[UNK]" for unknown text
      for (const strategy of ["simple", "first", "average", "max"] as const) {
        const groups = (await ner(TRICKY, { aggregationStrategy: strategy })) as GroupedEntity[][];
        groups.forEach((entities, t) => {
          let cursor = 0;
          for (const g of entities) {
            assert.ok(g.start >= cursor && g.end > g.start && g.end <= TRICKY[t].length);
            cursor = g.end;
            assert.ok(!g.word.includes("[UNK]"));
          }
        });
      }
    } finally {
      ner.dispose();
    }
  });
}

test(
  "unknown characters keep their original text as the word (cased " + "vocabulary without accents or emoji)",
  async () => {
    await initBackend(undefined, { quiet: true });
    const ner = await pipeline("ner", { model: fixturePath("tiny-bert"), ignoreLabels: [] });
    try {
      const text = "Café 😀 Zürich";
      const tokens = (await ner(text)) as TokenEntity[];
      assert.deepEqual(
        tokens.map((t) => [t.word, t.start, t.end, t.index]),
        [
          ["Café", 0, 4, 1],
          ["😀", 5, 7, 2],
          ["Zürich", 8, 14, 3],
        ],
      );
      const words = (await ner(text, { aggregationStrategy: "first" })) as GroupedEntity[];
      assert.equal(words.map((w) => w.word).join(" "), "Café 😀 Zürich");
    } finally {
      ner.dispose();
    }
  },
);

test("stride: long texts are covered by overlapping windows and merged without overlaps", async () => {
  await initBackend(undefined, { quiet: true });
  const ner = await pipeline("ner", { model: fixturePath("tiny-bert"), ignoreLabels: [] });
  try {
    // A tokenizer view with a short model_max_length, so a sentence needs several windows.
    const short: PipelineTokenizer = Object.create(ner.tokenizer, { modelMaxLength: { value: 12 } });
    const small = await pipeline("ner", {
      model: ner.model,
      tokenizer: short,
      aggregationStrategy: "first",
      ignoreLabels: [],
    });
    const text =
      "China controlled most of the match and saw several chances missed until the 78th minute when " +
      "Uzbek striker Igor Shkvyrin took advantage .";
    const truncated = (await small(text)) as GroupedEntity[];
    const windowed = (await small(text, { stride: 4 })) as GroupedEntity[];
    assert.ok(truncated[truncated.length - 1].end < 60, "without stride the text is truncated to 10 tokens");
    assert.equal(windowed[windowed.length - 1].end, text.length, "with stride the last window reaches the end");
    for (let i = 1; i < windowed.length; i++)
      assert.ok(windowed[i].start >= windowed[i - 1].end, "merged entities do not overlap");
    // every merged entity is a span of the text, in order; overlapping duplicates from the windows are gone
    const spans = windowed.map((g) => `${g.start}-${g.end}`);
    assert.equal(new Set(spans).size, spans.length);
    // a text that fits in one window is unaffected by stride
    const fits = "Igor Shkvyrin took it";
    assert.deepEqual(await small(fits, { stride: 4 }), await small(fits));
    // option checks (HF's messages)
    await assert.rejects(
      () => small(text, { stride: 4, aggregationStrategy: "none" }),
      /stride.*aggregationStrategy="none"/,
    );
    await assert.rejects(() => small(text, { stride: 12 }), /must be less than `tokenizer.modelMaxLength`/);
    await assert.rejects(() => small(text, { stride: 10 }), /stride must be an integer in \[0, 10\)/);
    small.dispose();
    // the model passed to `small` is not disposed with it
    assert.ok((await ner("Igor")).length > 0);
  } finally {
    ner.dispose();
  }
});

test("argument checks, and dispose frees the weights of a model the pipeline loaded", async () => {
  await initBackend(undefined, { quiet: true });
  const base = tf.memory().numTensors;
  const ner = await pipeline("token-classification", {
    model: fixturePath("tiny-distilbert"),
    aggregationStrategy: "simple",
  });
  assert.ok(tf.memory().numTensors > base);
  assert.equal(ner.options.aggregationStrategy, "simple");
  assert.deepEqual(ner.options.ignoreLabels, ["O"]);
  await assert.rejects(() => ner([]), /At least one input is required/);
  await assert.rejects(
    () => ner("x", { aggregationStrategy: "longest" as never }),
    /Unknown aggregation strategy "longest"/,
  );
  await assert.rejects(() => ner("x", { batchSize: 0 }), /batchSize/);
  const weights = (ner.model as unknown as { namedWeights(): Map<string, unknown> }).namedWeights().size;
  const during = tf.memory().numTensors;
  await ner(["a b c", "New York is big"], { batchSize: 1 });
  assert.equal(tf.memory().numTensors, during, "calls leave no tensors behind");
  ner.dispose();
  assert.ok(during - tf.memory().numTensors >= weights, "dispose releases the loaded weights");
  await assert.rejects(() => pipeline("summarization" as never, { model: "x" }), /Unsupported task/);
});
