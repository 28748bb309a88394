/**
 * Building models: from a Hugging Face checkpoint (`fromPretrained`) or from scratch (`randomInit`).
 */
import * as tf from "@tensorflow/tfjs";
import { resolveModelFile } from "../hub/resolve";
import { Rng } from "../util/random";
import { CONFIG_FILE, type EncoderForTokenClassification } from "./base";
import { BertForTokenClassification } from "./bert";
import {
  checkModelFits,
  configFromHf,
  readHfConfigFile,
  type LabelOptions,
  type ModelType,
  type TokenClassificationConfig,
} from "./config";
import { DistilBertForTokenClassification } from "./distilbert";
import { initialValues } from "./init";
import type { CheckpointTensor } from "./safetensors";
import { readWeightFiles, resolveWeightFiles, WEIGHT_FILE_NAMES } from "./weightFiles";
import { createVariables, type ParamSpec } from "./weights";

interface ArchitectureClass {
  readonly basePrefix: string;
  readonly name: string;
  paramSpecs(config: TokenClassificationConfig): ParamSpec[];
  new (config: TokenClassificationConfig, params: Map<string, tf.Variable>): EncoderForTokenClassification;
}

const ARCHITECTURES: Record<ModelType, ArchitectureClass> = {
  distilbert: DistilBertForTokenClassification,
  bert: BertForTokenClassification,
};

/** What happened to each checkpoint key while loading (HF's `output_loading_info`). */
export interface LoadingInfo {
  /** Model parameters absent from the checkpoint (freshly initialised). */
  missingKeys: string[];
  /** Checkpoint tensors the model does not use. */
  unexpectedKeys: string[];
  /** Parameters whose checkpoint shape differed (freshly initialised; only with ignoreMismatchedSizes). */
  mismatchedKeys: { key: string; checkpointShape: number[]; modelShape: number[] }[];
}

export interface FromPretrainedOptions extends LabelOptions {
  /** Hub revision (branch, tag or commit). */
  revision?: string;
  /** Seed for freshly initialised parameters (e.g. a new classifier head); default 42. */
  seed?: number;
  /**
   * Re-initialise parameters whose shapes differ from the checkpoint instead of failing (HF's ignore_mismatched_sizes).
   */
  ignoreMismatchedSizes?: boolean;
  /** Where loading messages go (default: stderr); `null` silences them. */
  log?: ((message: string) => void) | null;
  /**
   * Refuse a checkpoint that supplies none of the encoder's weights (an empty state dict, a
   * safetensors `{}`): inference on it would run on random weights. Fine-tuning (the default)
   * accepts it with HF's "newly initialized" notice.
   */
  requireEncoderWeights?: boolean;
}

/** A model plus what loading it found. */
export type LoadedModel = EncoderForTokenClassification & { loadingInfo?: LoadingInfo };

/** Keys that HF ignores silently (non-persistent buffers saved by older versions). */
const IGNORED_UNEXPECTED = [/\.position_ids$/];

/**
 * Mirror of `transformers.AutoModelForTokenClassification`: picks DistilBERT or BERT from
 * `config.json`'s `model_type`.
 */
export class AutoModelForTokenClassification {
  /**
   * Load `config.json` + weights from a directory or Hub repo (resolved like the tokenizer:
   * directory → NER_MODELS_DIR → HF cache → network). Weights are read, as in HF, from
   * model.safetensors, its shard index, pytorch_model.bin or its shard index, in that order.
   * Label options replace the checkpoint's labels; a missing or resized classifier is
   * initialised fresh and announced.
   */
  static async fromPretrained(nameOrDir: string, opts: FromPretrainedOptions = {}): Promise<LoadedModel> {
    const configPath = (await resolveModelFile(nameOrDir, CONFIG_FILE, { revision: opts.revision }))!;
    const config = configFromHf(readHfConfigFile(configPath, nameOrDir), opts, configPath);
    const weights = await resolveWeightFiles(nameOrDir, { revision: opts.revision });
    if (weights === null) {
      throw new Error(
        `${nameOrDir}: no weights found (looked for ${WEIGHT_FILE_NAMES.join(", ")}; its config.json ` +
          `is ${configPath}). ` +
          `Start from random weights with randomInit(config, seed) instead`,
      );
    }
    checkModelFits(config, tf.getBackend(), configPath);
    const weightsSource = weights.index ? weights.index.file : weights.files.join(", ");
    return loadFromTensors(config, readWeightFiles(weights), { ...opts, source: nameOrDir, weightsSource });
  }

  /** A freshly initialised model (HF init) for `config`. */
  static fromConfig(config: TokenClassificationConfig, seed = 42): EncoderForTokenClassification {
    return randomInit(config, seed);
  }
}

/** A model with HF's random initialisation, reproducible from `seed`. */
export function randomInit(config: TokenClassificationConfig, seed: number): EncoderForTokenClassification {
  const arch = ARCHITECTURES[config.modelType];
  checkModelFits(config, tf.getBackend(), "model config");
  const rng = new Rng(seed);
  const params = createVariables(arch.paramSpecs(config), (spec) => initialValues(spec, config.initializerRange, rng));
  return new arch(config, params);
}

/** HF checkpoints from before LayerNorm was renamed store `gamma`/`beta`. */
function normaliseKey(key: string): string {
  if (/(LayerNorm|layer_norm)\.gamma$/.test(key)) return key.replace(/\.gamma$/, ".weight");
  if (/(LayerNorm|layer_norm)\.beta$/.test(key)) return key.replace(/\.beta$/, ".bias");
  return key;
}

/** Build a model from checkpoint tensors (exported for tests and in-memory checkpoints). */
export function loadFromTensors(
  config: TokenClassificationConfig,
  tensors: Map<string, CheckpointTensor>,
  opts: FromPretrainedOptions & { source?: string; weightsSource?: string } = {},
): LoadedModel {
  const arch = ARCHITECTURES[config.modelType];
  const source = opts.source ?? "checkpoint";
  const specs = arch.paramSpecs(config);
  const byKey = new Map<string, CheckpointTensor>();
  for (const [k, v] of tensors) byKey.set(normaliseKey(k), v);
  // A bare encoder checkpoint (DistilBertModel/BertModel saved alone) has no "<prefix>." on its keys.
  const prefix = arch.basePrefix + ".";
  const hasPrefix = [...byKey.keys()].some((k) => k.startsWith(prefix));
  const lookupKey = (name: string): string =>
    hasPrefix || !name.startsWith(prefix) ? name : name.slice(prefix.length);
  if (opts.requireEncoderWeights && !specs.some((s) => s.name.startsWith(prefix) && byKey.has(lookupKey(s.name)))) {
    throw new Error(
      `${opts.weightsSource ?? source}: the checkpoint supplies none of the encoder's weights ` +
        `(${tensors.size} tensors, ` +
        `no "${specs[0].name}" or the like); predictions would come from random weights`,
    );
  }

  const rng = new Rng(opts.seed ?? 42);
  const info: LoadingInfo = { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] };
  const used = new Set<string>();
  const params = createVariables(specs, (spec) => {
    const key = lookupKey(spec.name);
    const entry = byKey.get(key);
    if (entry === undefined) {
      info.missingKeys.push(spec.name);
      return initialValues(spec, config.initializerRange, rng);
    }
    used.add(key);
    if (entry.shape.length !== spec.hfShape.length || entry.shape.some((d, i) => d !== spec.hfShape[i])) {
      if (!opts.ignoreMismatchedSizes) {
        throw new Error(
          `${source}: size mismatch for ${spec.name}: the checkpoint has shape [${entry.shape}], the ` +
            `model needs [${spec.hfShape}]` +
            (spec.name.startsWith("classifier.")
              ? " (different number of labels: pass ignoreMismatchedSizes: true to start a fresh head)"
              : ""),
        );
      }
      info.mismatchedKeys.push({ key: spec.name, checkpointShape: entry.shape, modelShape: spec.hfShape });
      return initialValues(spec, config.initializerRange, rng);
    }
    return entry.toFloat32();
  });
  for (const k of tensors.keys()) {
    const nk = normaliseKey(k);
    if (!used.has(nk) && !IGNORED_UNEXPECTED.some((re) => re.test(nk))) info.unexpectedKeys.push(k);
  }
  const model = new arch(config, params) as LoadedModel;
  model.loadingInfo = info;
  reportLoading(arch.name, source, info, opts.log === undefined ? (m) => process.stderr.write(m + "\n") : opts.log);
  return model;
}

/** The messages HF's `from_pretrained` prints about missing/unexpected/mismatched keys. */
function reportLoading(archName: string, source: string, info: LoadingInfo, log: ((m: string) => void) | null): void {
  if (!log) return;
  if (info.unexpectedKeys.length > 0) {
    log(
      `Some weights of the model checkpoint at ${source} were not used when initializing ` +
        `${archName}: ${JSON.stringify(info.unexpectedKeys)}\n` +
        `- This IS expected if you are initializing ${archName} from the checkpoint of a model ` +
        `trained on another task or with another architecture.\n` +
        `- This IS NOT expected if you are initializing ${archName} from the checkpoint of a model ` +
        `that you expect to be exactly identical.`,
    );
  }
  if (info.missingKeys.length > 0) {
    log(
      `Some weights of ${archName} were not initialized from the model checkpoint at ${source} and ` +
        `are newly initialized: ${JSON.stringify(info.missingKeys)}\n` +
        `You should probably TRAIN this model on a down-stream task to be able to use it for ` +
        `predictions and inference.`,
    );
  }
  if (info.mismatchedKeys.length > 0) {
    const lines = info.mismatchedKeys.map(
      (m) =>
        `- ${m.key}: found shape [${m.checkpointShape}] in the checkpoint and [${m.modelShape}] in ` +
        `the model instantiated`,
    );
    log(
      `Some weights of ${archName} were not initialized from the model checkpoint at ${source} and ` +
        `are newly initialized because the shapes did not match:\n` +
        lines.join("\n") +
        `\nYou should probably TRAIN this model on a down-stream task to be able to use it for ` +
        `predictions and inference.`,
    );
  }
}
