/**
 * Tokenize + align speed on the whole CoNLL-2003 train split (14041 sentences) against the
 * raw `encodeBatch` of the `tokenizers` binding, and the padding saved by length-grouped batches.
 *
 *   npx tsx bench/tokenize.ts [--model bert-base-cased] [--repeats 3] [--batch-size 16]
 *
 * The corpus is found as any run finds it (NER_DATA_DIR mirror → cache → download) unless --data
 * <conll train.txt> is given; the tokenizer files come from the repository's fixtures
 * (tests/fixtures/models/<model>) unless --model-dir <dir> is given.
 */
import * as path from "path";
import { NerTokenizer } from "../src/tokenization";
import { tokenizeAndAlignLabels, type LabelledWords } from "../src/alignment";
import { lengthGroupedBatches, paddingStats, randomBatches } from "../src/collator";
import { Rng } from "../src/util/random";
import { readCorpusFile, resolveCorpusFile } from "../src/data";

const CONLL = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** CoNLL-2003 sentences with label ids, read by the library's reader (src/data). */
function readConll(file: string): LabelledWords[] {
  return readCorpusFile(file, "conll2003").sentences.map((s) => ({
    tokens: s.tokens,
    ner_tags: s.tags.map((t) => CONLL.indexOf(t)),
  }));
}

async function timeIt(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function main(): Promise<void> {
  const model = arg("model", "bert-base-cased");
  const dataFile = arg("data", "") || (await resolveCorpusFile("conll2003", "train")).path;
  const modelDir = arg("model-dir", path.resolve(__dirname, "..", "tests", "fixtures", "models", model));
  const repeats = Number(arg("repeats", "3"));
  const batchSize = Number(arg("batch-size", "16"));
  const rows = readConll(dataFile);
  const n = rows.length;
  const texts = rows.map((r) => r.tokens.join(" "));
  const words = rows.map((r) => r.tokens);

  const tok = NerTokenizer.fromDirectory(modelDir);
  await tok.backend.encodeBatch(texts.slice(0, 500)); // warm up the binding's thread pool

  const results: [string, number][] = [];
  results.push([
    "binding encodeBatch (joined text, ids only)",
    await timeIt(repeats, () => tok.backend.encodeBatch(texts)),
  ]);
  results.push([
    "binding encodeBatch + read ids/tokens/offsets",
    await timeIt(repeats, async () => {
      const encs = await tok.backend.encodeBatch(texts);
      for (const e of encs) {
        e.getIds();
        e.getTokens();
        e.getOffsets();
      }
    }),
  ]);
  results.push([
    "tokenizeAndAlignLabels per-word, cold cache",
    await timeIt(repeats, () => {
      tok.clearCache();
      return tokenizeAndAlignLabels(tok, rows);
    }),
  ]);
  results.push([
    "tokenizeAndAlignLabels per-word, warm cache",
    await timeIt(repeats, () => tokenizeAndAlignLabels(tok, rows)),
  ]);
  results.push([
    "tokenizeAndAlignLabels joined",
    await timeIt(repeats, () => tokenizeAndAlignLabels(tok, rows, { strategy: "joined" })),
  ]);
  results.push([
    "encodeWordsBatch per-word (no alignment), warm",
    await timeIt(repeats, () => tok.encodeWordsBatch(words)),
  ]);

  const raw = n / results[0][1];
  console.log(`\nCoNLL-2003 train: ${n} sentences, tokenizer ${model}, median of ${repeats}\n`);
  console.log("| what | seconds | sentences/s | × raw encodeBatch |");
  console.log("|---|---:|---:|---:|");
  for (const [name, s] of results) {
    console.log(`| ${name} | ${s.toFixed(3)} | ${Math.round(n / s)} | ${(n / s / raw).toFixed(2)} |`);
  }

  // Padding with dynamic padding to the longest in each batch.
  const feats = await tokenizeAndAlignLabels(tok, rows);
  const lengths = feats.map((f) => f.inputIds.length);
  const rnd = paddingStats(lengths, randomBatches(n, batchSize, new Rng(42)));
  const grp = paddingStats(lengths, lengthGroupedBatches(lengths, batchSize, new Rng(42)));
  const grp8 = paddingStats(lengths, lengthGroupedBatches(lengths, batchSize, new Rng(42)), 8);
  const rnd8 = paddingStats(lengths, randomBatches(n, batchSize, new Rng(42)), 8);
  console.log(`\nPadding on CoNLL-2003 train, batch size ${batchSize}, ${rnd.realTokens} real tokens (seed 42)\n`);
  console.log("| sampler | padded positions | padding fraction | positions computed |");
  console.log("|---|---:|---:|---:|");
  for (const [name, s] of [
    ["random (default)", rnd],
    ["length-grouped", grp],
    ["random, pad to multiple of 8", rnd8],
    ["length-grouped, pad to multiple of 8", grp8],
  ] as const) {
    console.log(
      `| ${name} | ${s.paddedTokens} | ${(100 * s.paddingFraction).toFixed(1)}% | ${s.realTokens + s.paddedTokens} |`,
    );
  }
  const saved = 1 - (grp.realTokens + grp.paddedTokens) / (rnd.realTokens + rnd.paddedTokens);
  console.log(`\nlength grouping computes ${(100 * saved).toFixed(1)}% fewer token positions than random batches`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
