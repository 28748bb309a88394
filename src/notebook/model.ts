/**
 * The model a notebook trains, per profile: the tutorial's pretrained hub model (full), or the same
 * architecture scaled down and randomly initialised from a seed (smoke: no weights are read or
 * downloaded, only config.json, which NER_MODELS_DIR or the HF cache provides offline).
 */
import * as fs from "fs";
import { resolveModelFile } from "../hub/resolve";
import { AutoModelForTokenClassification, randomInit } from "../models/auto";
import { configFromHf } from "../models/config";
import type { EncoderForTokenClassification } from "../models/base";
import { NotebookSettings, scaleDownHfConfig } from "./profile";

/** Label maps as the data layer provides them. */
export interface NotebookLabels {
  id2label: Record<number, string>;
  label2id: Record<string, number>;
}

/** Build or load the notebook's model with the corpus's labels. */
export async function loadNotebookModel(settings: NotebookSettings, labels: NotebookLabels): Promise<EncoderForTokenClassification> {
  const labelOpts = { numLabels: Object.keys(labels.id2label).length, id2label: labels.id2label, label2id: labels.label2id };
  if (!settings.randomInit) {
    return AutoModelForTokenClassification.fromPretrained(settings.model, { ...labelOpts, seed: settings.initSeed });
  }
  if (!settings.smokeModel) throw new Error("randomInit needs settings.smokeModel");
  const configPath = (await resolveModelFile(settings.model, "config.json"))!;
  const raw = JSON.parse(fs.readFileSync(configPath, "utf8")) as Record<string, unknown>;
  const config = configFromHf(scaleDownHfConfig(raw, settings.smokeModel), labelOpts, configPath);
  return randomInit(config, settings.initSeed);
}

/** Number of trainable parameters (for the model summary cell). */
export function parameterCount(model: { namedWeights(): Map<string, { size: number }> }): number {
  let n = 0;
  for (const v of model.namedWeights().values()) n += v.size;
  return n;
}
