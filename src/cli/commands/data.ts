/**
 * `ner data ...`: inspect and convert corpora.
 *   ner data stats <corpus>[:split] | <file> --format <fmt>   sentences, tokens, entities per type, scheme check
 *   ner data convert <file> --format <fmt> | <corpus>:<split> --output out.jsonl   JSONL {"tokens", "tags"}
 *   ner data download [corpus...]                              fill the cache (sha256-verified)
 *   ner data list                                              the registered corpora
 */
import type { Command } from "commander";
import { DATA_ENV, helpAfter } from "../help";
import * as fs from "fs";
import * as path from "path";
import { checkWritableOutput, isDirectory, isFile } from "../../util/files";
import type { CorpusStats, FormatName, ReadResult, ResolvedFile } from "../../data";

/**
 * The data module, loaded on first use (a plain require: under tsx's CommonJS hook a dynamic
 * import() would go through Node's ESM resolver, which rejects directory imports).
 */
function loadData(): typeof import("../../data") {
  return require("../../data") as typeof import("../../data");
}

interface CommonOpts {
  format?: string;
  dataDir?: string;
  strict?: boolean;
  toIob2?: boolean;
  json?: boolean;
}

/** A parsed input: one or more splits of a registered corpus, or one file. */
interface Input {
  corpus?: string;
  parts: { split?: string; file: ResolvedFile | { path: string; source: "file" }; result: ReadResult }[];
}

async function readInput(target: string, opts: CommonOpts): Promise<Input> {
  const data = loadData();
  if (isDirectory(target))
    throw new Error(`${target}: is a directory, not a file (give a corpus file, or a corpus name)`);
  if (isFile(target)) {
    if (!opts.format) {
      throw new Error(`${target}: --format is required for a file (one of ${data.FORMAT_NAMES.join(", ")})`);
    }
    if (!(data.FORMAT_NAMES as readonly string[]).includes(opts.format)) {
      throw new Error(`unknown --format ${JSON.stringify(opts.format)} (one of ${data.FORMAT_NAMES.join(", ")})`);
    }
    const result = data.readCorpusFile(target, opts.format as FormatName, { strict: opts.strict, toIob2: opts.toIob2 });
    return { parts: [{ file: { path: path.resolve(target), source: "file" }, result }] };
  }
  const colon = target.lastIndexOf(":");
  const name = colon > 0 ? target.slice(0, colon) : target;
  const split = colon > 0 ? target.slice(colon + 1) : undefined;
  const spec = data.findCorpus(name);
  if (!spec && (opts.format !== undefined || looksLikePath(target))) {
    throw new Error(`${target}: no such file`);
  }
  if (!spec) {
    throw new Error(
      `${target}: neither a file nor a corpus (corpora: ${data.CORPUS_NAMES.join(", ")}; a file needs --format)`,
    );
  }
  const splits = await data.readCorpusSplits(spec.name, {
    dataDir: opts.dataDir,
    strict: opts.strict,
    splits: split ? [split] : undefined,
    onWarning: () => undefined, // reported in the scheme section instead
  });
  return { corpus: spec.name, parts: splits.map((s) => ({ split: s.split, file: s.file, result: s })) };
}

/** A target with a directory separator or a file extension is meant as a file, not a corpus name. */
function looksLikePath(target: string): boolean {
  return /[\\/]/.test(target) || /\.[A-Za-z0-9]+$/.test(target);
}

function formatStats(title: string, s: CorpusStats): string {
  const ents = Object.entries(s.entities)
    .map(([t, n]) => `${t} ${n}`)
    .join(", ");
  const scheme = s.scheme.valid
    ? `${s.scheme.name} valid`
    : `${s.scheme.name}: ${s.scheme.violations} violation(s), ` +
      `e.g.\n${s.scheme.examples.map((e) => `      ${e}`).join("\n")}`;
  return [
    title,
    `  sentences          ${s.sentences}`,
    `  tokens             ${s.tokens} (mean ${s.meanSentenceLength} per sentence)`,
    `  longest sentence   ${s.longestSentence.tokens} tokens (sentence #${s.longestSentence.index})`,
    `  entities           ${s.entityTotal}${ents ? `: ${ents}` : ""}`,
    `  tag scheme         ${scheme}`,
  ].join("\n");
}

async function statsAction(target: string, opts: CommonOpts): Promise<void> {
  const data = loadData();
  const input = await readInput(target, opts);
  const entries = input.parts.map((p) => ({
    ...(input.corpus ? { corpus: input.corpus, split: p.split } : {}),
    file: p.file.path,
    source: p.file.source,
    ...data.corpusStats(p.result),
  }));
  if (opts.json) {
    const out =
      entries.length === 1
        ? entries[0]
        : { corpus: input.corpus, splits: Object.fromEntries(entries.map((e) => [e.split, e])) };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    return;
  }
  for (const e of entries) {
    const title = input.corpus ? `${input.corpus}:${e.split} (${e.file}, ${e.source})` : `${e.file}`;
    process.stdout.write(formatStats(title, e) + "\n");
  }
}

/** Refuse `--output` naming the input file itself (the same file through any path, symlink or hard link). */
function refuseOutputIsInput(input: string, output: string): void {
  let a: fs.Stats;
  let b: fs.Stats;
  try {
    a = fs.statSync(input);
    b = fs.statSync(output);
  } catch {
    return; // one of them does not exist (yet): they cannot be the same file
  }
  if (a.dev === b.dev && a.ino === b.ino) {
    throw new Error(
      `--output ${output} is the input file ${input}: converting would overwrite it; choose another output file`,
    );
  }
}

async function convertAction(target: string, opts: CommonOpts & { output?: string }): Promise<void> {
  const data = loadData();
  if (!opts.output) throw new Error("--output <file.jsonl> is required");
  refuseOutputIsInput(target, opts.output);
  checkWritableOutput(opts.output, "--output", "file");
  const input = await readInput(target, opts);
  if (input.parts.length !== 1) throw new Error(`${target}: name one split to convert, e.g. ${input.corpus}:train`);
  const part = input.parts[0];
  refuseOutputIsInput(part.file.path, opts.output);
  const sentences = opts.toIob2
    ? part.result.sentences.map((s) => ({ tokens: s.tokens, tags: data.iob1ToIob2(s.tags) }))
    : part.result.sentences;
  data.writeJsonl(opts.output, sentences);
  const summary = {
    input: part.file.path,
    output: path.resolve(opts.output),
    format: input.corpus ? data.getCorpus(input.corpus).format : opts.format,
    sentences: sentences.length,
    tokens: sentences.reduce((n, s) => n + s.tokens.length, 0),
    toIob2: Boolean(opts.toIob2),
  };
  if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
  else process.stdout.write(`wrote ${summary.sentences} sentences (${summary.tokens} tokens) to ${summary.output}\n`);
}

async function downloadAction(names: string[], opts: { json?: boolean; dataDir?: string }): Promise<void> {
  const data = loadData();
  const corpora = names.length ? names.map((n) => data.getCorpus(n).name) : [...data.CORPUS_NAMES];
  const rows: { corpus: string; file: string; path: string; source: string }[] = [];
  for (const c of corpora) {
    for (const f of data.getCorpus(c).files) {
      const r = await data.resolveCorpusFile(c, f.file, { dataDir: opts.dataDir });
      rows.push({ corpus: c, file: f.file, path: r.path, source: r.source });
      if (!opts.json) process.stdout.write(`${c}/${f.file}  ${r.source}  ${r.path}\n`);
    }
  }
  if (opts.json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
}

async function listAction(opts: { json?: boolean }): Promise<void> {
  const data = loadData();
  const list = data.CORPUS_NAMES.map((n) => {
    const s = data.getCorpus(n);
    return {
      name: s.name,
      title: s.title,
      format: s.format,
      splits: s.files.map((f) => f.split),
      embedded: s.embedded,
      source: s.source,
      license: s.license,
    };
  });
  if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + "\n");
  else
    for (const c of list)
      process.stdout.write(`${c.name.padEnd(15)} ${c.format.padEnd(10)} ${c.splits.join("/").padEnd(22)} ${c.title}\n`);
}

export function register(program: Command): void {
  const data = program.command("data").description("Inspect, convert and fetch the NER corpora");
  const formats = "mit | conll2003 | iob1 | wnut | wikiann";

  data
    .command("stats")
    .description(
      "Sentences, tokens, entities per type, longest sentence and tag-scheme check of a corpus split or file",
    )
    .argument("<target>", "corpus[:split] (mit_restaurant, conll2003, wnut17, wikiann_en) or a file path with --format")
    .option("--format <fmt>", `layout of a file target: ${formats}`)
    .option("--data-dir <dir>", "local corpus mirror laid out <corpus>/<file> (overrides NER_DATA_DIR)")
    .option("--strict", "tag-scheme violations are errors instead of counted warnings")
    .option("--to-iob2", "convert iob1 input to IOB2 before counting")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner data stats conll2003:test --json",
          "ner data stats mit_restaurant          # every split",
          "ner data stats my.conll --format conll2003 --strict",
        ],
        DATA_ENV,
      ),
    )
    .action(statsAction);

  data
    .command("convert")
    .description(
      'Convert a corpus file (or corpus:split) to JSONL {"tokens": [...], "tags": [...]}, written atomically',
    )
    .argument("<input>", "file path (with --format) or corpus:split")
    .option("--format <fmt>", `layout of the input file: ${formats}`)
    .option("--to-iob2", "convert IOB1 tags to IOB2 (an I- tag that opens an entity becomes B-)")
    .option("--strict", "tag-scheme violations are errors")
    .option("--data-dir <dir>", "local corpus mirror (overrides NER_DATA_DIR)")
    .option("-o, --output <file>", "output JSONL file")
    .option("--json", "print a JSON summary")
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner data convert conll2003:train -o train.jsonl",
          "ner data convert eng.train --format iob1 --to-iob2 -o train.jsonl --json",
        ],
        DATA_ENV,
      ),
    )
    .action(convertAction);

  data
    .command("download")
    .description(
      "Make corpus files available locally (mirror, embedded data/, or sha256-verified download into the cache)",
    )
    .argument("[corpus...]", "corpora to fetch (default all)")
    .option("--data-dir <dir>", "local corpus mirror (overrides NER_DATA_DIR)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner data download conll2003 wnut17",
          "NER_OFFLINE=1 ner data download --json   # only report what is available locally",
        ],
        DATA_ENV,
      ),
    )
    .action(downloadAction);

  data
    .command("list")
    .description("List the registered corpora")
    .option("--json", "print JSON")
    .addHelpText("after", helpAfter(["ner data list --json"], []))
    .action(listAction);
}
