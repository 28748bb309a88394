/**
 * The tokenizer of the exported web page: the kept pure-JS `@huggingface/tokenizers` reading
 * tokenizer.json (tokens and ids), with offsets from ./token-offsets and the settings the
 * library's NerTokenizer resolved at export time (special tokens, template, max length), so the
 * page's pipeline sees exactly what `ner predict` sees. Runs in a browser and in Node.
 */
import { Tokenizer } from "@huggingface/tokenizers";
import type { PipelineTokenizer } from "../pipeline/classifier";
import { wordPieceTokensToString } from "../pipeline/decode";
import type { EncodedWindow } from "../pipeline/types";
import type { SingleTemplate } from "../tokenization/config";
import { alignTokenOffsets, type OffsetAlignmentOptions } from "./token-offsets";

/** What NerTokenizer resolved from the checkpoint's tokenizer files (written to the site as JSON). */
export interface TokenizerSettings {
  unkToken: string;
  unkTokenId: number;
  padTokenId: number;
  modelMaxLength: number;
  continuingSubwordPrefix: string | null;
  template: SingleTemplate;
  /** The WordPiece decoder's settings (tokenizer.json `decoder`), for convertTokensToString. */
  decoder: { prefix: string; cleanup: boolean } | null;
}

/** The parts of the pure-JS Tokenizer this module uses (its .d.ts marks them public). */
interface JsTokenizer {
  encode(text: string, opts: { add_special_tokens: boolean }): { ids: number[]; tokens: string[] };
  normalizer: { normalize(text: string): string } | null;
  pre_tokenizer: { pre_tokenize_text(text: string): string[] } | null;
}

/** An entry of tokenizer.json's `added_tokens`. */
interface AddedToken {
  id: number;
  content: string;
}

function normalizerLowercases(normalizer: unknown): boolean {
  const n = normalizer as { type?: string; lowercase?: boolean; normalizers?: unknown[] } | null | undefined;
  if (!n) return false;
  if (n.type === "Lowercase") return true;
  if (n.type === "BertNormalizer") return n.lowercase !== false;
  if (n.type === "Sequence") return (n.normalizers ?? []).some(normalizerLowercases);
  return false;
}

export class WebTokenizer implements PipelineTokenizer {
  readonly unkTokenId: number;
  readonly padTokenId: number;
  readonly modelMaxLength: number;
  readonly continuingSubwordPrefix: string | null;
  private readonly tokenizer: JsTokenizer;
  private readonly settings: TokenizerSettings;
  /** Whether the normalizer lower-cases (BertNormalizer with lowercase, or Lowercase). */
  private readonly lowercases: boolean;
  private readonly alignment: OffsetAlignmentOptions;

  /** `tokenizerJson` / `tokenizerConfig`: the parsed files; `settings`: from {@link tokenizerSettings}. */
  constructor(
    tokenizerJson: Record<string, unknown>,
    tokenizerConfig: Record<string, unknown>,
    settings: TokenizerSettings,
  ) {
    const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig) as unknown as JsTokenizer;
    this.tokenizer = tokenizer;
    this.settings = settings;
    this.unkTokenId = settings.unkTokenId;
    this.padTokenId = settings.padTokenId;
    this.modelMaxLength = settings.modelMaxLength;
    this.continuingSubwordPrefix = settings.continuingSubwordPrefix;
    const added = (tokenizerJson.added_tokens ?? []) as AddedToken[];
    this.lowercases = normalizerLowercases(tokenizerJson.normalizer);
    const normalizer = tokenizer.normalizer;
    const preTokenizer = tokenizer.pre_tokenizer;
    this.alignment = {
      normalize: normalizer ? (s) => normalizer.normalize(s) : (s) => s,
      preTokenize: preTokenizer ? (s) => preTokenizer.pre_tokenize_text(s) : (s) => [s],
      continuingSubwordPrefix: settings.continuingSubwordPrefix,
      unkToken: settings.unkToken,
      addedTokens: new Set(added.map((t) => t.content)),
    };
  }

  /** Raw text → ids, tokens, UTF-16 offsets and special-token mask, with the template's special tokens. */
  async encodeText(
    text: string,
    opts: { truncation?: boolean; addSpecialTokens?: boolean } = {},
  ): Promise<EncodedWindow> {
    return this.encodeTextSync(text, opts);
  }

  encodeTextSync(text: string, opts: { truncation?: boolean; addSpecialTokens?: boolean } = {}): EncodedWindow {
    // JS lower-cases a word-final capital sigma to "ς", Rust (the reference) always to "σ".
    const input = this.lowercases ? text.replace(/\u03a3/g, "\u03c3") : text;
    const { ids, tokens } = this.tokenizer.encode(input, { add_special_tokens: false });
    const offsets = alignTokenOffsets(input, tokens, this.alignment);
    let n = ids.length;
    const t = this.settings.template;
    const special = opts.addSpecialTokens ?? true;
    const pre = special ? t.prefix : [];
    const suf = special ? t.suffix : [];
    if ((opts.truncation ?? true) && n + pre.length + suf.length > this.modelMaxLength) {
      n = Math.max(0, this.modelMaxLength - pre.length - suf.length);
    }
    return {
      inputIds: [...pre.map((p) => p.id), ...ids.slice(0, n), ...suf.map((p) => p.id)],
      tokens: [...pre.map((p) => p.token), ...tokens.slice(0, n), ...suf.map((p) => p.token)],
      offsets: [
        ...pre.map((): [number, number] => [0, 0]),
        ...offsets.slice(0, n),
        ...suf.map((): [number, number] => [0, 0]),
      ],
      specialTokensMask: [...pre.map(() => 1), ...ids.slice(0, n).map(() => 0), ...suf.map(() => 1)],
    };
  }

  /** HF `convert_tokens_to_string` with the tokenizer.json WordPiece decoder (the shared implementation). */
  convertTokensToString(tokens: string[]): string {
    const d = this.settings.decoder;
    return d ? wordPieceTokensToString(tokens, d) : tokens.join(" ");
  }
}

/** Read tokenizer.json's WordPiece decoder settings (null for another or no decoder). */
export function wordPieceDecoderSettings(
  tokenizerJson: Record<string, unknown>,
): { prefix: string; cleanup: boolean } | null {
  const d = tokenizerJson.decoder as { type?: string; prefix?: string; cleanup?: boolean } | null | undefined;
  if (!d || d.type !== "WordPiece") return null;
  return { prefix: d.prefix ?? "##", cleanup: d.cleanup ?? true };
}
