/**
 * Token-classification encoders (DistilBERT, BERT) in TensorFlow.js with Hugging Face
 * checkpoint compatibility. Call `initBackend()` (src/backend) before building a model.
 */
export {
  AutoModelForTokenClassification,
  randomInit,
  loadFromTensors,
  type FromPretrainedOptions,
  type LoadingInfo,
  type LoadedModel,
} from "./auto";
export {
  EncoderForTokenClassification,
  CONFIG_FILE,
  WEIGHTS_FILE,
  type TokenClassificationModel,
  type ModelInputs,
  type ForwardOptions,
} from "./base";
export { BertForTokenClassification } from "./bert";
export { DistilBertForTokenClassification } from "./distilbert";
export {
  configFromHf,
  configToHf,
  defaultHfConfig,
  type TokenClassificationConfig,
  type LabelOptions,
  type ModelType,
} from "./config";
export { computeLossAndGrads, type LabeledBatch, type LossAndGrads } from "./grads";
export { tokenClassificationLoss, IGNORE_INDEX } from "./loss";
export { readSafetensors, encodeSafetensors, type SafetensorsFile, type SafetensorsEntry } from "./safetensors";
export { readHfConfigFile } from "./config";
export {
  resolveWeightFiles,
  readWeightFiles,
  inspectWeightFiles,
  type WeightFiles,
  type WeightFormat,
} from "./weightFiles";
export { readPytorchCheckpoint, inspectPytorchCheckpoint } from "./pytorch/reader";
export type { CheckpointTensor } from "./safetensors";
