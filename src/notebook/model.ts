/**
 * The smoke profile's model: the tutorial model's architecture scaled down and randomly
 * initialised from a seed (no weights are read or downloaded, only config.json, which
 * NER_MODELS_DIR or the HF cache provides offline). The full profile calls
 * `AutoModelForTokenClassification.fromPretrained` in the notebook cell itself, as the tutorials do.
 */
import * as fs from "fs";
import { resolveModelFile } from "../hub/resolve";
import { AutoModelForTokenClassification, randomInit } from "../models/auto";
import { configFromHf } from "../models/config";
import type { EncoderForTokenClassification } from "../models/base";
import { NotebookSettings, scaleDownHfConfig } from "./profile";

/** The label arguments of `from_pretrained` (num_labels, id2label, label2id). */
export interface NotebookLabels {
  numLabels?: number;
  id2label: Record<number, string>;
  label2id: Record<string, number>;
}

/** The tutorial model's config scaled to `settings.smokeModel`, random weights from `settings.initSeed`. */
export async function smokeModel(settings: NotebookSettings, labels: NotebookLabels): Promise<EncoderForTokenClassification> {
  if (!settings.smokeModel) throw new Error(`smokeModel: the ${settings.profile} profile has no smoke model size`);
  const labelOpts = { numLabels: labels.numLabels ?? Object.keys(labels.id2label).length, id2label: labels.id2label, label2id: labels.label2id };
  const configPath = (await resolveModelFile(settings.model, "config.json"))!;
  const raw = JSON.parse(fs.readFileSync(configPath, "utf8")) as Record<string, unknown>;
  const config = configFromHf(scaleDownHfConfig(raw, settings.smokeModel), labelOpts, configPath);
  return randomInit(config, settings.initSeed);
}

/** Build (smoke) or load (full) the notebook's model with the corpus's labels. */
export async function loadNotebookModel(settings: NotebookSettings, labels: NotebookLabels): Promise<EncoderForTokenClassification> {
  if (settings.randomInit) return smokeModel(settings, labels);
  const numLabels = labels.numLabels ?? Object.keys(labels.id2label).length;
  return AutoModelForTokenClassification.fromPretrained(settings.model, { numLabels, id2label: labels.id2label, label2id: labels.label2id, seed: settings.initSeed });
}

/** Number of trainable parameters (for the model summary cell): the model's own `numParameters()`. */
export function parameterCount(model: { numParameters(): number }): number {
  return model.numParameters();
}
