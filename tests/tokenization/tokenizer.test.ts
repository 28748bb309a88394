/**
 * NerTokenizer behaviour beyond the golden file: the known values, truncation,
 * padding, offsets with astral characters, id/token conversion, decode, config handling,
 * saving and loading by hub name.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  NerTokenizer,
  cleanUpTokenization,
  codePointLength,
  toUtf16Offsets,
  wordPieceDecoderCleanup,
} from "../../src/tokenization";
import { fixturePath, modelDir, modelsMirror } from "../helpers/fixtures";
import { startFakeHub } from "../helpers/fake-hub";

const cased = NerTokenizer.fromDirectory(modelDir("bert-base-cased"));
const uncased = NerTokenizer.fromDirectory(modelDir("distilbert-base-uncased"));
const EU = "EU rejects German call to boycott British lamb .".split(" ");

test("bert-base-cased: the CoNLL example gives the ids and word_ids Python prints", async () => {
  for (const strategy of ["per-word", "joined"] as const) {
    const e = await cased.encodeWords(EU, { strategy });
    assert.deepEqual(e.inputIds, [101, 7270, 22961, 1528, 1840, 1106, 21423, 1418, 2495, 12913, 119, 102]);
    assert.deepEqual(e.wordIds, [null, 0, 1, 2, 3, 4, 5, 6, 7, 7, 8, null]);
    assert.deepEqual(e.tokens.slice(8, 10), ["la", "##mb"]);
  }
  assert.equal(cased.doLowerCase, false);
  assert.equal(cased.vocabSize, 28996);
  assert.deepEqual(
    [cased.clsTokenId, cased.sepTokenId, cased.padTokenId, cased.unkTokenId, cased.maskTokenId],
    [101, 102, 0, 100, 103],
  );
  assert.equal(cased.modelMaxLength, 512);
});

test("distilbert-base-uncased: 'resturants' splits into rest ##ura ##nts", async () => {
  const e = await uncased.encodeWords("5 star resturants in my town".split(" "));
  assert.deepEqual(e.tokens, ["[CLS]", "5", "star", "rest", "##ura", "##nts", "in", "my", "town", "[SEP]"]);
  assert.deepEqual(e.wordIds, [null, 0, 1, 2, 2, 2, 3, 4, 5, null]);
  assert.equal(uncased.doLowerCase, true);
  assert.equal(uncased.vocabSize, 30522);
});

test("truncation is on the right at maxLength with [SEP] kept; off keeps everything", async () => {
  const e = await cased.encodeWords(EU, { maxLength: 6 });
  assert.deepEqual(e.inputIds, [101, 7270, 22961, 1528, 1840, 102]);
  assert.deepEqual(e.wordIds, [null, 0, 1, 2, 3, null]);
  assert.equal(e.truncated, true);
  // Cutting inside a word keeps its first pieces (HF truncates tokens, not words).
  const mid = await cased.encodeWords(EU, { maxLength: 10 });
  assert.deepEqual(mid.wordIds, [null, 0, 1, 2, 3, 4, 5, 6, 7, null]);
  const off = await cased.encodeWords(EU, { maxLength: 6, truncation: false });
  assert.equal(off.inputIds.length, 12);
  assert.equal(off.truncated, false);
  const bare = await cased.encodeWords(EU, { addSpecialTokens: false, maxLength: 3 });
  assert.deepEqual(bare.inputIds, [7270, 22961, 1528]);
  assert.deepEqual(bare.specialTokensMask, [0, 0, 0]);
});

test("default truncation at model_max_length (512)", async () => {
  const long = Array.from({ length: 600 }, (_, i) => `w${i % 10}`);
  const e = await uncased.encodeWords(long);
  assert.equal(e.inputIds.length, 512);
  assert.equal(e.inputIds[511], uncased.sepTokenId);
  const t = await uncased.encodeText(long.join(" "));
  assert.equal(t.inputIds.length, 512);
  assert.equal(t.truncated, true);
});

test("batch padding: longest, multiple-of and max_length, HF pad conventions", async () => {
  const batch = [EU, ["Peter"], []];
  const p = await cased.encodeWordsBatch(batch, { padding: "longest" });
  assert.deepEqual(
    p.map((e) => e.inputIds.length),
    [12, 12, 12],
  );
  const short = p[1];
  assert.deepEqual(short.inputIds.slice(0, 3), [101, 1943, 102]);
  assert.deepEqual(short.inputIds.slice(3), new Array(9).fill(0));
  assert.deepEqual(short.attentionMask, [1, 1, 1, ...new Array(9).fill(0)]);
  assert.deepEqual(short.specialTokensMask, [1, 0, 1, ...new Array(9).fill(1)]);
  assert.deepEqual(short.wordIds, [null, 0, null, ...new Array(9).fill(null)]);
  assert.equal(short.tokens[5], "[PAD]");
  assert.deepEqual(p[2].inputIds.slice(0, 3), [101, 102, 0]);
  const m8 = await cased.encodeWordsBatch(batch, { padding: true, padToMultipleOf: 8 });
  assert.equal(m8[0].inputIds.length, 16);
  const ml = await cased.encodeTextBatch(["a", "b c"], { padding: "max_length", maxLength: 7 });
  assert.deepEqual(
    ml.map((e) => e.inputIds.length),
    [7, 7],
  );
  assert.deepEqual(ml[0].offsets.slice(3), [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ]);
});

test("encodeText: UTF-16 offsets across emoji and astral characters slice the right text", async () => {
  const text = "I ❤️ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 😀😀 in New York?";
  for (const tok of [cased, uncased]) {
    const e = await tok.encodeText(text);
    const york = e.tokens.findIndex((t) => t.toLowerCase() === "york");
    assert.equal(text.slice(...e.offsets[york]), "York");
    assert.equal(text.slice(...e.offsets[york + 1]), "?");
    // word ids are the pre-tokenizer's words: "York" and "?" are two.
    assert.equal(e.wordIds[york + 1], (e.wordIds[york] as number) + 1);
    const and = e.tokens.indexOf("and");
    assert.equal(text.slice(...e.offsets[and]), "and");
    assert.deepEqual(e.offsets[0], [0, 0]);
    assert.deepEqual(e.offsets[e.offsets.length - 1], [0, 0]);
  }
  assert.equal(codePointLength("a😀b"), 3);
  assert.deepEqual(
    toUtf16Offsets("a😀b", [
      [1, 2],
      [2, 3],
    ]),
    [
      [1, 3],
      [3, 4],
    ],
  );
});

test("a lone U+FE0F gives no sub-token with uncased vocabularies and is reported", async () => {
  const e = await uncased.encodeWords(["love", "\uFE0F", "it"]);
  assert.deepEqual(e.tokens, ["[CLS]", "love", "it", "[SEP]"]);
  assert.deepEqual(e.wordIds, [null, 0, 2, null]);
  assert.deepEqual(e.emptyWords, [1]);
  const j = await uncased.encodeWords(["love", "\uFE0F", "it"], { strategy: "joined" });
  assert.deepEqual(j.wordIds, e.wordIds);
  assert.deepEqual(j.emptyWords, [1]);
  const c = await cased.encodeWords(["love", "\uFE0F", "it"]);
  assert.deepEqual(c.emptyWords, []);
});

test("convertIdsToTokens / convertTokensToIds round-trip; out-of-vocabulary ids throw", () => {
  assert.deepEqual(cased.convertIdsToTokens([101, 7270, 2495, 12913, 102]), ["[CLS]", "EU", "la", "##mb", "[SEP]"]);
  assert.deepEqual(cased.convertTokensToIds(["EU", "##mb", "no-such-token"]), [7270, 12913, 100]);
  assert.throws(() => cased.convertIdsToTokens([28996]), /outside the vocabulary/);
});

test("decode equals the binding's decode plus HF clean_up_tokenization", async () => {
  const samples = [
    [101, 7270, 22961, 1528, 1840, 1106, 21423, 1418, 2495, 12913, 119, 102],
    (await uncased.encodeText("John's dog doesn't bark , right ? I'm sure ' quoted ' !")).inputIds,
    (await uncased.encodeText("résumé of the U.S. team")).inputIds,
  ];
  for (const [tok, ids] of [
    [cased, samples[0]],
    [uncased, samples[1]],
    [uncased, samples[2]],
  ] as const) {
    for (const skip of [false, true]) {
      const raw = await tok.backend.decode(ids, skip);
      assert.equal(tok.decode(ids, { skipSpecialTokens: skip, cleanUpTokenizationSpaces: false }), raw);
      assert.equal(tok.decode(ids, { skipSpecialTokens: skip }), cleanUpTokenization(raw));
    }
  }
  assert.equal(
    cased.decode(samples[0], { skipSpecialTokens: true }),
    "EU rejects German call to boycott British lamb.",
  );
  assert.equal(
    uncased.decode(samples[1], { skipSpecialTokens: true }),
    "john's dog doesn't bark, right? i'm sure'quoted '!",
  );
  assert.equal(cleanUpTokenization("a ' b don 't x , y"), "a'b don 't x, y");
  // Python's whole-string clean-up has no " do not" rule; the Rust decoder's per-token one does.
  assert.equal(cleanUpTokenization("i do not 've"), "i do not've");
  assert.equal(wordPieceDecoderCleanup("i do not 've"), "i don't've");
});

test(
  "continuingSubwordPrefix comes from tokenizer.json's model ('##' for WordPiece), '##' from " +
    "vocab.txt, null when absent",
  () => {
    assert.equal(cased.continuingSubwordPrefix, "##");
    assert.equal(uncased.continuingSubwordPrefix, "##");
    const dir = modelDir("bert-base-cased");
    const json = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
    const custom = NerTokenizer.fromFiles({
      tokenizerJson: JSON.stringify({ ...json, model: { ...json.model, continuing_subword_prefix: "@@" } }),
    });
    assert.equal(custom.continuingSubwordPrefix, "@@");
    const { continuing_subword_prefix: _drop, ...withoutPrefix } = json.model;
    assert.equal(
      NerTokenizer.fromFiles({ tokenizerJson: JSON.stringify({ ...json, model: withoutPrefix }) })
        .continuingSubwordPrefix,
      null,
    );
    assert.equal(
      NerTokenizer.fromFiles({ vocabTxt: fs.readFileSync(path.join(dir, "vocab.txt"), "utf8") })
        .continuingSubwordPrefix,
      "##",
    );
  },
);

test("tokenizer_config do_lower_case overrides tokenizer.json's normalizer (BertTokenizerFast rule)", async () => {
  const dir = modelDir("bert-base-uncased");
  const files = { tokenizerJson: fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8") };
  const lower = NerTokenizer.fromFiles({ ...files, tokenizerConfigJson: '{"do_lower_case": true}' });
  const keep = NerTokenizer.fromFiles({
    ...files,
    tokenizerConfigJson: '{"do_lower_case": false, "model_max_length": 128}',
  });
  assert.deepEqual((await lower.encodeWords(["Paris"])).tokens, ["[CLS]", "paris", "[SEP]"]);
  assert.equal(keep.doLowerCase, false);
  assert.equal(keep.modelMaxLength, 128);
  assert.deepEqual((await keep.encodeWords(["Paris"])).tokens, ["[CLS]", "[UNK]", "[SEP]"]);
  // vocab.txt path: do_lower_case defaults to true as in BertTokenizer.
  const fromVocab = NerTokenizer.fromFiles({ vocabTxt: fs.readFileSync(path.join(dir, "vocab.txt"), "utf8") });
  assert.equal(fromVocab.doLowerCase, true);
  assert.deepEqual((await fromVocab.encodeWords(["Café", "[MASK]"])).inputIds, [101, 7668, 103, 102]);
  assert.throws(() => NerTokenizer.fromDirectory("/no/such/dir"), /not found/);
  assert.throws(
    () => NerTokenizer.fromFiles({ tokenizerConfigJson: "{" }, "x"),
    /neither tokenizer.json nor vocab.txt/,
  );
});

test("save() writes loadable files atomically next to other files, and encodes identically", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-tok-save-"));
  try {
    fs.writeFileSync(path.join(dir, "config.json"), "{}");
    cased.save(dir);
    assert.ok(fs.existsSync(path.join(dir, "config.json")), "other files are kept");
    for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"])
      assert.ok(fs.existsSync(path.join(dir, f)), f);
    assert.equal(
      fs.readFileSync(path.join(dir, "vocab.txt"), "utf8"),
      fs.readFileSync(path.join(modelDir("bert-base-cased"), "vocab.txt"), "utf8"),
    );
    const again = NerTokenizer.fromDirectory(dir);
    assert.equal(again.doLowerCase, false);
    assert.deepEqual(await again.encodeWords(EU), await cased.encodeWords(EU));
    const viaVocab = NerTokenizer.fromFiles({
      vocabTxt: fs.readFileSync(path.join(dir, "vocab.txt"), "utf8"),
      tokenizerConfigJson: fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"),
    });
    assert.deepEqual((await viaVocab.encodeWords(EU)).inputIds, (await cased.encodeWords(EU)).inputIds);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("fromPretrained resolves a hub name through NER_MODELS_DIR, and fails clearly offline", async () => {
  const saved = {
    models: process.env.NER_MODELS_DIR,
    offline: process.env.NER_OFFLINE,
    cache: process.env.HF_HUB_CACHE,
  };
  const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), "ner-empty-cache-"));
  try {
    process.env.NER_MODELS_DIR = modelsMirror;
    process.env.HF_HUB_CACHE = emptyCache;
    const tok = await NerTokenizer.fromPretrained("bert-base-cased");
    assert.deepEqual((await tok.encodeWords(EU)).inputIds, (await cased.encodeWords(EU)).inputIds);
    const byDir = await NerTokenizer.fromPretrained(modelDir("distilbert-base-uncased"));
    assert.equal(byDir.doLowerCase, true);
    delete process.env.NER_MODELS_DIR;
    process.env.NER_OFFLINE = "1";
    await assert.rejects(NerTokenizer.fromPretrained("some-org/no-such-bert"), /offline|NER_OFFLINE/);
  } finally {
    for (const [k, v] of [
      ["NER_MODELS_DIR", saved.models],
      ["NER_OFFLINE", saved.offline],
      ["HF_HUB_CACHE", saved.cache],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(emptyCache, { recursive: true, force: true });
  }
});

test("fromPretrained downloads from a hub on 127.0.0.1 into the cache, then loads from the cache", async () => {
  const read = (f: string) => fs.readFileSync(fixturePath("tiny-bert", f));
  const hub = await startFakeHub({
    "org/tiny-bert": {
      "tokenizer.json": { content: read("tokenizer.json") },
      "tokenizer_config.json": { content: read("tokenizer_config.json") },
    },
  });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-tok-hub-"));
  const saved = { models: process.env.NER_MODELS_DIR, offline: process.env.NER_OFFLINE };
  try {
    delete process.env.NER_MODELS_DIR;
    delete process.env.NER_OFFLINE;
    const tok = await NerTokenizer.fromPretrained("org/tiny-bert", { hubUrl: hub.url, cacheDir });
    const local = NerTokenizer.fromDirectory(fixturePath("tiny-bert"));
    assert.deepEqual(await tok.encodeWords(EU), await local.encodeWords(EU));
    assert.equal(tok.doLowerCase, false);
    assert.ok(hub.requests.some((r) => r.includes("/resolve/") && r.endsWith("tokenizer.json")));
    const before = hub.requests.length;
    process.env.NER_OFFLINE = "1";
    const cached = await NerTokenizer.fromPretrained("org/tiny-bert", { hubUrl: hub.url, cacheDir });
    assert.equal(hub.requests.length, before, "offline load made no request");
    assert.deepEqual((await cached.encodeWords(EU)).inputIds, (await local.encodeWords(EU)).inputIds);
  } finally {
    for (const [k, v] of [
      ["NER_MODELS_DIR", saved.models],
      ["NER_OFFLINE", saved.offline],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await hub.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
