/** Exploring a tagged corpus: plain records and counts (./records) and danfojs views (./frames). */
export * from "./records";
export * from "./frames";
