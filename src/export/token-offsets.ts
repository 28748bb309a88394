/**
 * Character offsets for the tokens of the pure-JS tokenizer (`@huggingface/tokenizers`), which
 * gives tokens and ids but no offsets. The tokens are the library's; this only finds where each
 * one came from: the text is normalised one code point at a time with the tokenizer's own
 * normalizer (keeping, for every normalised code unit, the span of the original character), and
 * the tokens are matched left to right against that normalised text. An unknown token covers
 * the rest of its pre-tokenizer word; an added token ([MASK] typed literally) its literal text.
 */

/** What the alignment needs from the tokenizer. */
export interface OffsetAlignmentOptions {
  /** The tokenizer's normalizer (identity when the tokenizer has none). */
  normalize: (text: string) => string;
  /** Words of a whitespace-free chunk of normalised text (the tokenizer's pre-tokenizer). */
  preTokenize: (chunk: string) => string[];
  /** Continuing-subword prefix ("##"), or null. */
  continuingSubwordPrefix: string | null;
  unkToken: string;
  /** Contents of the added tokens ([CLS], [MASK], …), matched literally in the original text. */
  addedTokens: ReadonlySet<string>;
}

/** The normalised text and, for each of its code units, the UTF-16 span of the source character. */
interface Normalized {
  text: string;
  from: Int32Array;
  to: Int32Array;
  /** Position in `text` where the original character at each UTF-16 index starts (length text.length + 1). */
  fromOriginal: Int32Array;
}

function normalizeWithAlignment(text: string, normalize: (s: string) => string): Normalized {
  let out = "";
  const from: number[] = [];
  const to: number[] = [];
  const fromOriginal = new Int32Array(text.length + 1);
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    const piece = normalize(text.slice(i, i + width));
    fromOriginal[i] = out.length;
    if (width === 2) fromOriginal[i + 1] = out.length;
    for (let k = 0; k < piece.length; k++) {
      from.push(i);
      to.push(i + width);
    }
    out += piece;
    i += width;
  }
  fromOriginal[text.length] = out.length;
  return { text: out, from: Int32Array.from(from), to: Int32Array.from(to), fromOriginal };
}

const WHITESPACE = /\s/u;

function isSpaceAt(s: string, i: number): boolean {
  return i < s.length && WHITESPACE.test(s[i]);
}

/**
 * UTF-16 `[start, end)` in `text` of each token of `tokens` (the content tokens of one encoding,
 * without the template's [CLS]/[SEP]). Throws when a token cannot be found where it should be:
 * that would mean the tokenizer and this alignment disagree, never a silent wrong offset.
 */
export function alignTokenOffsets(
  text: string,
  tokens: readonly string[],
  opts: OffsetAlignmentOptions,
): [number, number][] {
  const norm = normalizeWithAlignment(text, opts.normalize);
  const n = norm.text;
  const prefix = opts.continuingSubwordPrefix;
  const offsets: [number, number][] = [];
  let pos = 0; // position in the normalised text
  let inWord = false; // the previous token ended inside a pre-tokenizer word
  let wordEnd = 0; // end of the current pre-tokenizer word (in n)
  const span = (a: number, b: number): [number, number] =>
    b > a ? [norm.from[a], norm.to[b - 1]] : [norm.from[a] ?? text.length, norm.from[a] ?? text.length];
  const skipSpaces = (): void => {
    while (isSpaceAt(n, pos)) pos++;
  };
  const startWord = (): void => {
    skipSpaces();
    let chunkEnd = pos;
    while (chunkEnd < n.length && !isSpaceAt(n, chunkEnd)) chunkEnd++;
    const words = opts.preTokenize(n.slice(pos, chunkEnd));
    const first = words.find((w) => w.length > 0);
    wordEnd = first !== undefined && n.startsWith(first, pos) ? pos + first.length : chunkEnd;
  };
  for (const token of tokens) {
    if (opts.addedTokens.has(token)) {
      // Added tokens are split off the raw text before normalisation: look for the literal
      // (an unknown token is one only when the text says "[UNK]" there).
      const origPos = offsets.length > 0 ? offsets[offsets.length - 1][1] : 0;
      const at = text.indexOf(token, origPos);
      const between = at < 0 ? "" : text.slice(origPos, at);
      // Characters the normalizer removes (controls, accents) may lie between.
      if (at >= 0 && (token !== opts.unkToken || opts.normalize(between).trim() === "")) {
        offsets.push([at, at + token.length]);
        pos = norm.fromOriginal[at + token.length];
        inWord = false;
        continue;
      }
      if (token !== opts.unkToken) {
        throw new Error(`token offsets: added token ${JSON.stringify(token)} not found in the text after ${origPos}`);
      }
    }
    if (token === opts.unkToken) {
      // WordPiece gives one unknown token for a whole word it cannot split.
      if (!inWord) startWord();
      offsets.push(span(pos, wordEnd));
      pos = wordEnd;
      inWord = false;
      continue;
    }
    if (inWord && prefix && token.startsWith(prefix) && n.startsWith(token.slice(prefix.length), pos)) {
      const piece = token.slice(prefix.length);
      offsets.push(span(pos, pos + piece.length));
      pos += piece.length;
    } else {
      startWord();
      if (!n.startsWith(token, pos)) {
        throw new Error(
          `token offsets: token ${JSON.stringify(token)} does not match the text at ${norm.from[pos] ?? text.length}`,
        );
      }
      offsets.push(span(pos, pos + token.length));
      pos += token.length;
    }
    inWord = pos < wordEnd;
  }
  return offsets;
}
