/**
 * Strict-mode chunking of `seqeval.scheme` (IOB1, IOE1, IOB2, IOE2, IOBES, BILOU):
 * an entity counts only when the scheme's start, inside and end patterns all hold,
 * so e.g. IOB2 drops an `I-X I-X` run without a B, and IOBES drops `B-X I-X` without E.
 *
 * Errors follow Python: a prefix character outside I,O,B,E,S,U,L raises
 * KeyError('<char>') when the sentence's tokens are built; a known prefix the scheme
 * does not allow raises ValueError('Invalid token is found: ...') when reached.
 */
import { SeqevalError, pyReprStr } from "./python";
import type { SchemeName } from "./types";

// Prefix flags in Python's enum value order.
const I = 1,
  O = 2,
  B = 4,
  E = 8,
  S = 16,
  U = 32,
  L = 64;
const ANY = I | O | B | E | S | U | L;
const PREFIX_ORDER: [string, number][] = [
  ["I", I],
  ["O", O],
  ["B", B],
  ["E", E],
  ["S", S],
  ["U", U],
  ["L", L],
];
const PREFIX_BY_CHAR = new Map<string, number>(PREFIX_ORDER);

// Tag conditions between previous and current token.
const SAME = 1,
  DIFF = 2,
  TAG_ANY = 3;

/** (previous prefixes, current prefixes, tag condition) */
type Pattern = readonly [number, number, number];

interface SchemeSpec {
  allowed: number;
  start: readonly Pattern[];
  inside: readonly Pattern[];
  end: readonly Pattern[];
}

const SCHEMES: Record<SchemeName, SchemeSpec> = {
  IOB1: {
    allowed: I | O | B,
    start: [
      [O, I, TAG_ANY],
      [I, I, DIFF],
      [B, I, TAG_ANY],
      [I, B, SAME],
      [B, B, SAME],
    ],
    inside: [
      [B, I, SAME],
      [I, I, SAME],
    ],
    end: [
      [I, I, DIFF],
      [I, O, TAG_ANY],
      [I, B, TAG_ANY],
      [B, O, TAG_ANY],
      [B, I, DIFF],
      [B, B, SAME],
    ],
  },
  IOE1: {
    allowed: I | O | E,
    start: [
      [O, I, TAG_ANY],
      [I, I, DIFF],
      [E, I, TAG_ANY],
      [E, E, SAME],
    ],
    inside: [
      [I, I, SAME],
      [I, E, SAME],
    ],
    end: [
      [I, I, DIFF],
      [I, O, TAG_ANY],
      [I, E, DIFF],
      [E, I, SAME],
      [E, E, SAME],
    ],
  },
  IOB2: {
    allowed: I | O | B,
    start: [[ANY, B, TAG_ANY]],
    inside: [
      [B, I, SAME],
      [I, I, SAME],
    ],
    end: [
      [I, O, TAG_ANY],
      [I, I, DIFF],
      [I, B, TAG_ANY],
      [B, O, TAG_ANY],
      [B, I, DIFF],
      [B, B, TAG_ANY],
    ],
  },
  IOE2: {
    allowed: I | O | E,
    start: [
      [O, I, TAG_ANY],
      [O, E, TAG_ANY],
      [E, I, TAG_ANY],
      [E, E, TAG_ANY],
      [I, I, DIFF],
      [I, E, DIFF],
    ],
    inside: [
      [I, E, SAME],
      [I, I, SAME],
    ],
    end: [[E, ANY, TAG_ANY]],
  },
  IOBES: {
    allowed: I | O | B | E | S,
    start: [
      [ANY, B, TAG_ANY],
      [ANY, S, TAG_ANY],
    ],
    inside: [
      [B, I, SAME],
      [B, E, SAME],
      [I, I, SAME],
      [I, E, SAME],
    ],
    end: [
      [S, ANY, TAG_ANY],
      [E, ANY, TAG_ANY],
    ],
  },
  BILOU: {
    allowed: B | I | L | O | U,
    start: [
      [ANY, B, TAG_ANY],
      [ANY, U, TAG_ANY],
    ],
    inside: [
      [B, I, SAME],
      [B, L, SAME],
      [I, I, SAME],
      [I, L, SAME],
    ],
    end: [
      [U, ANY, TAG_ANY],
      [L, ANY, TAG_ANY],
    ],
  },
};

/** `str(Prefix.I | Prefix.O | Prefix.B).replace('Prefix.', '')` -> "I|O|B". */
function flagNames(mask: number): string {
  return PREFIX_ORDER.filter(([, bit]) => (mask & bit) !== 0)
    .map(([n]) => n)
    .join("|");
}

interface ParsedToken {
  label: string;
  prefix: number;
  tag: string;
}

/** Python `str.strip('-')`. */
function stripDashes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 45) a++;
  while (b > a && s.charCodeAt(b - 1) === 45) b--;
  return s.slice(a, b);
}

/** Builds `Token(label)`: prefix from the first (last with suffix) character, tag = rest stripped of '-' or "_". */
export class TokenParser {
  private readonly cache = new Map<string, ParsedToken>();
  constructor(private readonly suffix: boolean) {}

  parse(label: unknown): ParsedToken {
    if (typeof label !== "string")
      throw new SeqevalError("TypeError", "'" + typeof label + "' object is not subscriptable");
    let tok = this.cache.get(label);
    if (tok) return tok;
    if (label.length === 0) throw new SeqevalError("IndexError", "string index out of range");
    const chars = Array.from(label);
    const prefixChar = this.suffix ? chars[chars.length - 1] : chars[0];
    const prefix = PREFIX_BY_CHAR.get(prefixChar);
    if (prefix === undefined) throw new SeqevalError("KeyError", pyReprStr(prefixChar));
    const rest = this.suffix ? label.slice(0, label.length - prefixChar.length) : label.slice(prefixChar.length);
    tok = { label, prefix, tag: stripDashes(rest) || "_" };
    this.cache.set(label, tok);
    return tok;
  }
}

function matches(patterns: readonly Pattern[], prev: ParsedToken, cur: ParsedToken): boolean {
  for (const [prevMask, curMask, cond] of patterns) {
    if ((prev.prefix & prevMask) === 0 || (cur.prefix & curMask) === 0) continue;
    if (cond === TAG_ANY) return true;
    const same = prev.tag === cur.tag;
    if ((same && cond === SAME) || (!same && cond === DIFF)) return true;
  }
  return false;
}

/** One strict-mode entity: sentence index, tag, start, end (exclusive), as `Entity.to_tuple()`. */
export interface StrictEntity {
  sent: number;
  tag: string;
  start: number;
  end: number;
}

/** Items of one "sentence": a list's elements, or a string's characters (Python iterates both). */
function itemsOf(seq: unknown): readonly unknown[] {
  if (Array.isArray(seq)) return seq;
  if (typeof seq === "string") return Array.from(seq);
  throw new SeqevalError("TypeError", `'${seq === null ? "NoneType" : typeof seq}' object is not iterable`);
}

/** `Tokens(seq, scheme).entities` for one sentence, appended to `out`. */
function sentenceEntities(
  seq: unknown,
  sent: number,
  spec: SchemeSpec,
  parser: TokenParser,
  outside: ParsedToken,
  out: StrictEntity[],
): void {
  const items = itemsOf(seq);
  const tokens: ParsedToken[] = new Array(items.length + 1);
  for (let k = 0; k < items.length; k++) tokens[k] = parser.parse(items[k]);
  tokens[items.length] = outside;
  const n = tokens.length;

  let i = 0;
  let prev = outside;
  while (i < n) {
    const token = tokens[i];
    if ((token.prefix & spec.allowed) === 0) {
      throw new SeqevalError(
        "ValueError",
        `Invalid token is found: ${token.label}. Allowed prefixes are: ${flagNames(spec.allowed)}.`,
      );
    }
    if (matches(spec.start, prev, token)) {
      // _forward: extend while tokens stay inside the chunk.
      let end = n - 2;
      let inner = token;
      for (let j = i + 1; j < n; j++) {
        if (matches(spec.inside, inner, tokens[j])) inner = tokens[j];
        else {
          end = j;
          break;
        }
      }
      if (matches(spec.end, tokens[end - 1], tokens[end])) {
        out.push({ sent, tag: token.tag, start: i, end });
      }
      i = end;
    } else {
      i += 1;
    }
    prev = tokens[i - 1];
  }
}

/** `Entities(sequences, scheme, suffix).entities`, flattened in sentence order. */
export function extractStrictEntities(sequences: unknown, scheme: SchemeName, suffix: boolean): StrictEntity[] {
  const spec = SCHEMES[scheme];
  const parser = new TokenParser(suffix);
  const outside = parser.parse("O");
  const out: StrictEntity[] = [];
  const sents = itemsOf(sequences);
  for (let s = 0; s < sents.length; s++) sentenceEntities(sents[s], s, spec, parser, outside, out);
  return out;
}

/**
 * `seqeval.scheme.auto_detect(sequences, suffix)`: IOB2, IOE2, IOBES or BILOU from the
 * set of prefixes used in the truth.
 */
export function autoDetectScheme(sequences: unknown, suffix = false): SchemeName {
  const notSupported = "This scheme is not supported: ";
  const parser = new TokenParser(suffix);
  let seen = 0;
  for (const tokens of itemsOf(sequences)) {
    for (const token of itemsOf(tokens)) {
      try {
        seen |= parser.parse(token).prefix;
      } catch (err) {
        if (err instanceof SeqevalError && err.pythonType === "KeyError") {
          throw new SeqevalError("ValueError", notSupported + String(token));
        }
        throw err;
      }
    }
  }
  const sets = (list: number[][]) => list.map((m) => m.reduce((a, b) => a | b, 0));
  const iob2 = sets([[I, O, B], [I, B], [B, O], [B]]);
  const ioe2 = sets([[I, O, E], [I, E], [E, O], [E]]);
  const iobes = sets([
    [I, O, B, E, S],
    [I, B, E, S],
    [I, O, B, E],
    [O, B, E, S],
    [I, B, E],
    [B, E, S],
    [O, B, E],
    [B, E],
    [S],
  ]);
  const bilou = sets([
    [I, O, B, L, U],
    [I, B, L, U],
    [I, O, B, L],
    [O, B, L, U],
    [I, B, L],
    [B, L, U],
    [O, B, L],
    [B, L],
    [U],
  ]);
  if (iob2.includes(seen)) return "IOB2";
  if (ioe2.includes(seen)) return "IOE2";
  if (iobes.includes(seen)) return "IOBES";
  if (bilou.includes(seen)) return "BILOU";
  // Python prints a set of enum members here, in hash order; we list them in value order.
  const members = PREFIX_ORDER.filter(([, bit]) => (seen & bit) !== 0).map(([n, bit]) => `<Prefix.${n}: ${bit}>`);
  throw new SeqevalError("ValueError", notSupported + (members.length ? `{${members.join(", ")}}` : "set()"));
}

/** Scheme names as a type guard for user input. */
export function isSchemeName(name: unknown): name is SchemeName {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(SCHEMES, name);
}
