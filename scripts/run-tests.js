#!/usr/bin/env node
// Runs every tests/**/*.test.ts with Node's built-in test runner (through tsx).
// Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=seqeval`,
// and bare paths narrow the run to those files or folders.
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

function collect(p, out) {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(p).sort()) {
      if (e === "node_modules" || e.startsWith(".")) continue;
      collect(path.join(p, e), out);
    }
  } else if (p.endsWith(".test.ts")) {
    out.push(p);
  }
  return out;
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith("-"));
const roots = args.filter((a) => !a.startsWith("-"));
const files = (roots.length ? roots : ["tests"]).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const res = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...flags, ...files], {
  stdio: "inherit",
  env: process.env,
});
process.exit(res.status === null ? 1 : res.status);
