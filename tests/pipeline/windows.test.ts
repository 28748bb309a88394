import { test } from "node:test";
import assert from "node:assert/strict";
import { Tokenizer } from "tokenizers";
import { splitIntoWindows } from "../../src/pipeline/windows";
import { fixturePath } from "../helpers/fixtures";
import { encodeWithBinding, toWindow } from "./helpers";

const TEXT =
  "China controlled most of the match and saw several chances missed until the 78th minute when " +
  "Uzbek striker Igor Shkvyrin took advantage .";

test(
  "window contents equal the tokenizers library's Encoding.truncate(max, " + "stride) parts, wrapped in [CLS]/[SEP]",
  async () => {
    const full = await encodeWithBinding("tiny-bert", TEXT);
    const tok = Tokenizer.fromFile(fixturePath("tiny-bert", "tokenizer.json"));
    for (const [maxLength, stride] of [
      [12, 3],
      [16, 0],
      [10, 7],
      [30, 5],
    ]) {
      const content = await tok.encode(TEXT, null, { addSpecialTokens: false });
      content.truncate(maxLength - 2, stride, "right");
      const parts = [content, ...content.getOverflowing()].map((e) => toWindow(e, TEXT));
      assert.ok(parts.length > 1);
      const windows = splitIntoWindows(full, { modelMaxLength: maxLength, stride });
      assert.equal(windows.length, parts.length, `max ${maxLength} stride ${stride}`);
      windows.forEach((w, i) => {
        assert.ok(w.inputIds.length <= maxLength);
        assert.deepEqual(w.tokens, ["[CLS]", ...parts[i].tokens, "[SEP]"]);
        assert.deepEqual(w.inputIds, [2, ...parts[i].inputIds, 3]);
        assert.deepEqual(w.offsets, [[0, 0], ...parts[i].offsets, [0, 0]]);
        assert.deepEqual(w.specialTokensMask, [1, ...parts[i].specialTokensMask, 1]);
      });
    }
  },
);

test("without stride only the first window is kept (plain truncation); short inputs pass through", async () => {
  const full = await encodeWithBinding("tiny-bert", TEXT);
  const [only, ...rest] = splitIntoWindows(full, { modelMaxLength: 8 });
  assert.equal(rest.length, 0);
  assert.deepEqual(only.tokens, [...full.tokens.slice(0, 7), "[SEP]"]);
  assert.deepEqual(only.specialTokensMask, [1, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(splitIntoWindows(full, { modelMaxLength: 512, stride: 16 }), [full]);
});

test("invalid strides and lengths are rejected with a clear message", async () => {
  const full = await encodeWithBinding("tiny-bert", TEXT);
  assert.throws(
    () => splitIntoWindows(full, { modelMaxLength: 12, stride: 10 }),
    /stride must be an integer in \[0, 10\)/,
  );
  assert.throws(() => splitIntoWindows(full, { modelMaxLength: 12, stride: -1 }), /stride/);
  assert.throws(() => splitIntoWindows(full, { modelMaxLength: 2 }), /no room/);
});
