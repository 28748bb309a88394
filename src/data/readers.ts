/**
 * Readers for the four corpus layouts (plus original IOB1 CoNLL files).
 *
 * Traps handled (see ../shared/MANIFEST.md): a missing final newline, separator lines
 * that hold only whitespace (WNUT uses a single TAB), a BOM at the start of a file,
 * CRLF line ends, and the WikiANN `en:` prefix, of which exactly the prefix is removed
 * (tokens may contain ':'). Tokens are otherwise kept byte for byte, zero-width and
 * U+FEFF characters included, as Hugging Face `datasets` keeps them.
 */
import { quoteForMessage } from "../util/message";
import { readUtf8File } from "../util/utf8";
import { DataFormatError } from "./errors";
import { iob1ToIob2, iob1Violation, iob2Violation, parseTag } from "./tags";
import type { FormatName, ReadOptions, ReadResult, SchemeIssue, Sentence } from "./types";

const MAX_ISSUES = 20;

/** What one non-blank line holds. */
interface LineFields {
  token: string;
  tag: string;
  pos?: string;
  chunk?: string;
}

type LineParser = (line: string, fail: (problem: string) => never, opts: ReadOptions) => LineFields;

function tabColumns(line: string, layout: string, fail: (problem: string) => never): [string, string] {
  const cols = line.split("\t");
  if (cols.length !== 2) {
    fail(`expected 2 TAB-separated columns (${layout}), found ${cols.length}`);
  }
  return [cols[0], cols[1].trim()];
}

const LINE_PARSERS: Record<FormatName, LineParser> = {
  mit: (line, fail) => {
    const [tag, token] = tabColumns(line, "TAG<TAB>token", fail);
    return { token, tag: tag.trim() };
  },
  wnut: (line, fail) => {
    const [token, tag] = tabColumns(line, "token<TAB>tag", fail);
    return { token, tag };
  },
  wikiann: (line, fail, opts) => {
    const prefix = opts.langPrefix ?? "en:";
    const [raw, tag] = tabColumns(line, `${prefix}token<TAB>tag`, fail);
    if (!raw.startsWith(prefix))
      fail(`token ${quoteForMessage(raw)} lacks the language prefix ${quoteForMessage(prefix)}`);
    return { token: raw.slice(prefix.length), tag };
  },
  conll2003: (line, fail) => {
    const cols = line.trimEnd().split(" ");
    if (cols.length !== 4) {
      fail(`expected 4 space-separated columns (word POS chunk NER), found ${cols.length}`);
    }
    return { token: cols[0], pos: cols[1], chunk: cols[2], tag: cols[3] };
  },
  iob1: (line, fail) => {
    const cols = line.trimEnd().split(/[ \t]+/);
    if (cols.length === 4) return { token: cols[0], pos: cols[1], chunk: cols[2], tag: cols[3] };
    if (cols.length === 2) return { token: cols[0], tag: cols[1] };
    return fail(`expected 4 columns (word POS chunk NER) or 2 (word NER), found ${cols.length}`);
  },
};

/** Parse corpus text in the given layout. Throws DataFormatError on malformed input. */
export function parseCorpusText(text: string, format: FormatName, opts: ReadOptions = {}): ReadResult {
  const parser = LINE_PARSERS[format];
  if (!parser) throw new Error(`unknown corpus format ${quoteForMessage(format)}`);
  const file = opts.fileName ?? "<string>";
  const iob1 = format === "iob1";
  const checkTransition = iob1 ? iob1Violation : iob2Violation;
  const schemeName = iob1 ? "IOB1" : "IOB2";

  const allowed = {
    tags: opts.vocab?.tags ? new Set(opts.vocab.tags) : undefined,
    pos: opts.vocab?.pos ? new Set(opts.vocab.pos) : undefined,
    chunk: opts.vocab?.chunk ? new Set(opts.vocab.chunk) : undefined,
  };

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");

  const sentences: Sentence[] = [];
  const issues: SchemeIssue[] = [];
  let violations = 0;
  let cur: Sentence | null = null;

  const flush = (): void => {
    if (cur === null) return;
    if (iob1 && opts.toIob2) {
      cur.tags = iob1ToIob2(cur.tags);
      if (cur.chunk) cur.chunk = iob1ToIob2(cur.chunk);
    }
    sentences.push(cur);
    cur = null;
  };

  // One closure for the whole file (not one per line: closures per line dominate the parse time).
  let lineNo = 0;
  const fail = (problem: string): never => {
    throw new DataFormatError(file, lineNo, problem);
  };

  for (let i = 0; i < lines.length; i++) {
    lineNo = i + 1;
    let line = lines[i];
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.trim() === "" || ((format === "conll2003" || iob1) && line.startsWith("-DOCSTART-"))) {
      flush();
      continue;
    }
    const f = parser(line, fail, opts);
    if (parseTag(f.tag) === null) {
      fail(`unknown tag prefix in ${quoteForMessage(f.tag)} (expected O, B-<type> or I-<type>)`);
    }
    if (allowed.tags && !allowed.tags.has(f.tag)) {
      fail(`unknown label ${quoteForMessage(f.tag)} (expected one of ${[...allowed.tags].join(", ")})`);
    }
    if (allowed.pos && f.pos !== undefined && !allowed.pos.has(f.pos))
      fail(`unknown POS tag ${quoteForMessage(f.pos)}`);
    if (allowed.chunk && f.chunk !== undefined && !allowed.chunk.has(f.chunk))
      fail(`unknown chunk tag ${quoteForMessage(f.chunk)}`);
    if (cur === null) {
      cur = { tokens: [], tags: [] };
      if (f.pos !== undefined) {
        cur.pos = [];
        cur.chunk = [];
      }
    }
    const s: Sentence = cur;
    if ((f.pos !== undefined) !== (s.pos !== undefined)) {
      fail("column count changes inside a sentence");
    }
    const prev = s.tags.length ? s.tags[s.tags.length - 1] : null;
    const problem = checkTransition(prev, f.tag);
    if (problem !== null) {
      if (opts.strict) fail(`invalid ${schemeName} tag sequence: ${problem}`);
      violations++;
      if (issues.length < MAX_ISSUES) {
        issues.push({ file, line: lineNo, sentence: sentences.length, token: s.tokens.length, problem });
      }
    }
    s.tokens.push(f.token);
    s.tags.push(f.tag);
    if (f.pos !== undefined) {
      s.pos!.push(f.pos);
      s.chunk!.push(f.chunk!);
    }
  }
  flush();

  if (sentences.length === 0) throw new DataFormatError(file, 1, "empty file: no sentences found");
  return { sentences, schemeViolations: violations, issues, scheme: iob1 && !opts.toIob2 ? "IOB1" : "IOB2" };
}

/** Read a corpus file (strict UTF-8: an invalid byte is an error with file:line) in the given layout. */
export function readCorpusFile(path: string, format: FormatName, opts: ReadOptions = {}): ReadResult {
  const text = readUtf8File(path);
  return parseCorpusText(text, format, { ...opts, fileName: opts.fileName ?? path });
}
