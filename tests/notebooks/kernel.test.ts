// Executes tiny notebooks in the project's tslab kernel through the project's runner: proves that
// src/ compiles under tslab (TS 5.0, CommonJS, not strict) and that the runner reports failures.
// Needs nbclient for /usr/bin/python3 (scripts/setup-jupyter.sh; CI runs it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../helpers/fixtures";
import { builtinModules } from "module";

interface Cell {
  cell_type: string;
  source: string;
  outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[];
}

/** nbformat may store multi-line strings as lists of lines. */
const joined = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));

function writeNotebook(file: string, sources: string[]): void {
  const nb = {
    cells: sources.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript (tslab)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(nb));
}

function runNotebooks(files: string[], outDir: string) {
  const res = spawnSync(
    process.execPath,
    [path.join(repoRoot, "scripts", "notebooks.js"), "--out-dir", outDir, "--timeout", "120", ...files],
    {
      cwd: repoRoot,
      encoding: "utf8",
      // The runner signs executed notebooks in the notary database of JUPYTER_DATA_DIR: keep it private.
      env: { ...process.env, NER_PLOTLY_HTML: "0", JUPYTER_DATA_DIR: notaryDir },
    },
  );
  return { status: res.status, out: (res.stdout ?? "") + (res.stderr ?? "") };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-nb-"));
const notaryDir = path.join(tmp, "jupyter-data");

/** Whether Jupyter's notary (the one `jupyter trust` uses) trusts the notebook. */
function isTrusted(file: string): boolean {
  const check =
    "import sys, nbformat\nfrom nbformat.sign import NotebookNotary\nsys.exit(0 if " +
    "NotebookNotary().check_signature(nbformat.read(sys.argv[1], 4)) else 3)";
  const r = spawnSync("/usr/bin/python3", ["-c", check, file], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_DATA_DIR: notaryDir },
  });
  if (r.status !== 0 && r.status !== 3) throw new Error(`signature check failed: ${r.stderr}`);
  return r.status === 0;
}

test("a tiny notebook importing src/ runs in the project kernel and saves its outputs", () => {
  const nb = path.join(tmp, "tiny.ipynb");
  writeNotebook(nb, [
    'import { profile } from "./src/env";\nimport { toTagged, tagCounts } from ' +
      '"./src/explore/records";\nconsole.log("profile", profile());',
    'const s = toTagged([{ tokens: ["New", "York"], ner_tags: [1, 2] }], ["O", "B-LOC", ' +
      '"I-LOC"]);\nconsole.log(JSON.stringify(tagCounts(s).map((c) => [c.tag, c.count])));',
    'import { showTable } from "./src/notebook/display";\nimport { showFigure, tagDistributionFigure ' +
      '} from "./src/charts/index";\nshowTable([{ tag: "B-LOC", n: 1 ' +
      '}]);\nshowFigure(tagDistributionFigure([{ tag: "O", count: 3 }]));',
    "await new Promise((r) => setTimeout(r, 10));\nconsole.log(process.cwd());",
  ]);
  const out = path.join(tmp, "out");
  const r = runNotebooks([nb], out);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /cell +4\/4/);
  const executed = path.join(out, "tiny.ipynb");
  const cells = JSON.parse(fs.readFileSync(executed, "utf8")).cells as (Cell & { execution_count: number | null })[];
  // Numbered like a run in the browser, and trusted so HTML outputs render when opened.
  assert.deepEqual(
    cells.map((c) => c.execution_count),
    [1, 2, 3, 4],
  );
  assert.equal(isTrusted(executed), true);
  assert.equal(isTrusted(path.join(tmp, "tiny.ipynb")), false, "the unexecuted input is not signed");
  const stdout = (c: Cell) =>
    (c.outputs ?? [])
      .filter((o) => o.name === "stdout")
      .map((o) => joined(o.text))
      .join("");
  assert.equal(stdout(cells[0]).trim(), `profile ${process.env.NER_PROFILE?.trim() || "full"}`);
  assert.equal(stdout(cells[1]).trim(), '[["B-LOC",1],["I-LOC",1]]');
  const displays = (cells[2].outputs ?? []).filter((o) => o.output_type === "display_data");
  assert.equal(displays.length, 2);
  assert.match(joined(displays[0].data?.["text/html"] as string | string[]), /<td[^>]*>B-LOC<\/td>/);
  assert.ok("application/vnd.plotly.v1+json" in (displays[1].data ?? {}));
  // The kernel runs in the project root, so notebooks' relative paths mean the same as in CI.
  assert.equal(fs.realpathSync(stdout(cells[3]).trim()), fs.realpathSync(repoRoot));
});

test("the runner stops at the first failing cell, prints its real error and keeps the partial notebook", () => {
  const bad = path.join(tmp, "bad.ipynb");
  const never = path.join(tmp, "never.ipynb");
  writeNotebook(bad, ['console.log("before")', 'throw new Error("tokenizer exploded")', 'console.log("after")']);
  writeNotebook(never, ['console.log("x")']);
  const out = path.join(tmp, "out");
  const r = runNotebooks([bad, never], out);
  assert.equal(r.status, 1);
  assert.match(r.out, /FAILED at code cell 2/);
  assert.match(r.out, /Error: tokenizer exploded/);
  assert.match(r.out, /never\.ipynb +skipped/);
  const cells = JSON.parse(fs.readFileSync(path.join(out, "bad.ipynb"), "utf8")).cells as Cell[];
  assert.equal(joined(cells[0].outputs?.[0].text), "before\n");
  assert.equal(cells[2].outputs?.length ?? 0, 0);
  assert.equal(fs.existsSync(path.join(out, "never.ipynb")), false);
});

test(
  'no src/ file imports a bare Node built-in that a sibling file shadows under tslab (e.g. "fs" beside ' + "a fs.ts)",
  () => {
    // tslab resolves every import relative to the importing file's folder, among the files it
    // compiled, before Node's own modules: `import * as fs from "fs"` beside a src/x/fs.ts loads
    // that file (it once overflowed the stack in a notebook's first cell, hence util/files.ts).
    const builtins = new Set(builtinModules);
    const clashes: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          walk(p);
          continue;
        }
        if (!e.name.endsWith(".ts")) continue;
        const text = fs.readFileSync(p, "utf8");
        for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["']([^"'./][^"']*)["']/g)) {
          const id = m[1];
          if (builtins.has(id) && fs.existsSync(path.join(dir, `${id}.ts`)))
            clashes.push(`${path.relative(repoRoot, p)} imports "${id}"`);
        }
      }
    };
    walk(path.join(repoRoot, "src"));
    assert.deepEqual(clashes, [], 'import "node:<name>" in these files, or rename the shadowing file');
  },
);
