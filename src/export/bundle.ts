/**
 * Building the page's script: esbuild bundles src/export/browser/main.ts — our pipeline, models,
 * viz and the pure-JS tokenizer, with TensorFlow.js and its wasm backend — into one minified
 * file. Node built-ins that library modules import for features the page does not use (saving,
 * the hub) become empty modules; the one Buffer call on the page's path gets a TextDecoder shim.
 */
import * as fs from "fs";
import * as path from "path";
import type { Plugin } from "esbuild";

const ENTRY = path.join(__dirname, "browser", "main.ts");
const BUFFER_SHIM = path.join(__dirname, "browser", "buffer-shim.ts");
const SRC_DIR = path.resolve(__dirname, "..");

const NODE_BUILTIN_NAMES = ["fs", "fs/promises", "path", "os", "crypto", "child_process", "http", "https", "net", "url"]
  .concat(["util", "zlib", "stream", "stream/promises", "worker_threads", "perf_hooks", "readline", "tty", "events"])
  .concat(["assert"]);
const NODE_BUILTINS = new RegExp(`^(node:)?(${NODE_BUILTIN_NAMES.map((n) => n.replace("/", "\\/")).join("|")})$`);
/** Node-only packages that library modules use for what the page does not do (hub downloads, the Rust tokenizer). */
const NODE_PACKAGES = /^(@huggingface\/hub|tokenizers|@tensorflow\/tfjs-node(-gpu)?)$/;

/** util's TextDecoder/TextEncoder are the browser's own (src/util/utf8 imports them from util). */
const UTIL_STUB = "module.exports = { TextDecoder: globalThis.TextDecoder, TextEncoder: globalThis.TextEncoder };";
/** Some modules compute default paths when loaded (e.g. the embedded-models folder): joining strings is enough. */
const PATH_STUB = `
const join = (...p) => p.filter(Boolean).join("/").replace(/\\/+/g, "/");
module.exports = { sep: "/", delimiter: ":", join, resolve: join, normalize: (p) => p,
  dirname: (p) => p.replace(/\\/[^/]*$/, "") || "/", basename: (p) => p.replace(/^.*\\//, ""),
  extname: (p) => (/\\.[^./]*$/.exec(p) || [""])[0], relative: (a, b) => b, isAbsolute: (p) => p.startsWith("/") };`;

/** The model-size check asks for the machine's memory: a page gets at most the wasm heap (4 GiB). */
const OS_STUB = `module.exports = { totalmem: () => 4 * 2 ** 30, cpus: () => [], platform: () => "browser",
  tmpdir: () => "/tmp", homedir: () => "/", EOL: "\\n" };`;
const STUBS: [RegExp, string][] = [
  [/^(node:)?util$/, UTIL_STUB],
  [/^(node:)?path$/, PATH_STUB],
  [/^(node:)?os$/, OS_STUB],
];

/** Empty stand-ins for Node built-ins, and the Buffer shim for our modules that use Buffer. */
function browserShims(): Plugin {
  return {
    name: "ner-browser-shims",
    setup(build) {
      build.onResolve({ filter: NODE_BUILTINS }, (args) => ({ path: args.path, namespace: "node-stub" }));
      build.onResolve({ filter: NODE_PACKAGES }, (args) => ({ path: args.path, namespace: "node-stub" }));
      build.onLoad({ filter: /.*/, namespace: "node-stub" }, (args) => ({
        contents: STUBS.find(([re]) => re.test(args.path))?.[1] ?? "module.exports = {};",
        loader: "js",
      }));
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(SRC_DIR + path.sep) || args.path === BUFFER_SHIM) return undefined;
        const source = fs.readFileSync(args.path, "utf8");
        if (!/\bBuffer\.from\(/.test(source)) return { contents: source, loader: "ts" };
        return { contents: `import { Buffer } from ${JSON.stringify(BUFFER_SHIM)};\n${source}`, loader: "ts" };
      });
    },
  };
}

/** The bundle's text and its size; `minify` false keeps it readable for debugging. */
export async function buildBrowserBundle(opts: { minify?: boolean } = {}): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild loads only for a web export
  const esbuild = require("esbuild") as typeof import("esbuild");
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    target: ["chrome110", "firefox110", "safari16"],
    minify: opts.minify ?? true,
    legalComments: "none",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"', __dirname: '"/"', __filename: '"/ner-web.js"' },
    plugins: [browserShims()],
  });
  if (result.outputFiles.length !== 1)
    throw new Error(`esbuild produced ${result.outputFiles.length} files, expected 1`);
  return result.outputFiles[0].text;
}
