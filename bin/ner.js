#!/usr/bin/env node
// The `ner` command: run the TypeScript CLI through tsx's CommonJS hook (no build step).
// main() reports command errors itself; this catch is for failures before it runs.
require("tsx/cjs");
require("../src/cli/main.ts").main(process.argv).catch((err) => {
  const debug = /^(1|true|yes|on)$/i.test((process.env.NER_DEBUG || "").trim());
  console.error(debug && err && err.stack ? err.stack : `ner: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
