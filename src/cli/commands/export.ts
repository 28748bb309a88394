/**
 * `ner export web`: share a model as a static web page that runs it in the reader's browser.
 *
 *   ner export web --model <dir|name> --out <folder> [--fp16] [--examples texts.txt]
 *                  [--aggregation simple] [--serve [port]] [--json]
 *   ner export web --out <folder> --serve [port]        # serve an existing export
 *
 * Chromium does not let a file:// page read the files beside it, so open the page through
 * --serve (127.0.0.1 only, with the cross-origin isolation headers that enable wasm threads).
 */
import type { Command } from "commander";
import { MODEL_ENV, helpAfter } from "../help";

interface ExportWebCliOptions {
  model?: string;
  out: string;
  fp16?: boolean;
  examples?: string;
  aggregation: string;
  serve?: string | boolean;
  json?: boolean;
}

function servePort(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 8080;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--serve port must be an integer in [0, 65535], got ${JSON.stringify(value)}`);
  return n;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function register(program: Command): void {
  const exportCmd = program.command("export").description("Export a model for use elsewhere");
  exportCmd
    .command("web")
    .description("Write a static web page that runs the model in the reader's browser (no Python, no hub, no CDN)")
    .option("--model <dir|name>", "model directory or hub name (config.json, weights, tokenizer files)")
    .requiredOption("--out <folder>", "the site folder to write (a previous export there is replaced)")
    .option("--fp16", "store the weights in half precision (half the size; the page computes in float32)")
    .option("--examples <file>", "example texts for the page, one per line (default: the run card's eval data)")
    .option(
      "--aggregation <strategy>",
      "the page's initial aggregation: none | simple | first | average | max",
      "simple",
    )
    .option("--serve [port]", "then serve the folder on 127.0.0.1 (default port 8080; 0 = any free port)")
    .option("--json", "print a JSON summary (files and sizes)")
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner export web --model runs/mit --out site/mit          # then: ner export web --out site/mit --serve",
          "ner export web --model runs/mit --out site/mit --fp16 --serve 8000",
        ],
        MODEL_ENV,
      ),
    )
    .action(async (opts: ExportWebCliOptions) => {
      const port = servePort(opts.serve);
      const { parseAggregationStrategy } =
        require("../../pipeline/classifier") as typeof import("../../pipeline/classifier");
      const aggregationStrategy = parseAggregationStrategy(opts.aggregation);
      if (opts.model === undefined && port === undefined)
        throw new Error("pass --model <dir> to export, or --serve to serve an existing export");
      if (opts.model !== undefined) {
        let examples: string[] | undefined;
        if (opts.examples) {
          const { readTextsFile } = require("./predict") as typeof import("./predict");
          examples = readTextsFile(opts.examples).map((i) => i.text);
        }
        const { exportWebSite } = require("../../export/web") as typeof import("../../export/web");
        const result = await exportWebSite({
          model: opts.model,
          out: opts.out,
          fp16: opts.fp16,
          examples,
          aggregationStrategy,
          log: opts.json ? undefined : (m) => process.stderr.write(`${m}\n`),
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          process.stdout.write(
            `wrote ${result.out}: ${Object.keys(result.files).length} files, ${megabytes(result.totalBytes)} ` +
              `(weights ${result.weightsDtype === "F16" ? "fp16" : "float32"} ` +
              `${megabytes(result.files["model.safetensors"])})\n`,
          );
        }
      }
      if (port !== undefined) {
        const { serveSite } = require("../../export/serve") as typeof import("../../export/serve");
        const server = await serveSite(opts.out, port);
        process.stderr.write(`serving ${opts.out} at ${server.url} (127.0.0.1 only); Ctrl-C to stop\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            void server.close().then(resolve);
          };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
      }
    });
}
