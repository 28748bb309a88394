/**
 * Builds notebooks/*.ipynb from their readable sources notebooks/sources/*.md:
 * every ```ts fenced block becomes a code cell, the text between blocks a Markdown cell.
 * Output is committed without outputs and with execution counts cleared.
 *
 *   npx tsx scripts/build-notebooks.ts          # rebuild all
 *   npx tsx scripts/build-notebooks.ts --check  # exit 1 if a committed notebook is out of date
 *
 * Both refuse a code line longer than MAX_CODE_LINE characters: a cell must fit JupyterLab's
 * cell width without running off the right edge.
 */
import * as fs from "fs";
import * as path from "path";

export interface NotebookCell {
  cell_type: "markdown" | "code";
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: null;
  outputs?: unknown[];
  id: string;
}

/** Split text into nbformat's list-of-lines form (every line but the last keeps its "\n"). */
function sourceLines(text: string): string[] {
  const lines = text.split("\n");
  return lines.map((l, i) => (i < lines.length - 1 ? l + "\n" : l)).filter((l) => l !== "");
}

/** Cells of a Markdown source: ```ts blocks are code, the rest Markdown. */
export function parseNotebookSource(md: string, name = "source"): NotebookCell[] {
  const cells: NotebookCell[] = [];
  const lines = md.replace(/\r\n/g, "\n").split("\n");
  let text: string[] = [];
  let code: string[] | null = null;
  let openLine = 0;
  const push = (type: "markdown" | "code", body: string[]) => {
    const src = body.join("\n").replace(/^\n+|\s+$/g, "");
    if (!src) return;
    const id = `${type === "code" ? "c" : "m"}${String(cells.length).padStart(3, "0")}`;
    cells.push(
      type === "code"
        ? { cell_type: "code", execution_count: null, id, metadata: {}, outputs: [], source: sourceLines(src) }
        : { cell_type: "markdown", id, metadata: {}, source: sourceLines(src) },
    );
  };
  lines.forEach((line, i) => {
    if (code === null && /^```(ts|typescript)\s*$/.test(line)) {
      push("markdown", text);
      text = [];
      code = [];
      openLine = i + 1;
    } else if (code !== null && /^```\s*$/.test(line)) {
      push("code", code);
      code = null;
    } else if (code !== null) {
      code.push(line);
    } else {
      text.push(line);
    }
  });
  if (code !== null) throw new Error(`${name}:${openLine}: code block is never closed`);
  push("markdown", text);
  return cells;
}

/** The longest code line a cell may have (characters). */
export const MAX_CODE_LINE = 100;

/** "file:line: ..." for every code line of a source longer than `max` characters. */
export function longCodeLines(md: string, name = "source", max = MAX_CODE_LINE): string[] {
  const out: string[] = [];
  let inCode = false;
  md.replace(/\r\n/g, "\n")
    .split("\n")
    .forEach((line, i) => {
      if (!inCode && /^```(ts|typescript)\s*$/.test(line)) inCode = true;
      else if (inCode && /^```\s*$/.test(line)) inCode = false;
      else if (inCode && [...line].length > max) {
        out.push(`${name}:${i + 1}: code line of ${[...line].length} characters (at most ${max})`);
      }
    });
  return out;
}

/**
 * Notebook metadata exactly as Jupyter fills it in when the kernel starts: `kernelspec` from
 * jupyter/kernels/tslab/kernel.json and `language_info` from tslab's kernel_info reply (its
 * "3.7.2" is tslab 1.0.22's fixed string, not the TypeScript it compiles with). Anything else
 * makes a freshly opened notebook "unsaved" before the user has done anything.
 */
export const NOTEBOOK_METADATA = {
  kernelspec: { display_name: "TypeScript (tslab, ner-notebooks)", language: "typescript", name: "tslab" },
  language_info: {
    codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
    file_extension: ".ts",
    mimetype: "text/typescript",
    name: "typescript",
    version: "3.7.2",
  },
};

/** The notebook JSON (nbformat 4.5) for the tslab kernel, as the committed file's text. */
export function notebookJson(cells: NotebookCell[]): string {
  const nb = {
    cells,
    metadata: NOTEBOOK_METADATA,
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + "\n";
}

function main(argv: string[]): number {
  const root = path.resolve(__dirname, "..");
  const srcDir = path.join(root, "notebooks", "sources");
  const check = argv.includes("--check");
  let stale = 0;
  for (const f of fs
    .readdirSync(srcDir)
    .filter((x) => x.endsWith(".md"))
    .sort()) {
    const out = path.join(root, "notebooks", f.replace(/\.md$/, ".ipynb"));
    const md = fs.readFileSync(path.join(srcDir, f), "utf8");
    const long = longCodeLines(md, `notebooks/sources/${f}`);
    if (long.length) {
      for (const l of long) console.error(l);
      stale += 1;
      continue;
    }
    const json = notebookJson(parseNotebookSource(md, f));
    const current = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : null;
    if (current === json) continue;
    if (check) {
      console.error(
        `${path.relative(root, out)} is out of date with notebooks/sources/${f}; run npx tsx ` +
          `scripts/build-notebooks.ts`,
      );
      stale += 1;
    } else {
      fs.writeFileSync(out, json);
      console.log(`wrote ${path.relative(root, out)}`);
    }
  }
  return stale ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
