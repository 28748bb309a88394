/**
 * transformers' `AutoTokenizer.from_pretrained`, for code that follows the Python tutorials: every
 * checkpoint we support (BERT, DistilBERT) has a WordPiece fast tokenizer, so this is NerTokenizer's.
 */
import { NerTokenizer, type FromPretrainedOptions } from "./tokenizer";

export class AutoTokenizer {
  /** Same as `NerTokenizer.fromPretrained`: a directory or hub name (NER_MODELS_DIR, HF cache, network). */
  static fromPretrained(nameOrDir: string, opts: FromPretrainedOptions = {}): Promise<NerTokenizer> {
    return NerTokenizer.fromPretrained(nameOrDir, opts);
  }
}
