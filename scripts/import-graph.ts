/**
 * Import-graph numbers for src/ (issue 21 item 7): which folders import which, the imports that run
 * back up against the layer order below, file and folder cycles, and the largest files.
 *
 *   npx tsx scripts/import-graph.ts [--json]
 *
 * A folder is src/<first segment>; src/env.ts (the env names every layer reads) is "env", src/index.ts
 * "(root)". Imports are read with regular expressions (static `import … from`, `export … from`,
 * `require("…")`, `import("…")`) and resolved like node10 does for relative ids (x.ts, x/index.ts);
 * package imports are ignored.
 * `import type` / `export type` edges are counted but marked type-only, since they vanish at runtime.
 */
import * as fs from "fs";
import * as path from "path";

/** Lower layers first: a folder may import from its own layer or any earlier one, never a later one. */
const LAYERS: string[][] = [
  ["util", "env"],
  ["backend", "hub", "metrics"],
  ["data", "tokenization"],
  ["alignment", "collator"],
  ["models"],
  ["pipeline"],
  ["display"],
  ["explore"],
  ["training", "viz", "charts"],
  ["notebook", "export"],
  ["cli"],
  ["(root)"],
];

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

const ROOT = path.resolve(__dirname, "..", "src");

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out.sort();
}

function resolveImport(fromFile: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.js`,
    path.join(base, "index.ts"),
    path.join(base, "index.js"),
  ]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Static and dynamic imports of one file; a specifier imported both ways counts as a value import. */
function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = fs
    .readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const found = new Map<string, boolean>();
  const note = (spec: string, typeOnly: boolean): void => {
    found.set(spec, (found.get(spec) ?? true) && typeOnly);
  };
  const staticRe = /^\s*(import|export)\s+(type\s+)?([^"';]*?\s+from\s+)?["']([^"']+)["']/gm;
  for (const m of text.matchAll(staticRe)) note(m[4], Boolean(m[2]));
  for (const m of text.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)) note(m[1], false);
  return [...found].map(([spec, typeOnly]) => ({ spec, typeOnly }));
}

function folderOf(file: string): string {
  const rel = path.relative(ROOT, file).split(path.sep);
  if (rel.length > 1) return rel[0];
  return rel[0] === "env.ts" ? "env" : "(root)";
}

/** Tarjan's strongly connected components; returns the components with more than one node. */
function cycles(nodes: string[], next: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

function main(): void {
  const files = listFiles(ROOT);
  const edges: Edge[] = [];
  for (const file of files) {
    for (const { spec, typeOnly } of importsOf(file)) {
      const target = resolveImport(file, spec);
      if (target && target !== file) edges.push({ from: file, to: target, typeOnly });
    }
  }
  const rel = (f: string): string => path.relative(path.dirname(ROOT), f);
  const layerOf = new Map<string, number>();
  LAYERS.forEach((names, i) => names.forEach((n) => layerOf.set(n, i)));
  const folders = [...new Set(files.map(folderOf))].sort();
  const unlayered = folders.filter((f) => !layerOf.has(f));

  const folderEdges = new Map<string, { count: number; typeOnly: number }>();
  const backEdges: { from: string; to: string; typeOnly: boolean }[] = [];
  for (const e of edges) {
    const [a, b] = [folderOf(e.from), folderOf(e.to)];
    if (a === b) continue;
    const key = `${a} -> ${b}`;
    const entry = folderEdges.get(key) ?? { count: 0, typeOnly: 0 };
    entry.count++;
    if (e.typeOnly) entry.typeOnly++;
    folderEdges.set(key, entry);
    // A folder missing from LAYERS is reported as such, not counted against the order.
    if (layerOf.has(a) && layerOf.has(b) && layerOf.get(a)! < layerOf.get(b)!) {
      backEdges.push({ from: rel(e.from), to: rel(e.to), typeOnly: e.typeOnly });
    }
  }
  const fileNext = (typesToo: boolean) => (f: string) =>
    edges.filter((e) => e.from === f && (typesToo || !e.typeOnly)).map((e) => e.to);
  const fileCycles = cycles(files, fileNext(true)).map((c) => c.map(rel));
  const runtimeFileCycles = cycles(files, fileNext(false)).map((c) => c.map(rel));
  const folderCycles = cycles(folders, (f) =>
    [...folderEdges.keys()].filter((k) => k.startsWith(`${f} -> `)).map((k) => k.split(" -> ")[1]),
  );
  const sizes = files
    .map((f) => ({ file: rel(f), lines: fs.readFileSync(f, "utf8").split("\n").length - 1 }))
    .sort((a, b) => b.lines - a.lines);
  const report = {
    files: files.length,
    lines: sizes.reduce((s, f) => s + f.lines, 0),
    importEdges: edges.length,
    folders: folders.length,
    folderEdges: folderEdges.size,
    backEdges,
    folderCycles,
    fileCycles,
    runtimeFileCycles,
    unlayered,
    largest: sizes.slice(0, 10),
    linesOver120: files.flatMap((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .flatMap((line, i) => (line.length > 120 ? [`${rel(f)}:${i + 1}`] : [])),
    ),
  };
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ ...report, folderEdgeList: Object.fromEntries(folderEdges) }, null, 2));
    return;
  }
  console.log(`${report.files} files, ${report.lines} lines, ${report.importEdges} import edges`);
  console.log(`${report.folders} folders, ${report.folderEdges} folder edges`);
  console.log(`back-edges (against the layer order): ${backEdges.length}`);
  for (const e of backEdges) console.log(`  ${e.from} -> ${e.to}${e.typeOnly ? " (type-only)" : ""}`);
  console.log(`folder cycles: ${folderCycles.length}`);
  for (const c of folderCycles) console.log(`  ${c.join(" <-> ")}`);
  console.log(`file cycles: ${fileCycles.length} (${runtimeFileCycles.length} without type-only imports)`);
  for (const c of fileCycles) console.log(`  ${c.join(" <-> ")}`);
  if (unlayered.length) console.log(`folders missing from LAYERS: ${unlayered.join(", ")}`);
  console.log(`lines over 120 characters: ${report.linesOver120.length}`);
  console.log("largest files:");
  for (const s of report.largest) console.log(`  ${String(s.lines).padStart(5)}  ${s.file}`);
}

main();
