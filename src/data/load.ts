/**
 * Turn corpus files into Datasets: `loadCorpus("conll2003")` gives a DatasetDict with
 * HF-identical split sizes, columns and label lists; `loadCorpusFile` reads any file in
 * a supported layout.
 */
import { Dataset } from "./dataset";
import { DatasetDict } from "./datasetDict";
import { ClassLabel, NerFeatures, Sequence, Value } from "./features";
import { readCorpusFile } from "./readers";
import { getCorpus, normalizeSplit } from "./registry";
import { ResolveOptions, ResolvedFile, resolveCorpusFile } from "./resolve";
import { getEntities } from "../metrics/seqeval/default-entities";
import { labelListFromTags } from "./labels";
import type { FormatName, ReadOptions, ReadResult, Sentence } from "./types";

/** A token-classification row, HF column names (ids index `features.<column>.names`). */
export interface NerRow {
  id: string;
  tokens: string[];
  pos_tags?: number[];
  chunk_tags?: number[];
  ner_tags: number[];
  /** WikiANN only: the language of each token. */
  langs?: string[];
  /** WikiANN only: "TYPE: entity text" per entity. */
  spans?: string[];
}

export type NerDataset = Dataset<NerRow, NerFeatures>;
export type NerDatasetDict = DatasetDict<NerRow, NerFeatures>;

export interface LoadCorpusOptions extends ResolveOptions {
  /** Scheme violations (e.g. I- after O) are errors instead of counted warnings. */
  strict?: boolean;
  /** Load only these splits (default all). */
  splits?: string[];
  /** Receives a one-line summary per file with scheme violations (default console.warn). */
  onWarning?: (message: string) => void;
}

/** One split as read from disk, before conversion to ids. */
export interface LoadedSplit extends ReadResult {
  split: string;
  file: ResolvedFile;
}

/** Resolve and parse the files of a corpus (all splits, or `opts.splits`). */
export async function readCorpusSplits(name: string, opts: LoadCorpusOptions = {}): Promise<LoadedSplit[]> {
  const spec = getCorpus(name);
  const wanted = opts.splits?.map(normalizeSplit);
  const files = spec.files.filter((f) => !wanted || wanted.includes(f.split));
  if (wanted) {
    for (const w of wanted) {
      if (!spec.files.some((f) => f.split === w)) {
        throw new Error(
          `corpus ${spec.name} has no split ${JSON.stringify(w)} (splits: ` +
            `${spec.files.map((f) => f.split).join(", ")})`,
        );
      }
    }
  }
  const out: LoadedSplit[] = [];
  for (const f of files) {
    const resolved = await resolveCorpusFile(spec.name, f.file, opts);
    const result = readCorpusFile(resolved.path, spec.format, {
      strict: opts.strict,
      vocab: { tags: spec.labelList, pos: spec.posNames, chunk: spec.chunkNames },
    });
    if (result.schemeViolations > 0) {
      const first = result.issues[0];
      (opts.onWarning ?? console.warn)(
        `${resolved.path}: ${result.schemeViolations} IOB2 violation(s), first at line ${first.line}: ${first.problem}`,
      );
    }
    out.push({ ...result, split: f.split, file: resolved });
  }
  return out;
}

/**
 * Load one of the tutorials' corpora as a DatasetDict (train / validation / test).
 * Files come from the mirror, the embedded data/, the cache or the network (see resolve.ts).
 */
export async function loadCorpus(
  name: "mit_restaurant" | "conll2003" | "wnut17" | "wikiann_en" | string,
  opts: LoadCorpusOptions = {},
): Promise<NerDatasetDict> {
  const spec = getCorpus(name);
  const splits = await readCorpusSplits(spec.name, opts);
  const labels = spec.labelList ?? labelListFromTags(allTags(splits.map((s) => s.sentences)));
  const out: Record<string, NerDataset> = {};
  for (const s of splits) {
    out[s.split] = sentencesToDataset(s.sentences, {
      labelList: labels,
      posNames: spec.posNames,
      chunkNames: spec.chunkNames,
      split: s.split,
      wikiannColumns: spec.wikiannColumns,
    });
  }
  return new DatasetDict(out);
}

/** Options of {@link sentencesToDataset}. */
export interface ToDatasetOptions {
  /** NER label list (default: built from the sentences with labelListFromTags). */
  labelList?: readonly string[];
  posNames?: readonly string[];
  chunkNames?: readonly string[];
  split?: string;
  /** Add WikiANN's `langs` ("en") and `spans` columns. */
  wikiannColumns?: boolean;
}

/** Convert string-tagged sentences to a Dataset of id-tagged rows. Unknown tags throw. */
export function sentencesToDataset(sentences: readonly Sentence[], opts: ToDatasetOptions = {}): NerDataset {
  const ner = new ClassLabel(opts.labelList ?? labelListFromTags(allTags([sentences])));
  const hasPos = sentences.length > 0 && sentences[0].pos !== undefined;
  const pos = hasPos ? new ClassLabel(opts.posNames ?? sortedUnique(sentences.flatMap((s) => s.pos ?? []))) : undefined;
  const chunk = hasPos
    ? new ClassLabel(opts.chunkNames ?? labelListFromTags(sentences.flatMap((s) => s.chunk ?? [])))
    : undefined;

  const features: NerFeatures = { id: new Value("string"), tokens: new Sequence(new Value("string")) } as NerFeatures;
  if (pos && chunk) {
    features.pos_tags = new Sequence(pos);
    features.chunk_tags = new Sequence(chunk);
  }
  features.ner_tags = new Sequence(ner);
  if (opts.wikiannColumns) {
    features.langs = new Sequence(new Value("string"));
    features.spans = new Sequence(new Value("string"));
  }

  const rows = sentences.map((s, i): NerRow => {
    const row: NerRow = { id: String(i), tokens: s.tokens } as NerRow;
    if (pos && chunk) {
      row.pos_tags = s.pos!.map((t) => pos.str2int(t));
      row.chunk_tags = s.chunk!.map((t) => chunk.str2int(t));
    }
    row.ner_tags = s.tags.map((t) => ner.str2int(t));
    if (opts.wikiannColumns) {
      row.langs = s.tokens.map(() => "en");
      row.spans = getEntities(s.tags).map(
        ([type, start, end]) => `${type}: ${s.tokens.slice(start, end + 1).join(" ")}`,
      );
    }
    return row;
  });
  return new Dataset<NerRow, NerFeatures>(rows, features, opts.split);
}

/** Options of {@link loadCorpusFile}. */
export interface LoadFileOptions extends ReadOptions, Omit<ToDatasetOptions, "wikiannColumns"> {}

/** Read any file in a supported layout as a Dataset (labels from the data unless given). */
export function loadCorpusFile(path: string, format: FormatName, opts: LoadFileOptions = {}): NerDataset {
  const result = readCorpusFile(path, format, {
    ...opts,
    vocab: { ...opts.vocab, tags: opts.vocab?.tags ?? opts.labelList },
  });
  return sentencesToDataset(result.sentences, { ...opts, wikiannColumns: format === "wikiann" });
}

function* allTags(groups: readonly (readonly Sentence[])[]): Iterable<string> {
  for (const g of groups) for (const s of g) yield* s.tags;
}

function sortedUnique(items: string[]): string[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
