/**
 * The token-classification pipeline on a model and tokenizer instance: tokenize (UTF-16 offsets,
 * special-token mask) → split into windows (truncation, or `stride` overlap) → forward → float32
 * softmax → the pure stages of ./stages. No file system and no Node tokenizer binding here, so
 * the same code runs in the exported web page (src/export) as in `pipeline()` (./pipeline).
 */
import * as tf from "@tensorflow/tfjs";
import { padFeatures } from "../collator/pad";
import { allFinite, NON_FINITE_LOGITS_WARNING } from "../util/finite";
import { softmaxRows } from "./softmax";
import { mergeOverlappingEntities, postprocessWindow, type Id2Label } from "./stages";
import { AGGREGATION_STRATEGIES, type AggregationStrategy, type EncodedWindow, type PipelineEntity } from "./types";
import { splitIntoWindows } from "./windows";

/** What the pipeline needs from a tokenizer (satisfied by `NerTokenizer`). */
export interface PipelineTokenizer {
  encodeText(
    text: string,
    opts?: { truncation?: boolean; addSpecialTokens?: boolean },
  ): Promise<{ inputIds: number[]; tokens: string[]; offsets: [number, number][]; specialTokensMask: number[] }>;
  /** HF `convert_tokens_to_string` (the tokenizer's decoder). */
  convertTokensToString(tokens: string[]): string;
  readonly unkTokenId: number;
  readonly padTokenId: number;
  /** HF `model_max_length` (512 for BERT-family checkpoints). */
  readonly modelMaxLength: number;
  /**
   * Continuing-subword prefix of the tokenizer model ("##" for WordPiece), or null when the model
   * has none (then HF's word-boundary heuristic decides what is a sub-word).
   */
  readonly continuingSubwordPrefix: string | null;
}

/** What the pipeline needs from a model (satisfied by `TokenClassificationModel`). */
export interface PipelineModel {
  readonly config: { id2label: Record<number, string>; modelType?: string; typeVocabSize?: number };
  forward(
    inputs: { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds?: tf.Tensor2D },
    opts?: { training?: boolean },
  ): tf.Tensor3D;
  dispose(): void;
}

/** Options of {@link pipeline}; per-call overrides take the same names. */
export interface TokenClassificationOptions {
  /** A model instance, or (with `pipeline()`) a local directory / hub name to load one from. */
  model: PipelineModel | string;
  /** A tokenizer instance, or a directory / hub name; defaults to the model's when `model` is a string. */
  tokenizer?: PipelineTokenizer | string;
  /** Default "none" (as in Hugging Face). */
  aggregationStrategy?: AggregationStrategy;
  /** Labels (or entity groups) left out of the result. Default ["O"]. */
  ignoreLabels?: string[];
  /**
   * Process long texts in overlapping windows of `modelMaxLength` tokens that share `stride`
   * tokens, instead of truncating. Needs an aggregation strategy other than "none".
   */
  stride?: number;
  /** Windows per forward pass (padded to the longest). Default 8. */
  batchSize?: number;
  /**
   * Called for each text cut at `modelMaxLength` tokens (no `stride`): Hugging Face truncates
   * silently, so the default says nothing; the CLI uses it to tell the user and point to `stride`.
   */
  onTruncate?: (info: TruncationInfo) => void;
  /** Told once per pipeline when the model's logits hold NaN or Inf (broken weights); default console.warn. */
  onNonFiniteLogits?: (warning: string) => void;
}

/** A text that was longer than the model accepts and was cut (see `onTruncate`). */
export interface TruncationInfo {
  /** Index of the text in the call's input. */
  index: number;
  /** Tokens of the whole text (special tokens included) and the most the model takes. */
  tokens: number;
  maxLength: number;
  /** UTF-16 offset where the classified part of the text ends. */
  keptChars: number;
}

/** Options that may change per call. */
export type CallOptions = Partial<
  Pick<TokenClassificationOptions, "aggregationStrategy" | "ignoreLabels" | "stride" | "batchSize" | "onTruncate">
>;

/** The callable returned by {@link pipeline}. */
export interface TokenClassifier {
  (text: string, opts?: CallOptions): Promise<PipelineEntity[]>;
  (texts: string[], opts?: CallOptions): Promise<PipelineEntity[][]>;
  readonly model: PipelineModel;
  readonly tokenizer: PipelineTokenizer;
  /** The effective defaults. */
  readonly options: Required<Pick<TokenClassificationOptions, "aggregationStrategy" | "ignoreLabels" | "batchSize">> & {
    stride?: number;
  };
  /** Release the model's weights if the pipeline loaded it itself (a model passed in stays yours). */
  dispose(): void;
}

/** Validate and normalise an aggregation strategy name (case-insensitive, like HF's enum lookup). */
export function parseAggregationStrategy(value: string): AggregationStrategy {
  const v = value.toLowerCase();
  if ((AGGREGATION_STRATEGIES as readonly string[]).includes(v)) return v as AggregationStrategy;
  throw new Error(
    `Unknown aggregation strategy ${JSON.stringify(value)}: expected one of ${AGGREGATION_STRATEGIES.join(", ")}`,
  );
}

function checkOptions(strategy: AggregationStrategy, stride: number | undefined, tokenizer: PipelineTokenizer): void {
  if (stride === undefined) return;
  if (!Number.isInteger(stride) || stride < 0) throw new Error(`stride must be a non-negative integer, got ${stride}`);
  if (stride >= tokenizer.modelMaxLength) {
    throw new Error(
      "`stride` must be less than `tokenizer.modelMaxLength` (or even lower if the tokenizer adds special tokens)",
    );
  }
  if (strategy === "none") {
    throw new Error(
      '`stride` was provided to process all the text but aggregationStrategy="none", please select ' +
        "another one instead.",
    );
  }
}

/** Logits of each window, as float32 arrays of [windowLength × numLabels]; tensors are disposed. */
async function runModel(
  model: PipelineModel,
  windows: EncodedWindow[],
  padTokenId: number,
  batchSize: number,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let b = 0; b < windows.length; b += batchSize) {
    const batch = windows.slice(b, b + batchSize);
    // The collator's padding rule: ids with the pad token, mask 1 on real tokens, token types 0.
    const padded = padFeatures(
      batch.map((w) => ({ inputIds: w.inputIds })),
      { padTokenId },
    );
    const width = padded.seqLength;
    const logits = tf.tidy(() => {
      const shape: [number, number] = [batch.length, width];
      const inputIds = tf.tensor2d(padded.inputIds, shape, "int32");
      const attentionMask = tf.tensor2d(padded.attentionMask, shape, "int32");
      const tokenTypeIds = tf.tensor2d(padded.tokenTypeIds, shape, "int32");
      return model.forward({ inputIds, attentionMask, tokenTypeIds }, { training: false });
    });
    let data: Float32Array;
    try {
      data = (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
    const numLabels = logits.shape[2];
    batch.forEach((w, i) => {
      const start = i * width * numLabels;
      out.push(Float32Array.from(data.subarray(start, start + w.inputIds.length * numLabels)));
    });
  }
  return out;
}

/** Options of {@link createTokenClassifier}: those of `pipeline()` without the loading ones. */
export type ClassifierOptions = Omit<TokenClassificationOptions, "model" | "tokenizer">;

/**
 * The pipeline over a model and a tokenizer you already have (what `pipeline()` returns once it
 * has loaded them). `ownsModel`: whether `dispose()` frees the model.
 */
export function createTokenClassifier(
  model: PipelineModel,
  tokenizer: PipelineTokenizer,
  opts: ClassifierOptions = {},
  ownsModel = false,
): TokenClassifier {
  const defaults = {
    aggregationStrategy: parseAggregationStrategy(opts.aggregationStrategy ?? "none"),
    ignoreLabels: opts.ignoreLabels ?? ["O"],
    batchSize: opts.batchSize ?? 8,
    stride: opts.stride,
  };
  checkOptions(defaults.aggregationStrategy, defaults.stride, tokenizer);
  const id2label: Id2Label = model.config.id2label;
  const prefix = tokenizer.continuingSubwordPrefix;
  const tokensToString = (tokens: string[]): string => tokenizer.convertTokensToString(tokens);
  let warnedNonFinite = false;

  async function classify(texts: string[], call: CallOptions): Promise<PipelineEntity[][]> {
    const strategy = parseAggregationStrategy(call.aggregationStrategy ?? defaults.aggregationStrategy);
    const stride = "stride" in call ? call.stride : defaults.stride;
    const ignoreLabels = call.ignoreLabels ?? defaults.ignoreLabels;
    const batchSize = call.batchSize ?? defaults.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    checkOptions(strategy, stride, tokenizer);
    const windowsPerText: EncodedWindow[][] = [];
    for (const [i, text] of texts.entries()) {
      if (typeof text !== "string") throw new Error(`input ${i} is not a string (got ${typeof text})`);
      const enc = await tokenizer.encodeText(text, { truncation: false });
      const windows = splitIntoWindows(enc, { modelMaxLength: tokenizer.modelMaxLength, stride });
      const onTruncate = call.onTruncate ?? opts.onTruncate;
      if (onTruncate && stride === undefined && enc.inputIds.length > tokenizer.modelMaxLength) {
        const kept = windows[0];
        let keptChars = 0;
        kept.offsets.forEach(([, end], k) => {
          if (!kept.specialTokensMask[k]) keptChars = Math.max(keptChars, end);
        });
        onTruncate({ index: i, tokens: enc.inputIds.length, maxLength: tokenizer.modelMaxLength, keptChars });
      }
      windowsPerText.push(windows);
    }
    const logits = await runModel(model, windowsPerText.flat(), tokenizer.padTokenId, batchSize);
    if (!warnedNonFinite && !logits.every((rows) => allFinite(rows))) {
      warnedNonFinite = true;
      (opts.onNonFiniteLogits ?? ((w: string) => console.warn(w)))(NON_FINITE_LOGITS_WARNING);
    }
    const numLabels = Object.keys(id2label).length;
    let next = 0;
    return texts.map((text, i) => {
      const windows = windowsPerText[i];
      const entities = windows.flatMap((window) => {
        const rows = logits[next++];
        const labelsPerRow = rows.length / window.inputIds.length;
        if (labelsPerRow !== numLabels)
          throw new Error(`model returned ${labelsPerRow} logits per token but id2label has ${numLabels} labels`);
        const scores = softmaxRows(rows, numLabels);
        return postprocessWindow(text, window, scores, {
          strategy,
          id2label,
          tokensToString,
          ignoreLabels,
          unkTokenId: tokenizer.unkTokenId,
          continuingSubwordPrefix: prefix,
        });
      });
      return windows.length > 1 ? mergeOverlappingEntities(entities) : entities;
    });
  }

  const run = async (
    inputs: string | string[],
    call: CallOptions = {},
  ): Promise<PipelineEntity[] | PipelineEntity[][]> => {
    if (typeof inputs === "string") return (await classify([inputs], call))[0];
    if (!Array.isArray(inputs) || inputs.length === 0) throw new Error("At least one input is required.");
    return classify(inputs, call);
  };
  let disposed = false;
  const classifier = Object.assign(run, {
    model,
    tokenizer,
    options: defaults,
    dispose(): void {
      if (ownsModel && !disposed) model.dispose();
      disposed = true;
    },
  });
  return classifier as unknown as TokenClassifier;
}
