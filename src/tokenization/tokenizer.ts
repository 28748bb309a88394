/**
 * NerTokenizer: a Hugging Face fast tokenizer (the Rust `tokenizers` binding) with the
 * behaviour token classification needs from transformers' BertTokenizerFast:
 * `is_split_into_words` encoding with word ids, right truncation, padding, raw-text
 * encoding with UTF-16 offsets, id↔token conversion and decoding.
 *
 * The binding's `encode` is asynchronous (it runs on a worker thread), so the encode
 * methods return Promises; conversion and decoding are synchronous.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Tokenizer as BindingTokenizer, Encoding as BindingEncoding } from "tokenizers";
import { writeFileAtomic } from "../util/atomic";
import { isDirectory, parseJsonText, READ_LIMITS, readTextFileBounded } from "../util/files";
import { cleanUpTokenization } from "./cleanup";
import {
  DEFAULT_MAX_LENGTH,
  parseTokenizerConfig,
  templateFromPostProcessor,
  type SingleTemplate,
  type TokenizerConfig,
  type TokenizerJson,
} from "./config";
import { codePointLength, toUtf16Offsets } from "./offsets";
import { padEncoding, paddedLength } from "./padding";
import { callTokenizer, type BatchEncoding, type TokenizerCallOptions } from "./batch-encoding";
import type {
  BatchOptions,
  EncodeOptions,
  EncodeWordsOptions,
  Encoding,
  SplitWordsStrategy,
  TextEncoding,
  WordsEncoding,
} from "./types";

type TokenizersModule = typeof import("tokenizers");

/** The files a tokenizer is built from (contents, not paths). */
export interface TokenizerFiles {
  /** tokenizer.json text; when absent, `vocabTxt` builds the standard BERT pipeline. */
  tokenizerJson?: string;
  vocabTxt?: string;
  tokenizerConfigJson?: string;
  specialTokensMapJson?: string;
}

export interface FromPretrainedOptions {
  revision?: string;
  hubUrl?: string;
  cacheDir?: string;
}

/** Content tokens of one sequence before special tokens and truncation. */
interface Content {
  ids: number[];
  tokens: string[];
  special: number[];
  wordIds: (number | null)[];
  offsets?: [number, number][];
}

interface CachedWord {
  ids: number[];
  tokens: string[];
  special: number[];
}

/** Continuing-subword prefix of the BERT WordPiece model built from vocab.txt. */
const WORDPIECE_PREFIX = "##";
/** Cached word encodings beyond this many are dropped (all at once) to bound memory. */
const WORD_CACHE_LIMIT = 500_000;

function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? readTokenizerFile(file) : undefined;
}

/** A tokenizer file's text: regular files only, size-capped (util/files), so a symlink to /dev/zero fails fast. */
function readTokenizerFile(file: string): string {
  const big = /tokenizer\.json$|vocab\.txt$/.test(file);
  return readTextFileBounded(file, big ? READ_LIMITS.tokenizer : READ_LIMITS.json, "tokenizer file");
}

/** Parse vocab.txt the way HF's load_vocab does: one token per line, id = line number. */
export function parseVocabTxt(text: string): Record<string, number> {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const vocab: Record<string, number> = {};
  lines.forEach((line, i) => {
    vocab[line.endsWith("\r") ? line.slice(0, -1) : line] = i;
  });
  return vocab;
}

export class NerTokenizer {
  /** The underlying `tokenizers` binding object (for anything not wrapped here). */
  readonly backend: BindingTokenizer;
  /** Where it was loaded from (directory or hub name). */
  readonly nameOrPath: string;
  readonly doLowerCase: boolean;
  /** Default `maxLength` for truncation (tokenizer_config model_max_length, else 512). */
  readonly modelMaxLength: number;
  /** Whether `decode` applies HF's clean_up_tokenization by default. */
  readonly cleanUpTokenizationSpaces: boolean;
  readonly clsToken: string;
  readonly sepToken: string;
  readonly padToken: string;
  readonly unkToken: string;
  readonly maskToken: string;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  readonly maskTokenId: number | null;
  /**
   * The model's continuing-subword prefix: tokenizer.json's `model.continuing_subword_prefix`
   * ("##" for WordPiece; also "##" for the WordPiece model built from vocab.txt), or null when
   * the model has none. The pipeline uses it to tell sub-words from words.
   */
  readonly continuingSubwordPrefix: string | null;
  /** Size of the vocabulary including added tokens. */
  readonly vocabSize: number;
  /** The single-sequence template ([CLS] $A [SEP] for BERT). */
  readonly template: SingleTemplate;
  /** Ids of the added special tokens (skipped by `decode({skipSpecialTokens: true})`). */
  readonly specialTokenIds: ReadonlySet<number>;

  private readonly config: TokenizerConfig;
  private readonly files: TokenizerFiles;
  private readonly wordCache = new Map<string, CachedWord>();

  private constructor(backend: BindingTokenizer, files: TokenizerFiles, nameOrPath: string, tk: TokenizersModule) {
    this.backend = backend;
    this.files = files;
    this.nameOrPath = nameOrPath;
    const config = parseTokenizerConfig(files.tokenizerConfigJson);
    const map = files.specialTokensMapJson
      ? parseTokenizerConfig(files.specialTokensMapJson, "special_tokens_map.json")
      : ({ raw: {} } as TokenizerConfig);
    this.config = config;
    const json: TokenizerJson | undefined = files.tokenizerJson
      ? (parseJsonText(files.tokenizerJson, "tokenizer.json", "tokenizer") as TokenizerJson)
      : undefined;

    this.clsToken = config.clsToken ?? map.clsToken ?? "[CLS]";
    this.sepToken = config.sepToken ?? map.sepToken ?? "[SEP]";
    this.padToken = config.padToken ?? map.padToken ?? "[PAD]";
    this.unkToken = config.unkToken ?? map.unkToken ?? json?.model?.unk_token ?? "[UNK]";
    this.maskToken = config.maskToken ?? map.maskToken ?? "[MASK]";
    const jsonPrefix = json?.model?.continuing_subword_prefix;
    this.continuingSubwordPrefix = json ? (typeof jsonPrefix === "string" ? jsonPrefix : null) : WORDPIECE_PREFIX;

    const normalizer = json?.normalizer as Record<string, unknown> | null | undefined;
    const jsonLower = normalizer?.type === "BertNormalizer" ? (normalizer.lowercase as boolean) : undefined;
    // HF: do_lower_case from tokenizer_config wins; BertTokenizer's default is true.
    this.doLowerCase = config.doLowerCase ?? jsonLower ?? (json ? false : true);
    if (json && normalizer?.type === "BertNormalizer") {
      // Like BertTokenizerFast.__init__: rebuild the normalizer when tokenizer_config disagrees with tokenizer.json.
      const stripAccents = config.stripAccents === undefined ? null : config.stripAccents;
      const chinese = config.tokenizeChineseChars ?? (normalizer.handle_chinese_chars as boolean);
      if (
        jsonLower !== this.doLowerCase ||
        (normalizer.strip_accents ?? null) !== stripAccents ||
        normalizer.handle_chinese_chars !== chinese
      ) {
        backend.setNormalizer(
          tk.bertNormalizer({
            cleanText: normalizer.clean_text as boolean,
            handleChineseChars: chinese,
            stripAccents: stripAccents ?? this.doLowerCase,
            lowercase: this.doLowerCase,
          }),
        );
      }
    }

    const lookup = (t: string): number | null => backend.tokenToId(t);
    const need = (t: string, role: string): number => {
      const id = lookup(t);
      if (id === null || id === undefined)
        throw new Error(`${nameOrPath}: ${role} token ${JSON.stringify(t)} is not in the vocabulary`);
      return id;
    };
    this.clsTokenId = need(this.clsToken, "cls");
    this.sepTokenId = need(this.sepToken, "sep");
    this.padTokenId = need(this.padToken, "pad");
    this.unkTokenId = need(this.unkToken, "unk");
    this.maskTokenId = lookup(this.maskToken) ?? null;
    this.vocabSize = backend.getVocabSize(true);
    this.modelMaxLength = config.modelMaxLength ?? DEFAULT_MAX_LENGTH;
    this.cleanUpTokenizationSpaces = config.cleanUpTokenizationSpaces ?? true;
    this.template = json
      ? templateFromPostProcessor(json.post_processor, lookup, `${nameOrPath}/tokenizer.json`)
      : {
          prefix: [{ id: this.clsTokenId, token: this.clsToken, typeId: 0 }],
          suffix: [{ id: this.sepTokenId, token: this.sepToken, typeId: 0 }],
          sequenceTypeId: 0,
        };
    const specials = json
      ? (json.added_tokens ?? []).filter((t) => t.special).map((t) => t.id)
      : [
          this.padTokenId,
          this.unkTokenId,
          this.clsTokenId,
          this.sepTokenId,
          ...(this.maskTokenId === null ? [] : [this.maskTokenId]),
        ];
    this.specialTokenIds = new Set(specials);
  }

  /**
   * Build from file contents: tokenizer.json when given, else vocab.txt with the BERT
   * pipeline (BertNormalizer per do_lower_case, BertPreTokenizer, WordPiece, [CLS] $A [SEP]).
   */
  static fromFiles(files: TokenizerFiles, nameOrPath = "<memory>"): NerTokenizer {
    // Loaded lazily so importing this module (e.g. for types, or `ner --help`) stays cheap.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the native tokenizers addon loads on first use
    const tk = require("tokenizers") as TokenizersModule;
    let backend: BindingTokenizer;
    if (files.tokenizerJson !== undefined) {
      backend = tk.Tokenizer.fromString(files.tokenizerJson);
    } else if (files.vocabTxt !== undefined) {
      const config = parseTokenizerConfig(files.tokenizerConfigJson);
      const lower = config.doLowerCase ?? true;
      const unk = config.unkToken ?? "[UNK]";
      const cls = config.clsToken ?? "[CLS]";
      const sep = config.sepToken ?? "[SEP]";
      const vocab = parseVocabTxt(files.vocabTxt);
      for (const t of [cls, sep, unk]) {
        if (vocab[t] === undefined) throw new Error(`${nameOrPath}/vocab.txt: special token ${t} missing`);
      }
      backend = new tk.Tokenizer(
        tk.WordPiece.init(vocab, {
          unkToken: unk,
          continuingSubwordPrefix: WORDPIECE_PREFIX,
          maxInputCharsPerWord: 100,
        }),
      );
      backend.setNormalizer(
        tk.bertNormalizer({
          cleanText: true,
          handleChineseChars: config.tokenizeChineseChars ?? true,
          stripAccents: config.stripAccents ?? lower,
          lowercase: lower,
        }),
      );
      backend.setPreTokenizer(tk.bertPreTokenizer());
      backend.setPostProcessor(tk.bertProcessing([sep, vocab[sep]], [cls, vocab[cls]]));
      backend.setDecoder(tk.wordPieceDecoder(WORDPIECE_PREFIX, true));
      const specials = [config.padToken ?? "[PAD]", unk, cls, sep, config.maskToken ?? "[MASK]"].filter(
        (t) => vocab[t] !== undefined,
      );
      backend.addSpecialTokens(specials);
    } else {
      throw new Error(`${nameOrPath}: neither tokenizer.json nor vocab.txt found`);
    }
    return new NerTokenizer(backend, files, nameOrPath, tk);
  }

  /** Load from a local directory holding tokenizer.json, or vocab.txt (+ tokenizer_config.json). */
  static fromDirectory(dir: string): NerTokenizer {
    if (!isDirectory(dir)) throw new Error(`tokenizer directory not found: ${dir}`);
    const files: TokenizerFiles = {
      tokenizerJson: readIfExists(path.join(dir, "tokenizer.json")),
      vocabTxt: readIfExists(path.join(dir, "vocab.txt")),
      tokenizerConfigJson: readIfExists(path.join(dir, "tokenizer_config.json")),
      specialTokensMapJson: readIfExists(path.join(dir, "special_tokens_map.json")),
    };
    if (files.tokenizerJson === undefined && files.vocabTxt === undefined) {
      throw new Error(`${dir}: neither tokenizer.json nor vocab.txt found`);
    }
    return NerTokenizer.fromFiles(files, dir);
  }

  /**
   * Load from a directory or a Hub repo name (e.g. "bert-base-cased"), resolved like every
   * model file: directory → $NER_MODELS_DIR → Hub cache → network (see src/hub/resolve.ts).
   */
  static async fromPretrained(nameOrDir: string, opts: FromPretrainedOptions = {}): Promise<NerTokenizer> {
    // require, not import(): under tsx's CommonJS hook (the `ner` CLI) import() goes through the ESM resolver.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: a local tokenizer needs no hub code
    const { resolveModelFile, hubCacheDir } = require("../hub/resolve") as typeof import("../hub/resolve");
    const resolve = (file: string) => resolveModelFile(nameOrDir, file, { ...opts, optional: true });
    let primary = await resolve("tokenizer.json");
    if (primary === null) {
      try {
        primary = await resolveModelFile(nameOrDir, "vocab.txt", opts);
      } catch (err) {
        // Say that either file would do, keeping the resolver's reason (offline, not found, ...).
        throw new Error(`${nameOrDir}: no tokenizer files (tokenizer.json or vocab.txt): ${(err as Error).message}`);
      }
    }
    if (primary === null) throw new Error(`${nameOrDir}: neither tokenizer.json nor vocab.txt found`);
    // A directory or local mirror is complete as it is: its missing optional files are absent,
    // not something to fetch. Only a Hub-cache snapshot may lack files the Hub has.
    const cacheRoot = path.resolve(opts.cacheDir ?? hubCacheDir());
    const fromCache = path.resolve(primary).startsWith(cacheRoot + path.sep);
    const dir = path.dirname(primary);
    const get = async (file: string): Promise<string | undefined> => {
      const local = readIfExists(path.join(dir, file));
      if (local !== undefined || !fromCache) return local;
      const p = await resolve(file);
      return p === null ? undefined : readTokenizerFile(p);
    };
    const files: TokenizerFiles = {
      tokenizerJson: path.basename(primary) === "tokenizer.json" ? readTokenizerFile(primary) : undefined,
      vocabTxt: path.basename(primary) === "vocab.txt" ? readTokenizerFile(primary) : undefined,
      tokenizerConfigJson: await get("tokenizer_config.json"),
      specialTokensMapJson: await get("special_tokens_map.json"),
    };
    return NerTokenizer.fromFiles(files, nameOrDir);
  }

  // ---------------------------------------------------------------- encoding

  /**
   * transformers' `tokenizer(...)`: one text or a batch of texts, or with `isSplitIntoWords` one
   * list of words or a batch of them. No truncation unless asked, as in Python.
   */
  call(input: string | string[] | string[][], opts: TokenizerCallOptions = {}): Promise<BatchEncoding> {
    return callTokenizer(this, input, opts);
  }

  /** Encode pre-split words (HF `tokenizer(words, is_split_into_words=True, truncation=True)`). */
  async encodeWords(words: string[], opts: EncodeWordsOptions = {}): Promise<WordsEncoding> {
    return (await this.encodeWordsBatch([words], opts))[0];
  }

  /** Encode a batch of pre-split sentences; with `padding` all come out the same length. */
  async encodeWordsBatch(batch: string[][], opts: EncodeWordsOptions & BatchOptions = {}): Promise<WordsEncoding[]> {
    const strategy: SplitWordsStrategy = opts.strategy ?? "per-word";
    const contents = strategy === "per-word" ? await this.perWordContents(batch) : await this.joinedContents(batch);
    const out = contents.map((c, i) => {
      const { enc, truncated } = this.finish(c, opts);
      const seen = new Uint8Array(batch[i].length);
      for (const w of c.wordIds) if (w !== null) seen[w] = 1;
      const emptyWords: number[] = [];
      for (let w = 0; w < seen.length; w++) if (!seen[w]) emptyWords.push(w);
      return { ...enc, numWords: batch[i].length, emptyWords, truncated };
    });
    return this.padBatch(out, opts);
  }

  /** Encode raw text; `offsets` are UTF-16 indices into `text`, `wordIds` the pre-tokenizer's words. */
  async encodeText(text: string, opts: EncodeOptions = {}): Promise<TextEncoding> {
    return (await this.encodeTextBatch([text], opts))[0];
  }

  /** Encode several raw texts. */
  async encodeTextBatch(texts: string[], opts: EncodeOptions & BatchOptions = {}): Promise<TextEncoding[]> {
    const encs = await this.backend.encodeBatch(texts, { addSpecialTokens: false });
    const out = encs.map((e, i) => {
      const c = readContent(e, true);
      c.wordIds = e.getWordIds().map((w) => (w === undefined ? null : w));
      c.offsets = toUtf16Offsets(texts[i], c.offsets as [number, number][]);
      const { enc, truncated } = this.finish(c, opts);
      return { ...enc, offsets: enc.offsets as [number, number][], truncated };
    });
    return this.padBatch(out, opts);
  }

  /** Forget cached word encodings (they are a pure function of the word; this only frees memory). */
  clearCache(): void {
    this.wordCache.clear();
  }

  private async perWordContents(batch: string[][]): Promise<Content[]> {
    const cache = this.wordCache;
    const missing = new Set<string>();
    for (const words of batch) for (const w of words) if (!cache.has(w)) missing.add(w);
    if (missing.size > 0) {
      if (cache.size + missing.size > WORD_CACHE_LIMIT) cache.clear();
      const list = [...missing];
      const encs = await this.backend.encodeBatch(list, { addSpecialTokens: false });
      for (let i = 0; i < list.length; i++) {
        const e = encs[i];
        cache.set(list[i], { ids: e.getIds(), tokens: e.getTokens(), special: e.getSpecialTokensMask() });
      }
    }
    return batch.map((words) => {
      const c: Content = { ids: [], tokens: [], special: [], wordIds: [] };
      for (let w = 0; w < words.length; w++) {
        const hit = cache.get(words[w]) as CachedWord;
        for (let k = 0; k < hit.ids.length; k++) {
          c.ids.push(hit.ids[k]);
          c.tokens.push(hit.tokens[k]);
          c.special.push(hit.special[k]);
          c.wordIds.push(w);
        }
      }
      return c;
    });
  }

  private async joinedContents(batch: string[][]): Promise<Content[]> {
    const encs = await this.backend.encodeBatch(
      batch.map((words) => words.join(" ")),
      { addSpecialTokens: false },
    );
    return encs.map((e, i) => {
      const words = batch[i];
      // starts[w] = code-point offset of word w in the joined string (strictly increasing).
      const starts = new Array<number>(words.length);
      let pos = 0;
      for (let w = 0; w < words.length; w++) {
        starts[w] = pos;
        pos += codePointLength(words[w]) + 1;
      }
      const c = readContent(e, true);
      let w = 0;
      c.wordIds = (c.offsets as [number, number][]).map(([s]) => {
        while (w + 1 < starts.length && starts[w + 1] <= s) w++;
        return w;
      });
      delete c.offsets;
      return c;
    });
  }

  /** Right-truncate the content to fit `maxLength` with the template, then add the template. */
  private finish(
    c: Content,
    opts: EncodeOptions,
  ): { enc: Encoding & { offsets?: [number, number][] }; truncated: boolean } {
    const special = opts.addSpecialTokens ?? true;
    const t = this.template;
    const added = special ? t.prefix.length + t.suffix.length : 0;
    const maxLength = opts.maxLength ?? this.modelMaxLength;
    let n = c.ids.length;
    let truncated = false;
    if ((opts.truncation ?? true) && n + added > maxLength) {
      n = Math.max(0, maxLength - added);
      truncated = true;
    }
    const pre = special ? t.prefix : [];
    const suf = special ? t.suffix : [];
    // Plain loops into preallocated arrays: this runs once per sentence on whole corpora.
    const total = pre.length + n + suf.length;
    const inputIds = new Array<number>(total);
    const tokenTypeIds = new Array<number>(total);
    const specialTokensMask = new Array<number>(total);
    const tokens = new Array<string>(total);
    const wordIds = new Array<number | null>(total);
    const offsets = c.offsets ? new Array<[number, number]>(total) : undefined;
    let k = 0;
    const putSpecials = (list: typeof pre): void => {
      for (const p of list) {
        inputIds[k] = p.id;
        tokenTypeIds[k] = p.typeId;
        specialTokensMask[k] = 1;
        tokens[k] = p.token;
        wordIds[k] = null;
        if (offsets) offsets[k] = [0, 0];
        k++;
      }
    };
    putSpecials(pre);
    for (let i = 0; i < n; i++, k++) {
      inputIds[k] = c.ids[i];
      tokenTypeIds[k] = t.sequenceTypeId;
      specialTokensMask[k] = c.special[i];
      tokens[k] = c.tokens[i];
      wordIds[k] = c.wordIds[i];
      if (offsets) offsets[k] = (c.offsets as [number, number][])[i];
    }
    putSpecials(suf);
    const enc: Encoding & { offsets?: [number, number][] } = {
      inputIds,
      attentionMask: new Array<number>(total).fill(1),
      tokenTypeIds,
      specialTokensMask,
      tokens,
      wordIds,
    };
    if (offsets) enc.offsets = offsets;
    return { enc, truncated };
  }

  private padBatch<E extends Encoding>(encs: E[], opts: EncodeOptions & BatchOptions): E[] {
    const padding = opts.padding === true ? "longest" : (opts.padding ?? false);
    if (padding === false) return encs;
    const target = padding === "max_length" ? (opts.maxLength ?? this.modelMaxLength) : undefined;
    const len = paddedLength(
      encs.map((e) => e.inputIds.length),
      target,
      opts.padToMultipleOf,
    );
    for (const e of encs) padEncoding(e, len, { padTokenId: this.padTokenId, padToken: this.padToken });
    return encs;
  }

  // ---------------------------------------------------------------- ids, tokens, text

  /** Token strings of ids (HF convert_ids_to_tokens); throws on an id outside the vocabulary. */
  convertIdsToTokens(ids: number[]): string[] {
    return ids.map((id) => {
      const t = this.backend.idToToken(id);
      if (t === null || t === undefined)
        throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      return t;
    });
  }

  /** Ids of token strings (HF convert_tokens_to_ids); unknown tokens give the [UNK] id. */
  convertTokensToIds(tokens: string[]): number[] {
    return tokens.map((t) => this.backend.tokenToId(t) ?? this.unkTokenId);
  }

  /** Join sub-word tokens into text with the tokenizer's decoder (HF convert_tokens_to_string). */
  convertTokensToString(tokens: string[]): string {
    const dec = this.backend.getDecoder();
    return dec ? dec.decode(tokens) : tokens.join(" ");
  }

  /**
   * Text of ids, as transformers' fast-tokenizer `decode`: the Rust decoder (WordPiece:
   * "##" merging plus its per-token cleanup), then — when `cleanUpTokenizationSpaces`
   * (default: tokenizer_config's value, true for BERT) — HF's clean_up_tokenization.
   */
  decode(ids: number[], opts: { skipSpecialTokens?: boolean; cleanUpTokenizationSpaces?: boolean } = {}): string {
    const kept = opts.skipSpecialTokens ? ids.filter((id) => !this.specialTokenIds.has(id)) : ids;
    const text = this.convertTokensToString(this.convertIdsToTokens(kept));
    return (opts.cleanUpTokenizationSpaces ?? this.cleanUpTokenizationSpaces) ? cleanUpTokenization(text) : text;
  }

  /** The vocabulary (token → id), added tokens included. */
  getVocab(): Record<string, number> {
    return this.backend.getVocab(true);
  }

  /**
   * Write tokenizer.json, tokenizer_config.json, special_tokens_map.json and (for WordPiece)
   * vocab.txt into `dir`, each atomically; other files in `dir` (model weights) are kept.
   */
  save(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-tok-"));
    try {
      const tmpFile = path.join(tmp, "tokenizer.json");
      this.backend.save(tmpFile, true);
      writeFileAtomic(path.join(dir, "tokenizer.json"), fs.readFileSync(tmpFile));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const config = {
      ...this.config.raw,
      do_lower_case: this.doLowerCase,
      model_max_length: this.modelMaxLength,
      clean_up_tokenization_spaces: this.cleanUpTokenizationSpaces,
      cls_token: this.clsToken,
      sep_token: this.sepToken,
      pad_token: this.padToken,
      unk_token: this.unkToken,
      mask_token: this.maskToken,
      tokenizer_class: this.config.tokenizerClass ?? "BertTokenizer",
    };
    writeFileAtomic(path.join(dir, "tokenizer_config.json"), JSON.stringify(config, null, 2) + "\n");
    const map = {
      cls_token: this.clsToken,
      mask_token: this.maskToken,
      pad_token: this.padToken,
      sep_token: this.sepToken,
      unk_token: this.unkToken,
    };
    writeFileAtomic(path.join(dir, "special_tokens_map.json"), JSON.stringify(map, null, 2) + "\n");
    const vocab = this.files.vocabTxt ?? vocabTxtFromVocab(this.backend.getVocab(false));
    if (vocab !== undefined) writeFileAtomic(path.join(dir, "vocab.txt"), vocab);
  }
}

/** vocab.txt text from a contiguous token→id map (undefined when ids have gaps). */
function vocabTxtFromVocab(vocab: Record<string, number>): string | undefined {
  const tokens: string[] = [];
  for (const [t, id] of Object.entries(vocab)) tokens[id] = t;
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) return undefined;
  return tokens.map((t) => t + "\n").join("");
}

function readContent(e: BindingEncoding, withOffsets: boolean): Content {
  return {
    ids: e.getIds(),
    tokens: e.getTokens(),
    special: e.getSpecialTokensMask(),
    wordIds: [],
    offsets: withOffsets ? (e.getOffsets() as [number, number][]) : undefined,
  };
}
