/** Label-list helpers shared by alignment and the CLI (same rules as HF's run_ner.py). */

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

/** run_ner.py's `get_label_list` for string labels: the sorted set of all labels seen. */
export function labelListFromTags(tagSequences: Iterable<readonly string[]>): string[] {
  const seen = new Set<string>();
  for (const tags of tagSequences) for (const t of tags) seen.add(t);
  // Python sorts str by code point; JS default sort compares UTF-16 units (same for BMP labels).
  return [...seen].sort();
}
