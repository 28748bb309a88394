/**
 * `ner align`: tokenize JSON-lines sentences and align their tags to sub-word tokens.
 *
 *   ner align --tokenizer <dir|hub name> --input in.jsonl [--labels L|--corpus C]
 *             [--label-all-tokens [--b-to-i]] [--max-length N] [--strategy per-word|joined]
 *             [--output out.jsonl] [--json]
 *
 * Input lines: {"tokens": [...], "tags": [...]} (also accepted: "ner_tags"), tags as strings
 * or as ids. Output (--json): one line per sentence {"input_ids", "attention_mask", "word_ids",
 * "labels"} with labels as ids in the label order, -100 where ignored.
 */
import type { Command } from "commander";
import { MODEL_ENV, helpAfter } from "../help";
import * as path from "path";
import { writeFileAtomic } from "../../util/atomic";
import { checkWritableOutput } from "../../util/files";
import { labelsFromOption } from "../../data/labels";

interface AlignCliOptions {
  tokenizer: string;
  input: string;
  labels?: string;
  corpus?: string;
  labelAllTokens?: boolean;
  bToI?: boolean;
  maxLength?: string;
  strategy?: string;
  output?: string;
  json?: boolean;
}

/** The input rows with label ids, the label list (if known) and the scheme warning (if any). */
interface AlignInput {
  rows: { line: number; tokens: string[]; ids: number[] }[];
  labelList?: string[];
  warning: string | null;
}

/**
 * Read the JSONL input through the one validated reader (src/data/jsonl.ts). String tags become
 * ids through the label list (given, or built from the tags by the one rule); id tags are kept as
 * they are when no label list is given.
 */
export function readAlignInput(file: string, labelList: string[] | undefined): AlignInput {
  const data = require("../../data/index") as typeof import("../../data");
  const records = data.readJsonlRecords(file);
  const allIds = records.every((r) => r.tags.length === 0 || typeof r.tags[0] === "number");
  if (allIds && !labelList) {
    return { rows: records.map((r) => ({ line: r.line, tokens: r.tokens, ids: r.tags as number[] })), warning: null };
  }
  const read = data.readJsonl(file, { labels: labelList });
  const labels = labelList ?? data.labelListFromTags(read.sentences.flatMap((s) => s.tags));
  if (!labelList)
    process.stderr.write(
      `labels (O, then B-/I- per type in code-point order; pass --labels or --corpus to fix the ` +
        `order): ${labels.join(",")}\n`,
    );
  const index = new Map(labels.map((l, i) => [l, i]));
  const rows = read.sentences.map((s, i) => ({
    line: records[i].line,
    tokens: s.tokens,
    ids: s.tags.map((t) => index.get(t)!),
  }));
  return { rows, labelList: labels, warning: data.schemeWarning(file, read) };
}

async function alignAction(opts: AlignCliOptions): Promise<void> {
  const { NerTokenizer } = require("../../tokenization/index") as typeof import("../../tokenization");
  const alignment = require("../../alignment/index") as typeof import("../../alignment");

  // Flag checks first: they fail before any file is read.
  const maxLength = opts.maxLength === undefined ? undefined : Number(opts.maxLength);
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength >= 2)) {
    throw new Error(`--max-length must be an integer >= 2, got ${JSON.stringify(opts.maxLength)}`);
  }
  const strategy = opts.strategy ?? "per-word";
  if (strategy !== "per-word" && strategy !== "joined")
    throw new Error(`--strategy must be per-word or joined, got ${JSON.stringify(strategy)}`);
  if (opts.labels && opts.corpus) throw new Error("give either --labels or --corpus, not both");
  if (opts.bToI && !opts.labelAllTokens) throw new Error("--b-to-i only applies with --label-all-tokens");
  if (opts.output) checkWritableOutput(opts.output, "--output", "file");
  const file = opts.input;
  let labelList: string[] | undefined;
  if (opts.labels) labelList = labelsFromOption(opts.labels);
  if (opts.corpus) {
    const data = require("../../data/index") as { getCorpus(name: string): { labelList?: readonly string[] } };
    const spec = data.getCorpus(opts.corpus);
    if (!spec.labelList) throw new Error(`corpus ${opts.corpus} has no fixed label list; pass --labels`);
    labelList = [...spec.labelList];
  }
  const input = readAlignInput(file, labelList);
  const rows = input.rows;
  labelList = input.labelList;
  if (input.warning) process.stderr.write(input.warning + "\n");
  if (opts.bToI && !labelList) throw new Error("--b-to-i needs label names (--labels or --corpus)");

  const tokenizer = await NerTokenizer.fromPretrained(opts.tokenizer);
  const data = rows.map((r) => ({ tokens: r.tokens, ner_tags: r.ids }));
  const feats = await alignment.tokenizeAndAlignLabels(tokenizer, data, {
    labelAllTokens: opts.labelAllTokens,
    bToI: opts.bToI ? true : undefined,
    labelList,
    maxLength,
    strategy,
  });
  const summary = alignment.summarizeAlignment(feats, data);

  let out: string;
  if (opts.json) {
    out = feats
      .map(
        (f) =>
          JSON.stringify({
            input_ids: f.inputIds,
            attention_mask: f.attentionMask,
            word_ids: f.wordIds,
            labels: f.labels,
          }) + "\n",
      )
      .join("");
  } else {
    const lines: string[] = [];
    feats.forEach((f, i) => {
      const tokens = tokenizer.convertIdsToTokens(f.inputIds);
      const shown = f.labels.map((l) => (l === alignment.IGNORE_INDEX ? "-100" : labelList ? labelList[l] : String(l)));
      const width = tokens.map((t, k) => Math.max(t.length, shown[k].length));
      lines.push(`# ${file}:${rows[i].line}`);
      lines.push(tokens.map((t, k) => t.padEnd(width[k])).join(" "));
      lines.push(shown.map((s, k) => s.padEnd(width[k])).join(" "));
      lines.push("");
    });
    out = lines.join("\n") + "\n";
  }
  if (opts.output) {
    writeFileAtomic(path.resolve(opts.output), out);
  } else {
    process.stdout.write(out);
  }
  const notice = alignment.alignmentNotice(summary, file, { maxLength, where: (i) => `${file}:${rows[i].line}` });
  process.stderr.write(`${feats.length} sentences aligned\n${notice ? notice + "\n" : ""}`);
}

export function register(program: Command): void {
  program
    .command("align")
    .description("tokenize JSON-lines sentences and align word tags to sub-word tokens (HF tokenize_and_align_labels)")
    .requiredOption("--tokenizer <dir|name>", "tokenizer directory or Hub name (e.g. bert-base-cased)")
    .requiredOption("--input <file.jsonl>", 'lines of {"tokens": [...], "tags": [...]} (tags: strings or ids)')
    .option(
      "--labels <list|file>",
      "label order: comma-separated, or a file: JSON array, id2label object (a config.json works), " +
        "or one label per line",
    )
    .option("--corpus <name>", "use a registered corpus's label order (conll2003, wnut17, wikiann_en, mit_restaurant)")
    .option("--label-all-tokens", "label every sub-token, not just the first")
    .option("--b-to-i", "with --label-all-tokens, give later sub-tokens of B-X the I-X label (run_ner.py)")
    .option("--max-length <n>", "truncate to n tokens (default: model_max_length, 512)")
    .option("--strategy <s>", "is_split_into_words strategy: per-word (exact, default) or joined")
    .option("--output <file>", "write there (atomically) instead of stdout")
    .option(
      "--json",
      'JSON lines {"input_ids", "attention_mask", "word_ids", "labels"} (default: a readable token/label table)',
    )
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner align --tokenizer bert-base-cased --input sentences.jsonl --corpus conll2003 --json",
          "ner align --tokenizer distilbert-base-uncased --input mit.jsonl --labels labels.txt --label-all-tokens",
        ],
        MODEL_ENV.filter((v) => v !== "NER_BACKEND"),
      ),
    )
    .action(alignAction);
}
