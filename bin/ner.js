#!/usr/bin/env node
// The `ner` command: run the TypeScript CLI through tsx's CommonJS hook (no build step).
require("tsx/cjs");
require("../src/cli/main.ts").main(process.argv).catch((err) => {
  console.error(`ner: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
