/**
 * The example sentences of the exported page: a few eval sentences of the data the model was
 * trained on (run_card.json names it) when that corpus can be read, else built-in examples
 * chosen by the model's label set.
 */
import { readCorpusSplits } from "../data/load";

/** How many examples the page offers. */
export const EXAMPLE_COUNT = 6;

const BUILT_IN: Record<string, string[]> = {
  conll: [
    "EU rejects German call to boycott British lamb .",
    "Peter Blackburn met officials of the World Health Organization in Geneva on Tuesday .",
    "Angela Merkel flew from Berlin to Washington to meet Barack Obama .",
    "Manchester United signed the Dutch striker Ruud van Nistelrooy .",
  ],
  restaurant: [
    "which restaurant serves the best sushi in new york",
    "is there a cheap italian place open after midnight near me",
    "find a family friendly diner with outdoor seating on main street",
    "i want a five star steak house that takes reservations",
  ],
  generic: ["My name is Wolfgang and I live in Berlin .", "Apple opened a new office in London last year ."],
};

/** Built-in examples for a label set (CoNLL-like, MIT Restaurant-like, or generic). */
export function builtInExamples(labels: readonly string[]): string[] {
  const types = new Set(labels.map((l) => l.replace(/^[BIES]-/, "").toLowerCase()));
  if (types.has("dish") || types.has("cuisine") || types.has("amenity")) return BUILT_IN.restaurant;
  if (types.has("per") || types.has("org") || types.has("loc")) return BUILT_IN.conll;
  return BUILT_IN.generic;
}

/**
 * Up to `count` sentences of `corpus:split` (e.g. "mit_restaurant:test") with at least one
 * entity and 4–30 words, as text (words joined by spaces, as the corpora store them).
 */
export async function corpusExamples(spec: string, count = EXAMPLE_COUNT): Promise<string[]> {
  const colon = spec.lastIndexOf(":");
  if (colon <= 0) throw new Error(`${spec}: expected <corpus>:<split>`);
  const name = spec.slice(0, colon);
  const split = spec.slice(colon + 1);
  const splits = await readCorpusSplits(name, { splits: [split], onWarning: () => undefined });
  const sentences = splits[0]?.sentences ?? [];
  return sentences
    .filter((s) => s.tokens.length >= 4 && s.tokens.length <= 30 && s.tags.some((t) => t !== "O"))
    .slice(0, count)
    .map((s) => s.tokens.join(" "));
}
