/** run_ner.py's B- to I- label mapping (label lists themselves live in src/data/labels.ts). */

/**
 * run_ner.py's `b_to_i_label`: for each label id, the id of its I- counterpart when the label
 * is "B-X" and "I-X" exists, else the label itself. Used for later sub-tokens with `labelAllTokens`.
 */
export function bToILabelMap(labelList: readonly string[]): number[] {
  return labelList.map((label, idx) => {
    if (!label.startsWith("B-")) return idx;
    const i = labelList.indexOf(label.split("B-").join("I-")); // Python str.replace replaces every occurrence
    return i >= 0 ? i : idx;
  });
}
