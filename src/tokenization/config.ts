/**
 * Reading a Hugging Face tokenizer directory: tokenizer_config.json, the special tokens,
 * and the single-sequence post-processing template from tokenizer.json.
 */
import { parseJsonText } from "../util/files";

/** One special token the post-processor adds around a sequence. */
export interface SpecialPiece {
  id: number;
  token: string;
  typeId: number;
}

/** Where special tokens go for a single sequence (e.g. BERT: `[CLS] $A [SEP]`). */
export interface SingleTemplate {
  prefix: SpecialPiece[];
  suffix: SpecialPiece[];
  /** token_type_id given to the sequence's own tokens. */
  sequenceTypeId: number;
}

/** The tokenizer_config.json fields we honour (all optional in the file). */
export interface TokenizerConfig {
  doLowerCase?: boolean;
  stripAccents?: boolean | null;
  tokenizeChineseChars?: boolean;
  modelMaxLength?: number;
  cleanUpTokenizationSpaces?: boolean;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
  unkToken?: string;
  maskToken?: string;
  tokenizerClass?: string;
  /** The parsed file as it was, so `save()` can write it back with our changes. */
  raw: Record<string, unknown>;
}

/** HF's stand-in for "no limit" (int(1e30)); such values mean the config did not set one. */
const VERY_LARGE = 1e18;
/** Default `max_length` for BERT-family models (their position-embedding table size). */
export const DEFAULT_MAX_LENGTH = 512;

function tokenContent(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") {
    return (v as { content: string }).content;
  }
  return undefined;
}

/** Parse tokenizer_config.json text (or undefined when the file is missing). */
export function parseTokenizerConfig(text: string | undefined, file = "tokenizer_config.json"): TokenizerConfig {
  if (text === undefined) return { raw: {} };
  const raw = parseJsonText(text, file, "tokenizer config") as Record<string, unknown>;
  const bool = (k: string): boolean | undefined => (typeof raw[k] === "boolean" ? (raw[k] as boolean) : undefined);
  const mml = typeof raw.model_max_length === "number" ? raw.model_max_length : undefined;
  return {
    doLowerCase: bool("do_lower_case"),
    stripAccents: raw.strip_accents === null ? null : bool("strip_accents"),
    tokenizeChineseChars: bool("tokenize_chinese_chars"),
    modelMaxLength: mml !== undefined && mml < VERY_LARGE ? mml : undefined,
    cleanUpTokenizationSpaces: bool("clean_up_tokenization_spaces"),
    clsToken: tokenContent(raw.cls_token),
    sepToken: tokenContent(raw.sep_token),
    padToken: tokenContent(raw.pad_token),
    unkToken: tokenContent(raw.unk_token),
    maskToken: tokenContent(raw.mask_token),
    tokenizerClass: typeof raw.tokenizer_class === "string" ? raw.tokenizer_class : undefined,
    raw,
  };
}

/** The subset of tokenizer.json we inspect (the binding parses the full file itself). */
export interface TokenizerJson {
  added_tokens?: { id: number; content: string; special: boolean }[];
  normalizer?: Record<string, unknown> | null;
  post_processor?: Record<string, unknown> | null;
  model?: { type?: string; unk_token?: string; continuing_subword_prefix?: string | null };
}

type Lookup = (token: string) => number | null;

function piece(token: string, typeId: number, lookup: Lookup, where: string): SpecialPiece {
  const id = lookup(token);
  if (id === null) throw new Error(`${where}: special token ${JSON.stringify(token)} is not in the vocabulary`);
  return { id, token, typeId };
}

/**
 * The single-sequence template of a post_processor entry of tokenizer.json. Supports the
 * processors BERT-family tokenizers use: TemplateProcessing, BertProcessing,
 * RobertaProcessing, a Sequence containing one of them, or none.
 */
export function templateFromPostProcessor(
  pp: Record<string, unknown> | null | undefined,
  lookup: Lookup,
  where = "tokenizer.json",
): SingleTemplate {
  if (!pp) return { prefix: [], suffix: [], sequenceTypeId: 0 };
  const type = pp.type;
  if (type === "BertProcessing" || type === "RobertaProcessing") {
    const [clsTok] = pp.cls as [string, number];
    const [sepTok] = pp.sep as [string, number];
    return { prefix: [piece(clsTok, 0, lookup, where)], suffix: [piece(sepTok, 0, lookup, where)], sequenceTypeId: 0 };
  }
  if (type === "TemplateProcessing") {
    const specials = (pp.special_tokens ?? {}) as Record<string, { ids: number[]; tokens: string[] }>;
    const out: SingleTemplate = { prefix: [], suffix: [], sequenceTypeId: 0 };
    let seen = false;
    for (const item of pp.single as Record<string, { id: string; type_id: number }>[]) {
      if (item.Sequence) {
        seen = true;
        out.sequenceTypeId = item.Sequence.type_id;
      } else if (item.SpecialToken) {
        const sp = specials[item.SpecialToken.id];
        if (!sp) throw new Error(`${where}: template names unknown special token ${item.SpecialToken.id}`);
        const pieces = sp.ids.map((id, i) => ({ id, token: sp.tokens[i], typeId: item.SpecialToken.type_id }));
        (seen ? out.suffix : out.prefix).push(...pieces);
      }
    }
    return out;
  }
  if (type === "Sequence") {
    const inner = (pp.processors as Record<string, unknown>[]).filter((p) => p.type !== "ByteLevel");
    if (inner.length <= 1) return templateFromPostProcessor(inner[0] ?? null, lookup, where);
  }
  throw new Error(`${where}: unsupported post_processor type ${String(type)} (BERT-family tokenizers only)`);
}
