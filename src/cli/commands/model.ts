/**
 * `ner model info <dir|name>`: architecture, sizes, labels, parameter count, backend.
 * `ner model logits --model <dir|name> --input in.jsonl`: raw logits per input line.
 *
 * Input lines for `logits`: {"input_ids": [...], "attention_mask"?: [...], "token_type_ids"?: [...]}
 * or {"tokens": [...]} (pre-split words) or {"text": "..."}, tokenized with the model's tokenizer.
 * Output (--json): one line per input {"input_ids": [...], "logits": [[...], ...]}.
 */
import type { Command } from "commander";
import { BACKEND_CHOICES, MODEL_ENV, helpAfter } from "../help";
import * as fs from "fs";
import * as path from "path";

interface LogitsInput {
  line: number;
  inputIds?: number[];
  attentionMask?: number[];
  tokenTypeIds?: number[];
  tokens?: string[];
  text?: string;
}

/** Parse and validate the JSON-lines input of `ner model logits`; errors name file and line. */
export function readLogitsInput(file: string): LogitsInput[] {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  const out: LogitsInput[] = [];
  const intArray = (v: unknown) => Array.isArray(v) && v.every((x) => Number.isInteger(x));
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const line = i + 1;
      if (text.trim() === "") return;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(text) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${file}:${line}: invalid JSON (${(err as Error).message})`);
      }
      if (o === null || typeof o !== "object" || Array.isArray(o))
        throw new Error(`${file}:${line}: expected a JSON object`);
      if (o.input_ids !== undefined) {
        if (!intArray(o.input_ids) || (o.input_ids as number[]).length === 0)
          throw new Error(`${file}:${line}: "input_ids" must be a non-empty array of integers`);
        const n = (o.input_ids as number[]).length;
        for (const key of ["attention_mask", "token_type_ids"]) {
          if (o[key] !== undefined && (!intArray(o[key]) || (o[key] as number[]).length !== n)) {
            throw new Error(`${file}:${line}: "${key}" must be an array of ${n} integers (as long as input_ids)`);
          }
        }
        out.push({
          line,
          inputIds: o.input_ids as number[],
          attentionMask: o.attention_mask as number[] | undefined,
          tokenTypeIds: o.token_type_ids as number[] | undefined,
        });
      } else if (o.tokens !== undefined) {
        if (!Array.isArray(o.tokens) || !o.tokens.every((t) => typeof t === "string"))
          throw new Error(`${file}:${line}: "tokens" must be an array of strings`);
        out.push({ line, tokens: o.tokens as string[] });
      } else if (typeof o.text === "string") {
        out.push({ line, text: o.text });
      } else {
        throw new Error(`${file}:${line}: expected "input_ids", "tokens" or "text"`);
      }
    });
  if (out.length === 0) throw new Error(`${file}: no input lines`);
  return out;
}

interface InfoOptions {
  json?: boolean;
  backend?: string;
}

/**
 * Consistency problems of a config's labels, for `model info`: label2id must invert id2label,
 * and a `num_labels` field must agree with it.
 */
export function labelProblems(
  raw: Record<string, unknown>,
  id2label: Record<number, string>,
  configPath: string,
): string[] {
  const problems: string[] = [];
  const n = Object.keys(id2label).length;
  const l2i = raw.label2id as Record<string, unknown> | undefined;
  if (l2i !== undefined && l2i !== null) {
    if (typeof l2i !== "object" || Array.isArray(l2i)) problems.push(`${configPath}: label2id is not an object`);
    else {
      for (let id = 0; id < n; id++) {
        const label = id2label[id];
        if (Number(l2i[label]) !== id)
          problems.push(
            `${configPath}: label2id[${JSON.stringify(label)}] is ${JSON.stringify(l2i[label])}, but ` +
              `id2label[${id}] is ${JSON.stringify(label)}`,
          );
      }
      const extra = Object.keys(l2i).filter((l) => !Object.values(id2label).includes(l));
      if (extra.length)
        problems.push(
          `${configPath}: label2id has labels that id2label lacks: ${extra.map((l) => JSON.stringify(l)).join(", ")}`,
        );
    }
  }
  for (const key of ["num_labels", "_num_labels"]) {
    if (raw[key] !== undefined && raw[key] !== n)
      problems.push(`${configPath}: ${key} is ${JSON.stringify(raw[key])}, but id2label has ${n} labels`);
  }
  return problems;
}

async function infoAction(nameOrDir: string, opts: InfoOptions): Promise<void> {
  const { resolveModelFile } = require("../../hub/resolve") as typeof import("../../hub/resolve");
  const models = require("../../models/index") as typeof import("../../models");
  const { initBackend } = require("../../backend/index") as typeof import("../../backend");
  const configPath = (await resolveModelFile(nameOrDir, "config.json"))!;
  const raw = models.readHfConfigFile(configPath, nameOrDir);
  const config = models.configFromHf(raw, {}, configPath);
  const arch =
    config.modelType === "bert" ? models.BertForTokenClassification : models.DistilBertForTokenClassification;
  const specs = arch.paramSpecs(config);
  const parameters = specs.reduce((n, s) => n + s.hfShape.reduce((a, b) => a * b, 1), 0);
  const problems = labelProblems(raw, config.id2label, configPath);
  const files = await models.resolveWeightFiles(nameOrDir);
  let weights: Record<string, unknown> | null = null;
  if (files) {
    // Sizes and offsets against the files, then every float value for NaN/Inf (streamed, bounded memory).
    let inspected: ReturnType<typeof models.inspectWeightFiles> | null = null;
    try {
      inspected = models.inspectWeightFiles(files, { checkValues: true });
    } catch (err) {
      problems.push((err as Error).message);
    }
    weights = {
      format: files.format,
      file: files.index ? files.index.file : files.files[0],
      files: files.files.length,
    };
    if (inspected) {
      const byName = new Map(specs.map((s) => [s.name, s]));
      const dtypes: Record<string, number> = {};
      for (const t of inspected.tensors.values()) dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
      const keys = [...inspected.tensors.keys()];
      const prefixed = keys.some((k) => k.startsWith(arch.basePrefix + "."));
      const norm = (k: string) =>
        (prefixed || k.startsWith("classifier.") ? k : `${arch.basePrefix}.${k}`)
          .replace(/(LayerNorm|layer_norm)\.gamma$/, "$1.weight")
          .replace(/(LayerNorm|layer_norm)\.beta$/, "$1.bias");
      const present = new Set(keys.map(norm));
      const weightsFile = files.index ? files.index.file : files.files[0];
      if (![...byName.keys()].some((n) => n.startsWith(arch.basePrefix + ".") && present.has(n))) {
        problems.push(
          `${weightsFile}: the checkpoint supplies none of the encoder's weights (${keys.length} ` +
            `tensors); predictions would come from random weights`,
        );
      }
      const nonFinite = [...inspected.nonFinite];
      for (const [k, n] of nonFinite.slice(0, 5))
        problems.push(`${weightsFile}: tensor "${k}" has ${n} non-finite values (NaN or Inf as float32)`);
      if (nonFinite.length > 5)
        problems.push(`${weightsFile}: ${nonFinite.length - 5} more tensors have non-finite values`);
      for (const [k, t] of inspected.tensors) {
        const spec = byName.get(norm(k));
        if (!spec || (spec.hfShape.length === t.shape.length && spec.hfShape.every((d, i) => d === t.shape[i])))
          continue;
        problems.push(
          spec.name.startsWith("classifier.")
            ? `${k} has shape [${t.shape}]: ${t.shape[0]} labels, but ${configPath} has ${config.numLabels} (id2label)`
            : `${k} has shape [${t.shape}], but ${configPath} implies [${spec.hfShape}]`,
        );
      }
      Object.assign(weights, {
        bytes: inspected.bytes,
        tensors: inspected.tensors.size,
        dtypes,
        missing: [...byName.keys()].filter((n) => !present.has(n)),
        unexpected: keys.filter((k) => !byName.has(norm(k)) && !/\.position_ids$/.test(k)),
      });
    }
  }
  const backend = await initBackend(opts.backend, { quiet: true });
  const { hf: _hf, ...summary } = config;
  const report = {
    model: nameOrDir,
    config: configPath,
    architecture: arch.name,
    parameters,
    backend,
    ...summary,
    weights,
    problems,
  };
  if (problems.length > 0) process.exitCode = 1;
  if (opts.json) {
    process.stdout.write(JSON.stringify(report) + "\n");
    return;
  }
  const labels = Object.keys(config.id2label).map((k) => config.id2label[Number(k)]);
  const w = weights as {
    format: string;
    file: string;
    files: number;
    tensors?: number;
    dtypes?: unknown;
    missing?: string[];
    unexpected?: string[];
  } | null;
  const lines = [
    `model          ${nameOrDir}`,
    `architecture   ${arch.name} (${config.modelType})`,
    `parameters     ${parameters.toLocaleString("en-US")} (${(parameters / 1e6).toFixed(1)}M)`,
    `layers         ${config.numLayers} × hidden ${config.hiddenSize}, ${config.numHeads} heads, ffn ` +
      `${config.intermediateSize} (${config.activation})`,
    `vocabulary     ${config.vocabSize}, max positions ` +
      `${config.maxPositionEmbeddings}${config.typeVocabSize ? `, token types ${config.typeVocabSize}` : ""}`,
    `dropout        hidden ${config.hiddenDropout}, attention ${config.attentionDropout}, classifier ` +
      `${config.classifierDropout}`,
    `labels         ${config.numLabels}: ${labels.join(", ")}`,
    `weights        ${
      !w
        ? "none (no model.safetensors, pytorch_model.bin or shard index found)"
        : `${w.file} (${w.format}${w.files > 1 ? `, ${w.files} shards` : ""}` +
          (w.tensors !== undefined
            ? `; ${w.tensors} tensors, ${JSON.stringify(w.dtypes)}; missing ` +
              `${JSON.stringify(w.missing)}; unexpected ${w.unexpected!.length})`
            : ")")
    }`,
    `backend        ${backend}`,
    `check          ` +
      (problems.length === 0
        ? "ok (config labels; weight file sizes, offsets and shapes; encoder weights present; values finite)"
        : `${problems.length} problem(s):`),
    ...problems.map((p) => `  - ${p}`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
  if (problems.length > 0)
    process.stderr.write(`ner: ${nameOrDir}: ${problems.length} problem(s) found (listed above)\n`);
}

/**
 * `ner model convert <dir>`: write model.safetensors next to a .bin-only checkpoint (one file or
 * shards), with every tensor's dtype and bytes kept, atomically; the loaders then prefer it.
 */
async function convertAction(dir: string, opts: { json?: boolean }): Promise<void> {
  const { convertToSafetensors } = require("../../models/convert") as typeof import("../../models/convert");
  const r = await convertToSafetensors(dir);
  if (opts.json) {
    // `source` is the human form of `from`.
    process.stdout.write(JSON.stringify(r, (key, value: unknown) => (key === "source" ? undefined : value)) + "\n");
  } else if (!r.converted) {
    process.stdout.write(`${dir} already has ${path.basename(r.file)}; nothing to convert\n`);
  } else {
    const mb = (r.bytes / 1e6).toFixed(1);
    process.stdout.write(
      `wrote ${r.file} (${r.tensors} tensors, ${r.dtypes.join(", ")}, ${mb} MB) from ${r.source}; it ` +
        `is now loaded in preference to the .bin\n`,
    );
  }
}

interface LogitsOptions {
  model: string;
  input: string;
  json?: boolean;
  batchSize: string;
  maxLength?: string;
  backend?: string;
}

async function logitsAction(opts: LogitsOptions): Promise<void> {
  const batchSize = Number(opts.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`--batch-size must be a positive integer, got ${opts.batchSize}`);
  const maxLength = opts.maxLength === undefined ? undefined : Number(opts.maxLength);
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 2))
    throw new Error(`--max-length must be an integer ≥ 2, got ${opts.maxLength}`);
  const inputs = readLogitsInput(opts.input);
  const tf = require("@tensorflow/tfjs") as typeof import("@tensorflow/tfjs");
  const { initBackend } = require("../../backend/index") as typeof import("../../backend");
  const { AutoModelForTokenClassification } = require("../../models/index") as typeof import("../../models");
  await initBackend(opts.backend, { quiet: Boolean(opts.json) });
  const model = await AutoModelForTokenClassification.fromPretrained(opts.model, {
    log: opts.json ? null : undefined,
    requireEncoderWeights: true,
  });
  const limit = maxLength ?? model.config.maxPositionEmbeddings;
  if (inputs.some((i) => i.tokens || i.text !== undefined)) {
    const { NerTokenizer } = require("../../tokenization/index") as typeof import("../../tokenization");
    const tokenizer = await NerTokenizer.fromPretrained(opts.model);
    for (const i of inputs) {
      const enc = i.tokens
        ? await tokenizer.encodeWords(i.tokens, { truncation: true, maxLength: limit })
        : i.text !== undefined
          ? await tokenizer.encodeText(i.text, { truncation: true, maxLength: limit })
          : undefined;
      if (enc)
        Object.assign(i, {
          inputIds: enc.inputIds,
          attentionMask: enc.attentionMask,
          tokenTypeIds: enc.tokenTypeIds,
          tokens: enc.tokens,
        });
    }
  }
  for (const i of inputs) {
    if (i.inputIds!.length > limit)
      throw new Error(`${opts.input}:${i.line}: ${i.inputIds!.length} input ids exceed the limit of ${limit}`);
    const bad = i.inputIds!.find((id) => id < 0 || id >= model.config.vocabSize);
    if (bad !== undefined)
      throw new Error(
        `${opts.input}:${i.line}: input id ${bad} is outside the vocabulary [0, ${model.config.vocabSize})`,
      );
  }
  try {
    for (let start = 0; start < inputs.length; start += batchSize) {
      const batch = inputs.slice(start, start + batchSize);
      const seq = Math.max(...batch.map((i) => i.inputIds!.length));
      const pad = (row: number[] | undefined, fill: number, n: number) => [
        ...(row ?? Array(n).fill(fill)),
        ...Array(seq - n).fill(0),
      ];
      const ids = batch.map((i) => [...i.inputIds!, ...Array(seq - i.inputIds!.length).fill(model.config.padTokenId)]);
      const mask = batch.map((i) => pad(i.attentionMask, 1, i.inputIds!.length));
      const types = batch.map((i) => pad(i.tokenTypeIds, 0, i.inputIds!.length));
      const logits = tf.tidy(() =>
        model.forward({
          inputIds: tf.tensor2d(ids, undefined, "int32"),
          attentionMask: tf.tensor2d(mask, undefined, "int32"),
          tokenTypeIds: tf.tensor2d(types, undefined, "int32"),
        }),
      );
      const values = (await logits.array()) as number[][][];
      logits.dispose();
      batch.forEach((input, b) => {
        const rows = values[b].slice(0, input.inputIds!.length);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ input_ids: input.inputIds, logits: rows }) + "\n");
        } else {
          const toks = input.tokens && input.tokens.length === rows.length ? input.tokens : input.inputIds!.map(String);
          const best = rows.map((r) => r.indexOf(Math.max(...r)));
          process.stdout.write(
            `line ${input.line}: ${rows.length} tokens\n` +
              toks
                .map(
                  (t, k) =>
                    `  ${t.padEnd(16)} ${model.config.id2label[best[k]]}  ` +
                    `[${rows[k].map((v) => v.toFixed(3)).join(", ")}]`,
                )
                .join("\n") +
              "\n",
          );
        }
      });
    }
  } finally {
    model.dispose();
  }
}

export function register(program: Command): void {
  const model = program.command("model").description("Inspect token-classification models and their raw outputs");
  model
    .command("info")
    .description(
      "Architecture, sizes, labels, parameter count and backend of a model, with a check of its " +
        "files (label/classifier consistency; weight file sizes and offsets; encoder weights present; " +
        "every value finite, read in bounded chunks); exits 1 on problems",
    )
    .argument("<dir|name>", "model directory or Hub name")
    .option("--backend <name>", `${BACKEND_CHOICES} (default: NER_BACKEND or the best available)`)
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      helpAfter(["ner model info distilbert-base-uncased", "ner model info runs/mit --json"], MODEL_ENV),
    )
    .action(infoAction);
  model
    .command("convert")
    .description(
      "Write model.safetensors next to a pytorch_model.bin-only checkpoint (sharded too), so it converts once",
    )
    .argument("<dir>", "local checkpoint directory with pytorch_model.bin or pytorch_model.bin.index.json")
    .option("--json", "print one JSON object (converted, file, tensors, dtypes, bytes, from)")
    .addHelpText(
      "after",
      helpAfter(
        [
          "ner model convert ~/models/bert_uncased_L-4_H-256_A-4",
          "ner model convert ~/models/bert_uncased_L-4_H-256_A-4 --json",
        ],
        MODEL_ENV,
      ),
    )
    .action(convertAction);
  model
    .command("logits")
    .description("Raw logits of a model for each input line (JSON lines in, JSON lines out)")
    .requiredOption("--model <dir|name>", "model directory or Hub name")
    .requiredOption(
      "--input <file.jsonl>",
      'lines of {"input_ids": [...], "attention_mask"?: [...]} or {"tokens": [...]} or {"text": "..."}',
    )
    .option("--batch-size <n>", "inputs per forward pass", "8")
    .option("--max-length <n>", "truncate tokenized inputs to n tokens (default: max_position_embeddings)")
    .option("--backend <name>", `${BACKEND_CHOICES} (default: NER_BACKEND or the best available)`)
    .option("--json", 'print one JSON line per input: {"input_ids": [...], "logits": [[...], ...]}')
    .addHelpText(
      "after",
      helpAfter(
        [
          'echo \'{"text": "EU rejects German call"}\' > in.jsonl',
          "ner model logits --model runs/mit --input in.jsonl --json",
        ],
        MODEL_ENV,
      ),
    )
    .action(logitsAction);
}
