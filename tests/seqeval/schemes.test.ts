/**
 * Chunking rules not covered by the goldens (which use default, strict IOB2 and strict
 * IOBES): strict IOB1, IOE1, IOE2, BILOU and auto-detection, with the expectations of
 * seqeval's own tests/test_scheme.py; plus default-mode get_entities behaviour.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SeqevalError,
  autoDetectScheme,
  classificationReport,
  f1Score,
  getEntities,
  type SchemeName,
} from "../../src/metrics/seqeval";
import { extractStrictEntities } from "../../src/metrics/seqeval/strict-entities";

function strict(tokens: string[], scheme: SchemeName): [string, number, number][] {
  return extractStrictEntities([tokens], scheme, false).map((e) => [e.tag, e.start, e.end]);
}

const TABLES: Record<string, [string[], [string, number, number][]][]> = {
  IOB1: [
    [[], []],
    [["B-PER"], []],
    [["I-PER"], [["PER", 0, 1]]],
    [["O", "I-PER"], [["PER", 1, 2]]],
    [["O", "B-PER"], []],
    [["I-PER", "I-PER"], [["PER", 0, 2]]],
    [
      ["I-PER", "I-ORG"],
      [
        ["PER", 0, 1],
        ["ORG", 1, 2],
      ],
    ],
    [
      ["I-PER", "B-PER"],
      [
        ["PER", 0, 1],
        ["PER", 1, 2],
      ],
    ],
    [["I-PER", "B-ORG"], [["PER", 0, 1]]],
    [["B-PER", "I-PER"], [["PER", 1, 2]]],
    [["B-PER", "I-ORG"], [["ORG", 1, 2]]],
    [["B-PER", "B-PER"], [["PER", 1, 2]]],
    [["B-PER", "B-ORG"], []],
    [
      ["I", "B"],
      [
        ["_", 0, 1],
        ["_", 1, 2],
      ],
    ],
  ],
  IOE1: [
    [["E-PER"], []],
    [["I-PER"], [["PER", 0, 1]]],
    [
      ["I-PER", "I-ORG"],
      [
        ["PER", 0, 1],
        ["ORG", 1, 2],
      ],
    ],
    [["I-PER", "E-ORG"], [["PER", 0, 1]]],
    [["E-PER", "I-PER"], [["PER", 1, 2]]],
    [["E-PER", "I-ORG"], [["ORG", 1, 2]]],
    [["E-PER", "E-PER"], []],
    [["E", "I"], [["_", 1, 2]]],
  ],
  IOE2: [
    [["E-PER"], [["PER", 0, 1]]],
    [["I-PER"], []],
    [["O", "E-PER"], [["PER", 1, 2]]],
    [["I-PER", "E-PER"], [["PER", 0, 2]]],
    [["I-PER", "E-ORG"], [["ORG", 1, 2]]],
    [["E-PER", "I-PER"], [["PER", 0, 1]]],
    [
      ["E-PER", "E-PER"],
      [
        ["PER", 0, 1],
        ["PER", 1, 2],
      ],
    ],
    [
      ["E-PER", "E-ORG"],
      [
        ["PER", 0, 1],
        ["ORG", 1, 2],
      ],
    ],
    [["I", "E"], [["_", 0, 2]]],
  ],
  IOBES: [
    [["S-PER"], [["PER", 0, 1]]],
    [["B-PER", "E-PER"], [["PER", 0, 2]]],
    [["B-PER", "E-ORG"], []],
    [["B-PER", "S-PER"], [["PER", 1, 2]]],
    [
      ["S-PER", "S-PER"],
      [
        ["PER", 0, 1],
        ["PER", 1, 2],
      ],
    ],
    [["I-PER", "E-PER"], []],
  ],
  BILOU: [
    [["U-PER"], [["PER", 0, 1]]],
    [["B-PER", "L-PER"], [["PER", 0, 2]]],
    [["B-PER", "L-ORG"], []],
    [["B-PER", "U-PER"], [["PER", 1, 2]]],
    [["L-PER", "U-PER"], [["PER", 1, 2]]],
    [["U-PER", "L-PER"], [["PER", 0, 1]]],
    [
      ["U", "U"],
      [
        ["_", 0, 1],
        ["_", 1, 2],
      ],
    ],
  ],
};

for (const [scheme, table] of Object.entries(TABLES)) {
  test(`strict ${scheme} chunking follows seqeval's scheme tests`, () => {
    for (const [tokens, expected] of table) {
      assert.deepEqual(strict(tokens, scheme as SchemeName), expected, `${scheme} ${JSON.stringify(tokens)}`);
    }
  });
}

test("strict mode errors: unknown prefix is KeyError, disallowed prefix ValueError, empty tag IndexError", () => {
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof SeqevalError);
      return [e.pythonType, e.message];
    }
    return null;
  };
  assert.deepEqual(
    err(() => strict(["T"], "IOB2")),
    ["KeyError", "'T'"],
  );
  assert.deepEqual(
    err(() => strict(["B-PER", "E-PER", "S-PER"], "IOB2")),
    ["ValueError", "Invalid token is found: E-PER. Allowed prefixes are: I|O|B."],
  );
  assert.deepEqual(
    err(() => strict(["B-PER"], "IOE2")),
    ["ValueError", "Invalid token is found: B-PER. Allowed prefixes are: I|O|E."],
  );
  assert.deepEqual(
    err(() => strict(["S-PER"], "BILOU")),
    ["ValueError", "Invalid token is found: S-PER. Allowed prefixes are: I|O|B|U|L."],
  );
  assert.deepEqual(
    err(() => strict([""], "IOB2")),
    ["IndexError", "string index out of range"],
  );
  assert.deepEqual(
    err(() => strict(["'x"], "IOB2")),
    ["KeyError", `"'"`],
  );
});

test("auto_detect picks IOB2, IOE2, IOBES or BILOU from the truth's prefixes", () => {
  const cases: [string[], SchemeName][] = [
    [["B", "I", "O"], "IOB2"],
    [["B"], "IOB2"],
    [["I", "O", "E"], "IOE2"],
    [["E"], "IOE2"],
    [["I", "O", "B", "E", "S"], "IOBES"],
    [["B", "E"], "IOBES"],
    [["S"], "IOBES"],
    [["I", "O", "B", "L", "U"], "BILOU"],
    [["U"], "BILOU"],
  ];
  for (const [seq, scheme] of cases) assert.equal(autoDetectScheme([seq]), scheme, JSON.stringify(seq));
  assert.throws(
    () => autoDetectScheme([["I", "O"]]),
    (e: unknown) => e instanceof SeqevalError && e.pythonType === "ValueError",
  );
  assert.throws(() => autoDetectScheme([["H"]]), /This scheme is not supported: H/);
  // The report auto-detects a missing scheme in strict mode; P/R/F then stay in default mode, as in Python.
  const yTrue = [["B-PER", "E-PER", "O", "S-LOC"]];
  const yPred = [["B-PER", "I-PER", "O", "S-LOC"]];
  const report = classificationReport(yTrue, yPred, { mode: "strict", outputDict: true, onWarning: () => undefined });
  assert.equal(report.PER.recall, 0);
  assert.equal(report.LOC.recall, 1);
  assert.equal(f1Score(yTrue, yPred, { mode: "strict" }), 1); // default-mode chunks: B-PER I-PER closes at O
});

test("default-mode get_entities: offsets over sentences joined by O, IOBES, suffix, '.' and bare tags", () => {
  assert.deepEqual(getEntities(["B-PER", "I-PER", "O", "B-LOC"]), [
    ["PER", 0, 1],
    ["LOC", 3, 3],
  ]);
  assert.deepEqual(
    getEntities([
      ["B-PER", "I-PER", "O", "B-LOC"],
      ["B-GEO", "I-GEO", "O"],
    ]),
    [
      ["PER", 0, 1],
      ["LOC", 3, 3],
      ["GEO", 5, 6],
    ],
  );
  assert.deepEqual(
    getEntities([
      ["O", "B-PER"],
      ["I-PER", "O"],
    ]),
    [
      ["PER", 1, 1],
      ["PER", 3, 3],
    ],
  );
  assert.deepEqual(getEntities(["S-PER", "B-LOC", "I-LOC", "E-LOC", "E-LOC"]), [
    ["PER", 0, 0],
    ["LOC", 1, 3],
    ["LOC", 4, 4],
  ]);
  assert.deepEqual(getEntities(["PER-B", "PER-I", "O", "LOC-B"], true), [
    ["PER", 0, 1],
    ["LOC", 3, 3],
  ]);
  assert.deepEqual(getEntities(["B-PER", ".", "I-PER"]), [
    ["PER", 0, 0],
    ["PER", 2, 2],
  ]);
  assert.deepEqual(getEntities(["B", "I", "O", "I"]), [
    ["_", 0, 1],
    ["_", 3, 3],
  ]);
  assert.deepEqual(getEntities(["B-ORG-NAME", "I-ORG-NAME"]), [["ORG-NAME", 0, 1]]);
  assert.deepEqual(getEntities(["I-組織", "I-組織"]), [["組織", 0, 1]]);
  const warnings: string[] = [];
  assert.deepEqual(
    getEntities(["PER", "PER", "O", "LOC"], false, (m) => warnings.push(m)),
    [
      ["ER", 0, 1],
      ["OC", 3, 3],
    ],
  );
  assert.deepEqual(warnings, ["PER seems not to be NE tag.", "LOC seems not to be NE tag."]);
  assert.throws(() => getEntities([["B-PER"], "O"] as unknown as string[][]), /can only concatenate str/);
});
