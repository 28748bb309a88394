/**
 * The smoke profile's model: the tutorial model's architecture scaled down and randomly
 * initialised from a seed (no weights are read or downloaded, only config.json, which
 * NER_MODELS_DIR or the HF cache provides offline). The full profile calls
 * `AutoModelForTokenClassification.fromPretrained` in the notebook cell itself, as the tutorials do.
 */
import { resolveModelFile } from "../hub/resolve";
import { AutoModelForTokenClassification, randomInit } from "../models/auto";
import { configFromHf, readHfConfigFile } from "../models/config";
import type { EncoderForTokenClassification } from "../models/base";
import { NotebookSettings, scaleDownHfConfig } from "./profile";

/**
 * The label arguments of `from_pretrained` (num_labels, id2label, label2id). With `numLabels` alone
 * (as tutorials 02–04 call it) the config gets HF's generic names LABEL_0 … LABEL_{n-1}.
 */
export interface NotebookLabels {
  numLabels?: number;
  id2label?: Record<number, string>;
  label2id?: Record<string, number>;
}

function labelOptions(labels: NotebookLabels): {
  numLabels: number;
  id2label?: Record<number, string>;
  label2id?: Record<string, number>;
} {
  const numLabels = labels.numLabels ?? Object.keys(labels.id2label ?? {}).length;
  if (!(numLabels > 0)) throw new Error("notebook model: pass numLabels or id2label");
  return { numLabels, id2label: labels.id2label, label2id: labels.label2id };
}

/** The tutorial model's config scaled to `settings.smokeModel`, random weights from `settings.initSeed`. */
export async function smokeModel(
  settings: NotebookSettings,
  labels: NotebookLabels,
): Promise<EncoderForTokenClassification> {
  if (!settings.smokeModel) throw new Error(`smokeModel: the ${settings.profile} profile has no smoke model size`);
  const labelOpts = labelOptions(labels);
  const configPath = (await resolveModelFile(settings.model, "config.json"))!;
  const raw = readHfConfigFile(configPath);
  const config = configFromHf(scaleDownHfConfig(raw, settings.smokeModel), labelOpts, configPath);
  return randomInit(config, settings.initSeed);
}

/** Build (smoke) or load (full) the notebook's model with the corpus's labels. */
export async function loadNotebookModel(
  settings: NotebookSettings,
  labels: NotebookLabels,
): Promise<EncoderForTokenClassification> {
  if (settings.randomInit) return smokeModel(settings, labels);
  return AutoModelForTokenClassification.fromPretrained(settings.model, {
    ...labelOptions(labels),
    seed: settings.initSeed,
  });
}

/** Number of trainable parameters (for the model summary cell): the model's own `numParameters()`. */
export function parameterCount(model: { numParameters(): number }): number {
  return model.numParameters();
}
