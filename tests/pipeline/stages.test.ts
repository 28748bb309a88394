import { test } from "node:test";
import assert from "node:assert/strict";
import { softmaxRows } from "../../src/pipeline/softmax";
import { argmax } from "../../src/util/argmax";
import {
  aggregate,
  aggregateWord,
  aggregateWords,
  filterIgnored,
  gatherPreEntities,
  getTag,
  groupEntities,
  labelTokens,
  mergeOverlappingEntities,
  postprocessWindow,
} from "../../src/pipeline/stages";
import { wordPieceDecoder } from "../../src/pipeline/decode";
import type { GroupedEntity, LabelledUnit, PreEntity } from "../../src/pipeline/types";
import { encodeWithBinding } from "./helpers";

const LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
const decode = wordPieceDecoder();
const WORDPIECE = { unkTokenId: 100, continuingSubwordPrefix: "##" };

/** A distribution with `p` on `label` and the rest spread evenly. */
function dist(label: string, p: number, labels = LABELS): Float32Array {
  const out = new Float32Array(labels.length).fill((1 - p) / (labels.length - 1));
  out[labels.indexOf(label)] = p;
  return out;
}

function pre(word: string, start: number, end: number, scores: Float32Array, isSubword = false, index = 0): PreEntity {
  return { word, start, end, scores, isSubword, index };
}

test("softmax rows sum to one, are float32 and are shift invariant", () => {
  const rows = softmaxRows([1, 2, 3, 1001, 1002, 1003], 3);
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.ok(row instanceof Float32Array);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  }
  assert.deepEqual(Array.from(rows[0]), Array.from(rows[1]));
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const s = e[0] + e[1] + e[2];
  assert.ok(Math.abs(rows[0][2] - 1 / s) < 1e-7);
  assert.throws(() => softmaxRows([1, 2, 3], 2), /multiple/);
  assert.equal(argmax([0.2, 0.4, 0.4]), 1, "ties go to the first index, like numpy");
});

test("gatherPreEntities skips special tokens, flags ## pieces as sub-words and keeps UTF-16 offsets", async () => {
  const text = "AL-AIN , United Arab Emirates";
  const enc = await encodeWithBinding("tiny-bert", text);
  const scores = enc.inputIds.map(() => dist("O", 0.9));
  const pres = gatherPreEntities(text, enc, scores, { unkTokenId: 1, continuingSubwordPrefix: "##" });
  assert.deepEqual(
    pres.map((p) => [p.word, p.index, p.start, p.end, p.isSubword]),
    [
      ["AL", 1, 0, 2, false],
      ["-", 2, 2, 3, false],
      ["A", 3, 3, 4, false],
      ["##IN", 4, 4, 6, true],
      [",", 5, 7, 8, false],
      ["United", 6, 9, 15, false],
      ["Arab", 7, 16, 20, false],
      ["E", 8, 21, 22, false],
      ["##mi", 9, 22, 24, true],
      ["##rates", 10, 24, 29, true],
    ],
  );
});

test(
  "unknown tokens take their word from the text and never count as " + "sub-words; emoji offsets are UTF-16",
  async () => {
    const text = "Café 😀 Zürich";
    const enc = await encodeWithBinding("tiny-bert", text); // the tiny cased vocabulary has no accents or emoji
    const pres = gatherPreEntities(
      text,
      enc,
      enc.inputIds.map(() => dist("B-LOC", 0.5)),
      {
        unkTokenId: 1,
        continuingSubwordPrefix: "##",
      },
    );
    assert.deepEqual(
      pres.map((p) => [p.word, p.start, p.end, p.isSubword]),
      [
        ["Café", 0, 4, false],
        ["😀", 5, 7, false],
        ["Zürich", 8, 14, false],
      ],
    );
    assert.equal(text.slice(5, 7), "😀");
  },
);

test(
  "uncased tokens lose accents but offsets point into the original text; " + "lengths compare in code points",
  async () => {
    const text = "Zürich 😀 Zu\u0308rich";
    const enc = await encodeWithBinding("tiny-distilbert", text);
    const pres = gatherPreEntities(
      text,
      enc,
      enc.inputIds.map(() => dist("B-LOC", 0.5)),
      WORDPIECE,
    );
    // "zurich" covers "Zürich" (6 code points): a word start. The emoji is [UNK] (2 UTF-16 units, 1 code point).
    // The decomposed "Zu\u0308rich" is 7 code points for a 6-letter token: HF's length test calls it a sub-word.
    assert.deepEqual(
      pres.map((p) => [p.word, p.start, p.end, p.isSubword]),
      [
        ["zurich", 0, 6, false],
        ["😀", 7, 9, false],
        ["zurich", 10, 17, true],
      ],
    );
    const words = aggregateWords(pres, "first", LABELS, decode);
    assert.deepEqual(
      words.map((w) => [w.word, w.start, w.end]),
      [
        ["zurich", 0, 6],
        ["😀 zurich", 7, 17],
      ],
    );
  },
);

test("without a continuing-subword prefix the fallback heuristic looks for a space around the token start", () => {
  const text = "ab cd-ef";
  const window = {
    inputIds: [0, 10, 11, 12, 13, 14, 0],
    tokens: ["<s>", "ab", "cd", "-", "ef", "x", "</s>"],
    offsets: [
      [0, 0],
      [0, 2],
      [3, 5],
      [5, 6],
      [6, 8],
      [8, 8],
      [0, 0],
    ] as [number, number][],
    specialTokensMask: [1, 0, 0, 0, 0, 0, 1],
  };
  const pres = gatherPreEntities(
    text,
    window,
    window.inputIds.map(() => dist("O", 0.5)),
    {
      unkTokenId: null,
      continuingSubwordPrefix: null,
    },
  );
  assert.deepEqual(
    pres.map((p) => p.isSubword),
    [false, false, true, true, true],
  );
});

test("none/simple label each token by argmax; index kept only for none", () => {
  const pres = [pre("john", 0, 4, dist("B-PER", 0.7), false, 1), pre("smith", 5, 10, dist("I-PER", 0.6), false, 2)];
  const tokens = labelTokens(pres, LABELS);
  assert.deepEqual(
    tokens.map((t) => [t.entity, t.index, t.word]),
    [
      ["B-PER", 1, "john"],
      ["I-PER", 2, "smith"],
    ],
  );
  assert.equal(tokens[0].score, Math.fround(0.7));
  const none = aggregate(pres, "none", LABELS, decode);
  assert.deepEqual(none, tokens);
  const simple = aggregate(pres, "simple", LABELS, decode) as GroupedEntity[];
  assert.equal(simple.length, 1);
  assert.deepEqual(
    { ...simple[0], score: 0 },
    { entity_group: "PER", score: 0, word: "john smith", start: 0, end: 10 },
  );
  assert.ok(Math.abs(simple[0].score - (Math.fround(0.7) + Math.fround(0.6)) / 2) < 1e-7);
});

test(
  "word aggregation: first uses the first token, max the most confident " + "token, average the mean distribution",
  () => {
    // "micro" (B-ORG 0.4 / I-PER 0.35) + "##soft" (I-PER 0.9): the three strategies disagree.
    const a = new Float32Array(LABELS.length);
    a[LABELS.indexOf("B-ORG")] = 0.4;
    a[LABELS.indexOf("I-PER")] = 0.35;
    a[0] = 0.25;
    const b = dist("I-PER", 0.9);
    const word = [pre("micro", 0, 5, a), pre("##soft", 5, 9, b, true)];
    const first = aggregateWord(word, "first", LABELS, decode);
    assert.deepEqual(
      [first.entity, first.score, first.word, first.start, first.end],
      ["B-ORG", Math.fround(0.4), "microsoft", 0, 9],
    );
    const max = aggregateWord(word, "max", LABELS, decode);
    assert.deepEqual([max.entity, max.score], ["I-PER", Math.fround(0.9)]);
    const avg = aggregateWord(word, "average", LABELS, decode);
    assert.equal(avg.entity, "I-PER");
    assert.ok(Math.abs(avg.score - (0.35 + 0.9) / 2) < 1e-6);
    // max keeps the first token among equal maxima
    const tie = aggregateWord(
      [pre("x", 0, 1, dist("B-LOC", 0.8)), pre("##y", 1, 2, dist("B-ORG", 0.8), true)],
      "max",
      LABELS,
      decode,
    );
    assert.equal(tie.entity, "B-LOC");
    assert.throws(() => aggregateWords([], "simple", LABELS, decode), /invalid for word aggregation/);
    assert.deepEqual(aggregateWords([], "first", LABELS, decode), []);
  },
);

test("aggregateWords starts a word at every non-sub-word token (the first token always starts one)", () => {
  const pres = [
    pre("##x", 0, 1, dist("B-PER", 0.5), true),
    pre("new", 2, 5, dist("B-LOC", 0.5)),
    pre("##ark", 5, 8, dist("I-LOC", 0.6), true),
    pre("city", 9, 13, dist("I-LOC", 0.7)),
  ];
  const words = aggregateWords(pres, "first", LABELS, decode);
  assert.deepEqual(
    words.map((w) => [w.word, w.entity, w.start, w.end]),
    [
      ["##x", "B-PER", 0, 1],
      ["newark", "B-LOC", 2, 8],
      ["city", "I-LOC", 9, 13],
    ],
  );
  assert.ok(words.every((w) => w.index === undefined));
});

test("getTag splits B-/I- prefixes and treats other labels as continuations of themselves", () => {
  assert.deepEqual(getTag("B-PER"), { bi: "B", tag: "PER" });
  assert.deepEqual(getTag("I-creative-work"), { bi: "I", tag: "creative-work" });
  assert.deepEqual(getTag("O"), { bi: "I", tag: "O" });
  assert.deepEqual(getTag("E-PER"), { bi: "I", tag: "E-PER" });
  assert.deepEqual(getTag("Restaurant_Name"), { bi: "I", tag: "Restaurant_Name" });
});

function unit(entity: string, word: string, start: number, end: number, score = 0.5): LabelledUnit {
  return { entity, word, start, end, score };
}

test("grouping: B starts a group, I of the same type continues, a type change or O splits", () => {
  const units = [
    unit("B-PER", "john", 0, 4),
    unit("I-PER", "smith", 5, 10),
    unit("B-PER", "mary", 11, 15), // adjacent same-type entity: a new group
    unit("O", "and", 16, 19),
    unit("O", "the", 20, 23),
    unit("I-LOC", "new", 24, 27), // I- after O still opens a group
    unit("I-ORG", "york", 28, 32), // type change
    unit("I-ORG", "times", 33, 38),
    unit("B-creative-work", "star", 39, 43),
    unit("I-creative-work", "wars", 44, 48),
    unit("Cuisine", "thai", 49, 53), // plain labels group with themselves
    unit("Cuisine", "food", 54, 58),
  ];
  const groups = groupEntities(units, decode);
  assert.deepEqual(
    groups.map((g) => [g.entity_group, g.word, g.start, g.end]),
    [
      ["PER", "john smith", 0, 10],
      ["PER", "mary", 11, 15],
      ["O", "and the", 16, 23],
      ["LOC", "new", 24, 27],
      ["ORG", "york times", 28, 38],
      ["creative-work", "star wars", 39, 48],
      ["Cuisine", "thai food", 49, 58],
    ],
  );
  assert.deepEqual(
    filterIgnored(groups, ["O"]).map((g) => g.entity_group),
    ["PER", "PER", "LOC", "ORG", "creative-work", "Cuisine"],
  );
  assert.deepEqual(groupEntities([], decode), []);
});

test("an I- following B- of the same type joins it, and the group type comes from its first label", () => {
  const groups = groupEntities([unit("I-PER", "a", 0, 1), unit("B-PER", "b", 2, 3), unit("I-PER", "c", 4, 5)], decode);
  assert.deepEqual(
    groups.map((g) => [g.entity_group, g.word]),
    [
      ["PER", "a"],
      ["PER", "b c"],
    ],
  );
  // E-PER: get_tag sees type "E-PER" but the group name is what follows the first dash
  const iobes = groupEntities([unit("S-LOC", "x", 0, 1)], decode);
  assert.equal(iobes[0].entity_group, "LOC");
});

test("group score is the mean of its members' scores", () => {
  const groups = groupEntities(
    [unit("B-ORG", "a", 0, 1, 0.2), unit("I-ORG", "b", 2, 3, 0.4), unit("I-ORG", "c", 4, 5, 0.9)],
    decode,
  );
  assert.ok(Math.abs(groups[0].score - 0.5) < 1e-7);
});

test("ignored labels are dropped after grouping, for tokens and for groups", () => {
  const pres = [pre("a", 0, 1, dist("O", 0.9), false, 1), pre("b", 2, 3, dist("B-LOC", 0.9), false, 2)];
  const none = aggregate(pres, "none", LABELS, decode);
  assert.deepEqual(
    filterIgnored(none, ["O"]).map((e) => ("entity" in e ? e.entity : "")),
    ["B-LOC"],
  );
  assert.equal(filterIgnored(none, []).length, 2);
  const simple = aggregate(pres, "simple", LABELS, decode);
  assert.deepEqual(filterIgnored(simple, ["O", "LOC"]), []);
  // "B-LOC" is not ignored by the group name "LOC" on token level, only the exact label counts
  assert.equal(filterIgnored(none, ["LOC"]).length, 2);
});

test("postprocessWindow runs every stage on a real encoding", async () => {
  const text = "Ijaz Ahmad c Spearman";
  const enc = await encodeWithBinding("tiny-distilbert", text);
  assert.deepEqual(enc.tokens, ["[CLS]", "i", "##ja", "##z", "ahmad", "c", "spear", "##man", "[SEP]"]);
  const labels = ["O", "B-PER", "I-PER", "I-PER", "I-PER", "O", "B-PER", "I-LOC", "O"];
  const scores = labels.map((l) => dist(l, 0.6));
  const common = { ...WORDPIECE, id2label: LABELS, tokensToString: decode, ignoreLabels: ["O"] };
  const simple = postprocessWindow(text, enc, scores, { ...common, strategy: "simple" });
  assert.deepEqual(
    simple.map((g) => ("entity_group" in g ? [g.entity_group, g.word, g.start, g.end] : [])),
    [
      ["PER", "ijaz ahmad", 0, 10],
      ["PER", "spear", 13, 18],
      ["LOC", "##man", 18, 21],
    ],
  );
  const first = postprocessWindow(text, enc, scores, { ...common, strategy: "first" });
  assert.deepEqual(
    first.map((g) => ("entity_group" in g ? [g.entity_group, g.word, g.start, g.end] : [])),
    [
      ["PER", "ijaz ahmad", 0, 10],
      ["PER", "spearman", 13, 21],
    ],
  );
});

test("overlapping entities from stride windows: the longer one wins, then the higher score", () => {
  const g = (start: number, end: number, score: number, word = ""): GroupedEntity => ({
    entity_group: "PER",
    score,
    word,
    start,
    end,
  });
  const merged = mergeOverlappingEntities([
    g(10, 20, 0.5, "b"),
    g(0, 5, 0.9, "a"),
    g(12, 25, 0.4, "c"),
    g(30, 35, 0.3, "d"),
    g(30, 35, 0.6, "e"),
    g(40, 45, 0.6, "f"),
  ]);
  assert.deepEqual(
    merged.map((e) => e.word),
    ["a", "c", "e", "f"],
  );
  assert.deepEqual(mergeOverlappingEntities([]), []);
  // equal length and score: the first one in start order stays
  assert.deepEqual(
    mergeOverlappingEntities([g(0, 3, 0.5, "x"), g(0, 3, 0.5, "y")]).map((e) => e.word),
    ["x"],
  );
});
