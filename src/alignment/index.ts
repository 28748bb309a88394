/** Word-label ↔ sub-token alignment for token classification (HF tutorials / run_ner.py semantics). */
export { tokenizeAndAlignLabels, alignLabels, summarizeAlignment, alignmentNotice, IGNORE_INDEX } from "./align";
export type { AlignedFeature, AlignOptions, AlignmentSummary, LabelledWords } from "./align";
export { bToILabelMap } from "./labels";
export { wordPredictions, dropIgnored } from "./word-predictions";
