/**
 * Corpus statistics for `ner data stats`: sentences, tokens, entities per type,
 * longest sentence, tag frequencies and the tagging-scheme check.
 */
import { getEntities } from "../metrics/seqeval/default-entities";
import type { ReadResult, Sentence } from "./types";

export interface CorpusStats {
  sentences: number;
  tokens: number;
  /** Entities per type (types in code-point order). */
  entities: Record<string, number>;
  entityTotal: number;
  longestSentence: { index: number; tokens: number };
  meanSentenceLength: number;
  /** Occurrences of each tag (tags in code-point order). */
  tagCounts: Record<string, number>;
  scheme: {
    /** Scheme the tags are in: IOB2, or IOB1 for unconverted `iob1` input. */
    name: "IOB1" | "IOB2";
    valid: boolean;
    violations: number;
    /** The first violations, as "file:line: problem". */
    examples: string[];
  };
}

/** Statistics of parsed sentences (entities cut by seqeval's default-mode getEntities, as in evaluation). */
export function corpusStats(
  result: Pick<ReadResult, "sentences" | "schemeViolations" | "issues" | "scheme">,
): CorpusStats {
  const entities: Record<string, number> = {};
  const tagCounts: Record<string, number> = {};
  let tokens = 0;
  let longest = { index: -1, tokens: 0 };
  result.sentences.forEach((s: Sentence, i) => {
    tokens += s.tokens.length;
    if (s.tokens.length > longest.tokens) longest = { index: i, tokens: s.tokens.length };
    for (const t of s.tags) tagCounts[t] = (tagCounts[t] ?? 0) + 1;
    for (const [type] of getEntities(s.tags)) entities[type] = (entities[type] ?? 0) + 1;
  });
  const n = result.sentences.length;
  return {
    sentences: n,
    tokens,
    entities: sortKeys(entities),
    entityTotal: Object.values(entities).reduce((a, b) => a + b, 0),
    longestSentence: longest,
    meanSentenceLength: n ? Math.round((tokens / n) * 100) / 100 : 0,
    tagCounts: sortKeys(tagCounts),
    scheme: {
      name: result.scheme,
      valid: result.schemeViolations === 0,
      violations: result.schemeViolations,
      examples: result.issues.slice(0, 5).map((x) => `${x.file}:${x.line}: ${x.problem}`),
    },
  };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
