/**
 * The post-processing stages of Hugging Face's TokenClassificationPipeline as pure functions
 * on plain arrays: gather pre-entities → label tokens or aggregate words → group B-/I- runs →
 * drop ignored labels → (with stride) merge overlapping windows. Each mirrors the method of
 * the same name in transformers 4.57 `pipelines/token_classification.py`.
 */
import { codePointLength } from "../util/unicode";
import { argmax } from "../util/argmax";
import type {
  AggregationStrategy,
  EncodedWindow,
  GroupedEntity,
  LabelledUnit,
  PipelineEntity,
  PreEntity,
  TokenEntity,
  TokensToString,
} from "./types";

/** What `gatherPreEntities` needs to know about the tokenizer. */
export interface GatherOptions {
  /** Id of the unknown token: its word is taken from the input text instead of "[UNK]". */
  unkTokenId: number | null;
  /**
   * The model's continuing-subword prefix ("##" for WordPiece). When set, a token is a
   * sub-word when its text length differs from the length of the input text it covers;
   * when null, HF's fallback heuristic is used (no space before or at the token start).
   */
  continuingSubwordPrefix: string | null;
}

/**
 * HF `gather_pre_entities`: one pre-entity per non-special token with its scores, offsets and
 * sub-word flag. Lengths are compared in code points, as Python does, although offsets are
 * UTF-16 indices.
 */
export function gatherPreEntities(
  sentence: string,
  window: EncodedWindow,
  scores: Float32Array[],
  opts: GatherOptions,
): PreEntity[] {
  const preEntities: PreEntity[] = [];
  for (let idx = 0; idx < scores.length; idx++) {
    if (window.specialTokensMask[idx]) continue;
    let word = window.tokens[idx];
    const [start, end] = window.offsets[idx];
    const wordRef = sentence.slice(start, end);
    let isSubword: boolean;
    if (opts.continuingSubwordPrefix) {
      isSubword = codePointLength(word) !== codePointLength(wordRef);
    } else {
      isSubword = start > 0 && !sentence.slice(start - 1, start + 1).includes(" ");
    }
    if (opts.unkTokenId !== null && window.inputIds[idx] === opts.unkTokenId) {
      word = wordRef;
      isSubword = false;
    }
    preEntities.push({ word, scores: scores[idx], start, end, index: idx, isSubword });
  }
  return preEntities;
}

/** Label of each class index (`config.id2label`). */
export type Id2Label = Record<number, string> | readonly string[];

function labelOf(id2label: Id2Label, idx: number): string {
  const label = (id2label as Record<number, string>)[idx];
  if (label === undefined) throw new Error(`id2label has no label for class ${idx}`);
  return label;
}

/** Per-token labelling used by the `none` and `simple` strategies (argmax of each token). */
export function labelTokens(preEntities: PreEntity[], id2label: Id2Label): TokenEntity[] {
  return preEntities.map((pre) => {
    const idx = argmax(pre.scores);
    return {
      entity: labelOf(id2label, idx),
      score: pre.scores[idx],
      index: pre.index,
      word: pre.word,
      start: pre.start,
      end: pre.end,
    };
  });
}

/** HF `aggregate_word`: one label for a whole word from its tokens (first / max / average). */
export function aggregateWord(
  tokens: PreEntity[],
  strategy: "first" | "average" | "max",
  id2label: Id2Label,
  tokensToString: TokensToString,
): LabelledUnit {
  if (tokens.length === 0) throw new Error("aggregateWord: a word needs at least one token");
  const word = tokensToString(tokens.map((t) => t.word));
  let entity: string;
  let score: number;
  if (strategy === "first") {
    const idx = argmax(tokens[0].scores);
    entity = labelOf(id2label, idx);
    score = tokens[0].scores[idx];
  } else if (strategy === "max") {
    // Python's max(key=...) keeps the first token among equal maxima.
    let best = tokens[0];
    let bestMax = Math.max(...best.scores);
    for (const t of tokens.slice(1)) {
      const m = Math.max(...t.scores);
      if (m > bestMax) {
        best = t;
        bestMax = m;
      }
    }
    const idx = argmax(best.scores);
    entity = labelOf(id2label, idx);
    score = best.scores[idx];
  } else if (strategy === "average") {
    const numLabels = tokens[0].scores.length;
    const mean = new Float32Array(numLabels);
    for (let j = 0; j < numLabels; j++) {
      let sum = 0;
      let count = 0;
      for (const t of tokens) {
        if (!Number.isNaN(t.scores[j])) {
          sum += t.scores[j];
          count++;
        }
      }
      mean[j] = count > 0 ? sum / count : NaN; // np.nanmean
    }
    const idx = argmax(mean);
    entity = labelOf(id2label, idx);
    score = mean[idx];
  } else {
    throw new Error(`Invalid aggregation strategy for words: ${String(strategy)}`);
  }
  return { entity, score, word, start: tokens[0].start, end: tokens[tokens.length - 1].end };
}

/**
 * HF `aggregate_words`: split the tokens into words (a new word starts at every token that is
 * not a sub-word) and label each word with `aggregateWord`.
 */
export function aggregateWords(
  preEntities: PreEntity[],
  strategy: AggregationStrategy,
  id2label: Id2Label,
  tokensToString: TokensToString,
): LabelledUnit[] {
  if (strategy !== "first" && strategy !== "average" && strategy !== "max") {
    throw new Error("NONE and SIMPLE strategies are invalid for word aggregation");
  }
  const words: LabelledUnit[] = [];
  let group: PreEntity[] | null = null;
  for (const pre of preEntities) {
    if (group === null) group = [pre];
    else if (pre.isSubword) group.push(pre);
    else {
      words.push(aggregateWord(group, strategy, id2label, tokensToString));
      group = [pre];
    }
  }
  if (group !== null) words.push(aggregateWord(group, strategy, id2label, tokensToString));
  return words;
}

/** HF `get_tag`: split "B-X"/"I-X" into prefix and type; any other label counts as "I" of itself. */
export function getTag(entityName: string): { bi: "B" | "I"; tag: string } {
  if (entityName.startsWith("B-")) return { bi: "B", tag: entityName.slice(2) };
  if (entityName.startsWith("I-")) return { bi: "I", tag: entityName.slice(2) };
  return { bi: "I", tag: entityName };
}

/** Float32 mean ignoring NaN (np.nanmean over float32 scores). */
function nanMean(values: number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? Math.fround(sum / count) : NaN;
}

/**
 * HF `group_sub_entities`: one group from adjacent units. Its type is the first unit's label
 * after the first "-" (so "B-creative-work" → "creative-work", "O" → "O").
 */
export function groupSubEntities(units: LabelledUnit[], tokensToString: TokensToString): GroupedEntity {
  if (units.length === 0) throw new Error("groupSubEntities: a group needs at least one unit");
  const first = units[0].entity;
  const dash = first.indexOf("-");
  return {
    entity_group: dash >= 0 ? first.slice(dash + 1) : first,
    score: nanMean(units.map((u) => u.score)),
    word: tokensToString(units.map((u) => u.word)),
    start: units[0].start,
    end: units[units.length - 1].end,
  };
}

/**
 * HF `group_entities`: a unit joins the current group when it has the same type and is not a
 * B- label; a B- label, a type change (O included) starts a new group. O runs become groups
 * too (they are removed later by `filterIgnored`).
 */
export function groupEntities(units: LabelledUnit[], tokensToString: TokensToString): GroupedEntity[] {
  const groups: GroupedEntity[] = [];
  let current: LabelledUnit[] = [];
  for (const unit of units) {
    if (current.length === 0) {
      current.push(unit);
      continue;
    }
    const { bi, tag } = getTag(unit.entity);
    const last = getTag(current[current.length - 1].entity);
    if (tag === last.tag && bi !== "B") current.push(unit);
    else {
      groups.push(groupSubEntities(current, tokensToString));
      current = [unit];
    }
  }
  if (current.length > 0) groups.push(groupSubEntities(current, tokensToString));
  return groups;
}

/** HF `aggregate`: label tokens (none/simple) or words (first/average/max), then group unless `none`. */
export function aggregate(
  preEntities: PreEntity[],
  strategy: AggregationStrategy,
  id2label: Id2Label,
  tokensToString: TokensToString,
): PipelineEntity[] {
  if (strategy === "none") return labelTokens(preEntities, id2label);
  const units: LabelledUnit[] =
    strategy === "simple"
      ? labelTokens(preEntities, id2label)
      : aggregateWords(preEntities, strategy, id2label, tokensToString);
  return groupEntities(units, tokensToString);
}

/** Drop entities whose label (`entity` or `entity_group`) is in `ignoreLabels`; done after grouping. */
export function filterIgnored<T extends PipelineEntity>(entities: T[], ignoreLabels: readonly string[]): T[] {
  const ignored = new Set(ignoreLabels);
  return entities.filter((e) => {
    const label = "entity_group" in e ? e.entity_group : e.entity;
    return !ignored.has(label);
  });
}

/**
 * HF `aggregate_overlapping_entities` (stride windows): sort by start (stable) and, among
 * entities whose start falls inside the kept one, keep the longer, or on equal length the
 * higher-scoring one.
 */
export function mergeOverlappingEntities<T extends PipelineEntity>(entities: T[]): T[] {
  if (entities.length === 0) return entities;
  const sorted = [...entities].sort((a, b) => a.start - b.start);
  const merged: T[] = [];
  let previous = sorted[0];
  for (const entity of sorted) {
    if (previous.start <= entity.start && entity.start < previous.end) {
      const currentLength = entity.end - entity.start;
      const previousLength = previous.end - previous.start;
      if (currentLength > previousLength || (currentLength === previousLength && entity.score > previous.score)) {
        previous = entity;
      }
    } else {
      merged.push(previous);
      previous = entity;
    }
  }
  merged.push(previous);
  return merged;
}

/** Everything `postprocessWindow` needs besides the window itself. */
export interface PostprocessOptions extends GatherOptions {
  strategy: AggregationStrategy;
  id2label: Id2Label;
  tokensToString: TokensToString;
  ignoreLabels: readonly string[];
}

/** All stages for one window's softmax scores: gather → aggregate/group → filter. */
export function postprocessWindow(
  sentence: string,
  window: EncodedWindow,
  scores: Float32Array[],
  opts: PostprocessOptions,
): PipelineEntity[] {
  const pre = gatherPreEntities(sentence, window, scores, opts);
  const grouped = aggregate(pre, opts.strategy, opts.id2label, opts.tokensToString);
  return filterIgnored(grouped, opts.ignoreLabels);
}
