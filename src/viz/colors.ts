/**
 * Stable background colours per entity type: displaCy's palette for the types it knows, a
 * matching palette for the tutorials' corpora (CoNLL, WikiANN, WNUT-17, MIT Restaurant) and, for
 * any other type, a light colour derived from a hash of its name (same name → same colour).
 */

/** Known types (lower-cased) → colour. */
export const ENTITY_PALETTE: Readonly<Record<string, string>> = {
  // displaCy (spaCy) defaults
  org: "#7aecec",
  product: "#bfeeb7",
  gpe: "#feca74",
  loc: "#ff9561",
  person: "#aa9cfc",
  norp: "#c887fb",
  fac: "#9cc9cc",
  event: "#ffeb80",
  law: "#ff8197",
  language: "#ff8197",
  work_of_art: "#f0d0ff",
  date: "#bfe1d9",
  time: "#bfe1d9",
  money: "#e4e7d2",
  quantity: "#e4e7d2",
  ordinal: "#e4e7d2",
  cardinal: "#e4e7d2",
  percent: "#e4e7d2",
  // CoNLL-2003 / WikiANN
  per: "#aa9cfc",
  misc: "#f0d0ff",
  // WNUT-17
  corporation: "#7aecec",
  "creative-work": "#f0d0ff",
  group: "#c887fb",
  location: "#ff9561",
  // MIT Restaurant
  amenity: "#9cc9cc",
  cuisine: "#feca74",
  dish: "#bfeeb7",
  hours: "#bfe1d9",
  price: "#e4e7d2",
  rating: "#ffeb80",
  restaurant_name: "#7aecec",
};

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Background colour of an entity type: the palette entry (case-insensitive) or a hashed pastel. */
export function colorForLabel(label: string): string {
  const known = ENTITY_PALETTE[label.toLowerCase()];
  if (known) return known;
  const h = fnv1a(label);
  return `hsl(${h % 360}, ${55 + ((h >>> 9) % 30)}%, ${78 + ((h >>> 17) % 10)}%)`;
}
