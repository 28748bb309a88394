/**
 * The label id of positions the loss and metrics ignore: PyTorch's CrossEntropyLoss
 * `ignore_index`, which Hugging Face gives special tokens, non-first sub-words and padding.
 */
export const IGNORE_INDEX = -100;
