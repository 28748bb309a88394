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
import { DATA_ENV, MODEL_ENV, helpAfter } from "../help";
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../../util/atomic";

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

interface InputRow {
  line: number;
  tokens: string[];
  tags: (string | number)[];
}

/** Read and validate the JSONL input; errors name the file and line. */
export function readAlignInput(file: string): InputRow[] {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const rows: InputRow[] = [];
  fs.readFileSync(file, "utf8").split("\n").forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === "") return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file}:${line}: invalid JSON (${(err as Error).message})`);
    }
    const o = obj as { tokens?: unknown; tags?: unknown; ner_tags?: unknown };
    const tags = o.tags ?? o.ner_tags;
    if (!Array.isArray(o.tokens) || !o.tokens.every((t) => typeof t === "string")) {
      throw new Error(`${file}:${line}: "tokens" must be an array of strings`);
    }
    if (!Array.isArray(tags) || !(tags.every((t) => typeof t === "string") || tags.every((t) => Number.isInteger(t)))) {
      throw new Error(`${file}:${line}: "tags" must be an array of strings or of integer ids`);
    }
    if (tags.length !== o.tokens.length) {
      throw new Error(`${file}:${line}: ${o.tokens.length} tokens but ${tags.length} tags`);
    }
    rows.push({ line, tokens: o.tokens as string[], tags: tags as (string | number)[] });
  });
  return rows;
}

/** --labels: a comma-separated list, a JSON array file, or a file with one label per line. */
export function parseLabelsOption(value: string): string[] {
  if (fs.existsSync(value) && fs.statSync(value).isFile()) {
    const text = fs.readFileSync(value, "utf8").trim();
    if (text.startsWith("[")) {
      const arr = JSON.parse(text) as unknown;
      if (!Array.isArray(arr) || !arr.every((l) => typeof l === "string")) throw new Error(`${value}: expected a JSON array of label strings`);
      return arr as string[];
    }
    return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
  }
  return value.split(",").map((l) => l.trim()).filter((l) => l !== "");
}

/** Label ids of every row, checked against the label list. */
function toIds(rows: InputRow[], labelList: string[] | undefined, file: string): number[][] {
  const index = new Map((labelList ?? []).map((l, i) => [l, i]));
  return rows.map((r) =>
    r.tags.map((t, w) => {
      if (typeof t === "number") {
        if (labelList && (t < 0 || t >= labelList.length)) {
          throw new Error(`${file}:${r.line}: tag id ${t} (word ${w}) is outside the ${labelList.length} labels`);
        }
        return t;
      }
      const id = index.get(t);
      if (id === undefined) throw new Error(`${file}:${r.line}: unknown tag ${JSON.stringify(t)} (word ${w}); labels: ${(labelList ?? []).join(", ")}`);
      return id;
    }),
  );
}

async function alignAction(opts: AlignCliOptions): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { NerTokenizer } = require("../../tokenization/index") as typeof import("../../tokenization");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const alignment = require("../../alignment/index") as typeof import("../../alignment");

  // Flag checks first: they fail before any file is read.
  const maxLength = opts.maxLength === undefined ? undefined : Number(opts.maxLength);
  if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength >= 2)) {
    throw new Error(`--max-length must be an integer >= 2, got ${JSON.stringify(opts.maxLength)}`);
  }
  const strategy = opts.strategy ?? "per-word";
  if (strategy !== "per-word" && strategy !== "joined") throw new Error(`--strategy must be per-word or joined, got ${JSON.stringify(strategy)}`);
  const file = opts.input;
  const rows = readAlignInput(file);
  let labelList: string[] | undefined;
  if (opts.labels && opts.corpus) throw new Error("give either --labels or --corpus, not both");
  if (opts.labels) labelList = parseLabelsOption(opts.labels);
  if (opts.corpus) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const data = require("../../data/index") as { getCorpus(name: string): { labelList?: readonly string[] } };
    const spec = data.getCorpus(opts.corpus);
    if (!spec.labelList) throw new Error(`corpus ${opts.corpus} has no fixed label list; pass --labels`);
    labelList = [...spec.labelList];
  }
  const stringTags = rows.some((r) => r.tags.some((t) => typeof t === "string"));
  if (!labelList && stringTags) {
    // run_ner.py's rule for string labels: the sorted set of all labels.
    labelList = alignment.labelListFromTags(rows.map((r) => r.tags as string[]));
    process.stderr.write(`labels (sorted, as run_ner.py; pass --labels or --corpus to fix the order): ${labelList.join(",")}\n`);
  }
  if (opts.bToI && !opts.labelAllTokens) throw new Error("--b-to-i only applies with --label-all-tokens");
  if (opts.bToI && !labelList) throw new Error("--b-to-i needs label names (--labels or --corpus)");

  const ids = toIds(rows, labelList, file);
  const tokenizer = await NerTokenizer.fromPretrained(opts.tokenizer);
  const data = rows.map((r, i) => ({ tokens: r.tokens, ner_tags: ids[i] }));
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
      .map((f) => JSON.stringify({ input_ids: f.inputIds, attention_mask: f.attentionMask, word_ids: f.wordIds, labels: f.labels }) + "\n")
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
  const notes = [`${feats.length} sentences aligned`];
  if (summary.emptyWordCount > 0) {
    const shown = summary.emptyWords.slice(0, 5).map((e) => `${file}:${rows[e.sentence].line} word ${e.word} ${JSON.stringify(e.text)}`);
    notes.push(`${summary.emptyWordCount} word(s) produced no sub-token (their labels are lost): ${shown.join("; ")}${summary.emptyWordCount > 5 ? "; ..." : ""}`);
  }
  if (summary.truncatedSentences > 0) {
    notes.push(`${summary.truncatedSentences} sentence(s) truncated, ${summary.truncatedWordCount} word(s) cut`);
  }
  process.stderr.write(notes.join("\n") + "\n");
}

export function register(program: Command): void {
  program
    .command("align")
    .description("tokenize JSON-lines sentences and align word tags to sub-word tokens (HF tokenize_and_align_labels)")
    .requiredOption("--tokenizer <dir|name>", "tokenizer directory or Hub name (e.g. bert-base-cased)")
    .requiredOption("--input <file.jsonl>", 'lines of {"tokens": [...], "tags": [...]} (tags: strings or ids)')
    .option("--labels <list|file>", "label order: comma-separated, a JSON array file, or one label per line")
    .option("--corpus <name>", "use a registered corpus's label order (conll2003, wnut17, wikiann_en, mit_restaurant)")
    .option("--label-all-tokens", "label every sub-token, not just the first")
    .option("--b-to-i", "with --label-all-tokens, give later sub-tokens of B-X the I-X label (run_ner.py)")
    .option("--max-length <n>", "truncate to n tokens (default: model_max_length, 512)")
    .option("--strategy <s>", "is_split_into_words strategy: per-word (exact, default) or joined")
    .option("--output <file>", "write there (atomically) instead of stdout")
    .option("--json", 'JSON lines {"input_ids", "attention_mask", "word_ids", "labels"} (default: a readable token/label table)')
    .addHelpText("after", helpAfter(["ner align --tokenizer bert-base-cased --input sentences.jsonl --corpus conll2003 --json", "ner align --tokenizer distilbert-base-uncased --input mit.jsonl --labels labels.txt --label-all-tokens"], MODEL_ENV.filter((v) => v !== "NER_BACKEND")))
    .action(alignAction);
}
