/**
 * Sentences as JSON Lines `{"tokens": [...], "tags": [...]}`: the one validated reader (align,
 * train, evaluate and the library) and the atomic writer.
 *
 * Reading checks, each reported as `file:line: problem`: strict UTF-8 (a BOM is accepted), valid
 * JSON, a JSON object per line (not `null`, not an array), "tokens" an array of strings, "tags"
 * (or "ner_tags") strings or integer ids, as many tags as tokens; then, as `ner data stats` does
 * for corpus files: the tag prefix (O, B-<type>, I-<type>; `X-PER` is no label) and the IOB2
 * scheme (counted warnings, errors with `strict`).
 */
import { writeFileAtomic } from "../util/atomic";
import { quoteForMessage } from "../util/message";
import { readUtf8File } from "../util/utf8";
import { DataFormatError } from "./errors";
import { jsonErrorText, labelListFromTags } from "./labels";
import { iob2Violation, parseTag } from "./tags";
import type { ReadResult, SchemeIssue, Sentence } from "./types";

const MAX_ISSUES = 20;

/** One JSONL line as read, tags as written (strings, or integer ids). */
export interface JsonlRecord {
  /** 1-based line in the file. */
  line: number;
  tokens: string[];
  tags: string[] | number[];
}

/** A sentence read from JSONL, with where it came from (`file:line`) for later messages. */
export interface JsonlSentence extends Sentence {
  source: string;
}

export interface ReadJsonlOptions {
  /** Label names in id order: names `ner_tags`/`tags` ids, and every tag must be one of them. */
  labels?: readonly string[];
  /** IOB2 violations are errors instead of counted warnings. */
  strict?: boolean;
}

export interface JsonlReadResult extends ReadResult {
  file: string;
  sentences: JsonlSentence[];
}

/** Parse JSONL text into records; `file` names the source in errors. */
export function parseJsonlRecords(text: string, file: string): JsonlRecord[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: JsonlRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i].endsWith("\r") ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === "") continue;
    const fail = (problem: string): never => {
      throw new DataFormatError(file, line, problem);
    };
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      fail(`invalid JSON (${jsonErrorText(err)}): ${quoteForMessage(raw, 40)}`);
    }
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      fail(
        `expected a JSON object {"tokens": [...], "tags": [...]}, found ` +
          `${obj === null ? "null" : Array.isArray(obj) ? "an array" : typeof obj}`,
      );
    }
    const o = obj as { tokens?: unknown; tags?: unknown; ner_tags?: unknown };
    if (!Array.isArray(o.tokens) || !o.tokens.every((t) => typeof t === "string")) {
      fail(o.tokens === undefined ? 'no "tokens" field' : '"tokens" must be an array of strings');
    }
    const tokens = o.tokens as string[];
    const key = o.tags !== undefined ? "tags" : "ner_tags";
    const tags = o[key];
    if (tags === undefined) fail('needs "tags" (strings or ids) or "ner_tags" (ids)');
    if (!Array.isArray(tags) || !(tags.every((t) => typeof t === "string") || tags.every((t) => Number.isInteger(t)))) {
      fail(`"${key}" must be an array of strings or of integer ids`);
    }
    if ((tags as unknown[]).length !== tokens.length)
      fail(`${tokens.length} tokens but ${(tags as unknown[]).length} tags`);
    records.push({ line, tokens, tags: tags as string[] | number[] });
  }
  return records;
}

/** Read a JSONL file (strict UTF-8) into records. */
export function readJsonlRecords(file: string): JsonlRecord[] {
  return parseJsonlRecords(readUtf8File(file), file);
}

/** Tag names of a record: strings as they are, ids through `labels`; errors name the line. */
export function recordTagNames(record: JsonlRecord, file: string, labels?: readonly string[]): string[] {
  if (record.tags.length === 0 || typeof record.tags[0] === "string") return record.tags as string[];
  if (!labels)
    throw new DataFormatError(file, record.line, "tags are ids; pass the label list (--labels) to name them");
  return (record.tags as number[]).map((id, w) => {
    if (id < 0 || id >= labels.length) {
      throw new DataFormatError(file, record.line, `tag id ${id} (word ${w}) is outside the ${labels.length} labels`);
    }
    return labels[id];
  });
}

/** Parse JSONL text into validated sentences with string tags (see the module comment). */
export function parseJsonl(text: string, file: string, opts: ReadJsonlOptions = {}): JsonlReadResult {
  const known = opts.labels ? new Set(opts.labels) : undefined;
  const sentences: JsonlSentence[] = [];
  const issues: SchemeIssue[] = [];
  let violations = 0;
  for (const record of parseJsonlRecords(text, file)) {
    const tags = recordTagNames(record, file, opts.labels);
    tags.forEach((tag, w) => {
      if (parseTag(tag) === null) {
        throw new DataFormatError(
          file,
          record.line,
          `unknown tag prefix in ${quoteForMessage(tag)} (word ${w}; expected O, B-<type> or I-<type>)`,
        );
      }
      if (known && !known.has(tag)) {
        throw new DataFormatError(
          file,
          record.line,
          `unknown tag ${quoteForMessage(tag)} (word ${w}); the label list is ${opts.labels!.join(", ")}`,
        );
      }
      const problem = iob2Violation(w === 0 ? null : tags[w - 1], tag);
      if (problem !== null) {
        if (opts.strict) throw new DataFormatError(file, record.line, `invalid IOB2 tag sequence: ${problem}`);
        violations++;
        if (issues.length < MAX_ISSUES)
          issues.push({ file, line: record.line, sentence: sentences.length, token: w, problem });
      }
    });
    sentences.push({ tokens: record.tokens, tags, source: `${file}:${record.line}` });
  }
  if (sentences.length === 0) throw new DataFormatError(file, 1, "empty file: no sentences found");
  return { file, sentences, schemeViolations: violations, issues, scheme: "IOB2" };
}

/** Read a JSONL file of tagged sentences, validated (strict UTF-8, then as `parseJsonl`). */
export function readJsonl(file: string, opts: ReadJsonlOptions = {}): JsonlReadResult {
  return parseJsonl(readUtf8File(file), file, opts);
}

/** One line about a file's tag-scheme violations, or null when it has none (as `loadCorpus` warns). */
export function schemeWarning(
  file: string,
  result: Pick<ReadResult, "schemeViolations" | "issues" | "scheme">,
): string | null {
  if (result.schemeViolations === 0) return null;
  const first = result.issues[0];
  return (
    `${file}: ${result.schemeViolations} ${result.scheme} violation(s), first at line ${first.line}: ` +
    `${first.problem} (--strict makes them errors)`
  );
}

/** Options of {@link readJsonlSplits}. */
export interface ReadJsonlSplitsOptions extends ReadJsonlOptions {
  /** Receives one line per file with tag-scheme violations (default console.warn). */
  onWarning?: (message: string) => void;
}

/**
 * Read the JSONL files of a job (e.g. train and eval) with one label list: the given `labels`, or
 * the one rule (`labelListFromTags`) over the tags of every file. Scheme violations are warned
 * about per file (errors with `strict`).
 */
export function readJsonlSplits(
  files: readonly string[],
  opts: ReadJsonlSplitsOptions = {},
): { splits: JsonlReadResult[]; labelList: string[] } {
  const splits = files.map((f) => readJsonl(f, opts));
  for (const s of splits) {
    const warning = schemeWarning(s.file, s);
    if (warning) (opts.onWarning ?? console.warn)(warning);
  }
  const labelList = opts.labels ? [...opts.labels] : labelListFromTags(allTags(splits));
  return { splits, labelList };
}

function* allTags(splits: readonly JsonlReadResult[]): Iterable<string> {
  for (const s of splits) for (const sentence of s.sentences) yield* sentence.tags;
}

/** One JSON object per line, tokens and string tags only. */
export function sentencesToJsonl(sentences: readonly Sentence[]): string {
  return sentences.map((s) => JSON.stringify({ tokens: s.tokens, tags: s.tags }) + "\n").join("");
}

/** Write sentences to `target` as JSONL (temporary file + rename). */
export function writeJsonl(target: string, sentences: readonly Sentence[]): void {
  writeFileAtomic(target, sentencesToJsonl(sentences));
}
