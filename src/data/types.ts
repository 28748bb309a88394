/** Shared data-layer types. */

/** One sentence of a token-classification corpus, tags as strings. */
export interface Sentence {
  tokens: string[];
  tags: string[];
  /** Part-of-speech tags (CoNLL-2003 only). */
  pos?: string[];
  /** Syntactic chunk tags (CoNLL-2003 only). */
  chunk?: string[];
}

/** The file layouts the readers understand. */
export type FormatName =
  /** `TAG<TAB>token` (MIT Restaurant / MIT Movie). */
  | "mit"
  /** `word POS chunk NER`, space separated, IOB2 (Hugging Face conll2003 files). */
  | "conll2003"
  /** Original CoNLL-2003 `eng.train` layout: `-DOCSTART-` lines, IOB1 tags, token first, tag last. */
  | "iob1"
  /** `token<TAB>tag` (WNUT-17). */
  | "wnut"
  /** `en:token<TAB>tag` (WikiANN as distributed by davidsbatista/NER-datasets). */
  | "wikiann";

/** All format names, for CLI validation and help. */
export const FORMAT_NAMES: readonly FormatName[] = ["mit", "conll2003", "iob1", "wnut", "wikiann"];

/** A tagging-scheme problem found in otherwise well-formed input. */
export interface SchemeIssue {
  file: string;
  /** 1-based line of the offending tag. */
  line: number;
  /** 0-based sentence index and token index within it. */
  sentence: number;
  token: number;
  problem: string;
}

/** The result of reading one file. */
export interface ReadResult {
  sentences: Sentence[];
  /** Number of tagging-scheme violations (all of them, even beyond `issues`). */
  schemeViolations: number;
  /** The first few violations (at most 20), for messages. */
  issues: SchemeIssue[];
  /** The scheme the tags are in after reading: "IOB2", or "IOB1" for unconverted `iob1` input. */
  scheme: "IOB1" | "IOB2";
}

/** Options shared by every reader. */
export interface ReadOptions {
  /** Name to use for the file in error messages (default: the path, or "<string>"). */
  fileName?: string;
  /** Scheme violations become a DataFormatError instead of counted warnings. */
  strict?: boolean;
  /** For `iob1` input: convert NER (and chunk) tags to IOB2. */
  toIob2?: boolean;
  /** For `wikiann` input: the language prefix to strip (default "en:"). */
  langPrefix?: string;
  /** Allowed values per column; a value outside its list is an error naming the line. */
  vocab?: { tags?: readonly string[]; pos?: readonly string[]; chunk?: readonly string[] };
}
