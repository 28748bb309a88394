/**
 * Label lists: the one parser for `--labels` files and values (train, evaluate, align, predict and
 * the library), and the one rule that builds a label list from tags found in data.
 */
import * as fs from "fs";
import { isDirectory, isFile } from "../util/files";
import { quoteForMessage } from "../util/message";
import { readUtf8File } from "../util/utf8";
import { parseTag } from "./tags";

/**
 * Parse a label list written as any of:
 * - a JSON array of strings: `["O", "B-PER", "I-PER"]`;
 * - a JSON object id → label, e.g. a config's `id2label` (`{"0": "O", "1": "B-PER"}`), ordered by
 *   id, ids exactly 0..n-1; a whole `config.json` (an object with an `id2label` field) also works;
 * - one label per line (blank lines skipped);
 * - a comma-separated list on one line: `O,B-PER,I-PER`.
 * Labels are trimmed; an empty list, an empty label or a duplicate is an error naming `file`.
 */
export function parseLabelList(text: string, file: string): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trim();
  let labels: string[];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    labels = labelsFromJson(trimmed, file);
  } else if (/\r?\n/.test(trimmed)) {
    labels = [];
    trimmed.split(/\r?\n/).forEach((raw, i) => {
      const label = raw.trim();
      if (label === "") return;
      if (label.includes(",")) {
        throw new Error(
          `${file}:${i + 1}: ${quoteForMessage(label)} holds a comma; write one label per line, or all ` +
            `on one line separated by commas`,
        );
      }
      labels.push(label);
    });
  } else {
    labels = trimmed.split(",").map((l) => l.trim());
    const empty = labels.indexOf("");
    if (trimmed !== "" && empty >= 0) throw new Error(`${file}: label ${empty + 1} of the comma list is empty`);
    if (trimmed === "") labels = [];
  }
  return checkLabelList(labels, file);
}

function labelsFromJson(text: string, file: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${jsonErrorText(err)})`);
  }
  if (Array.isArray(value)) {
    const bad = value.findIndex((l) => typeof l !== "string");
    if (bad >= 0)
      throw new Error(
        `${file}: label ${bad} of the JSON array is not a string ` +
          `(${quoteForMessage(JSON.stringify(value[bad]) ?? "undefined")})`,
      );
    return (value as string[]).map((l) => l.trim());
  }
  let map = value as Record<string, unknown>;
  if (map && typeof map.id2label === "object" && map.id2label !== null && !Array.isArray(map.id2label)) {
    map = map.id2label as Record<string, unknown>;
  }
  const keys = Object.keys(map);
  const labels: string[] = new Array(keys.length);
  for (const key of keys) {
    const id = /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : NaN;
    if (!(id < keys.length)) {
      throw new Error(`${file}: id2label key ${quoteForMessage(key)} is not one of the ids 0..${keys.length - 1}`);
    }
    const label = map[key];
    if (typeof label !== "string") throw new Error(`${file}: id2label[${key}] is not a string`);
    labels[id] = label.trim();
  }
  return labels;
}

/** Node 20 quotes the whole input in JSON.parse errors; keep only the reason. */
export function jsonErrorText(err: unknown): string {
  const message = String((err as Error)?.message ?? err)
    .replace(/,? ".*"(\.\.\.)? is not valid JSON$/s, "")
    .replace(/^Unexpected token '(.*)'$/s, (_, c: string) => `unexpected character ${quoteForMessage(c, 4)}`);
  return message.length > 120 ? quoteForMessage(message, 120) : message;
}

function checkLabelList(labels: string[], file: string): string[] {
  if (labels.length === 0) throw new Error(`${file}: no labels`);
  const seen = new Map<string, number>();
  labels.forEach((label, i) => {
    if (label === "") throw new Error(`${file}: label ${i} is empty`);
    const before = seen.get(label);
    if (before !== undefined)
      throw new Error(`${file}: label ${quoteForMessage(label)} is listed twice (positions ${before} and ${i})`);
    seen.set(label, i);
  });
  return labels;
}

/** Read a label file (strict UTF-8) in any format `parseLabelList` accepts. */
export function readLabelFile(file: string): string[] {
  return parseLabelList(readUtf8File(file), file);
}

/**
 * The value of a `--labels` flag: a file (any format of `parseLabelList`) when one exists at that
 * path, else a comma-separated list. A path that looks like a file but does not exist, or names a
 * directory, is an error rather than a one-label list.
 */
export function labelsFromOption(value: string, flag = "--labels"): string[] {
  if (isFile(value)) return readLabelFile(value);
  if (isDirectory(value)) throw new Error(`${flag} ${value}: is a directory, not a label file`);
  if (!value.includes(",") && (/[\\/]/.test(value) || /\.(json|txt|labels?)$/i.test(value)) && !fs.existsSync(value)) {
    throw new Error(`${flag} ${value}: no such file (give a label file, or labels separated by commas)`);
  }
  return parseLabelList(value, flag);
}

/**
 * The one rule that builds a label list from tags found in data: "O" first, then the entity types
 * in code-point order, each as B-type followed by I-type (both always listed). Every tag must be
 * O, B-type or I-type (validate data first: readers report a bad tag with its file and line).
 */
export function labelListFromTags(tags: Iterable<string>): string[] {
  const types = new Set<string>();
  for (const tag of tags) {
    const p = parseTag(tag);
    if (!p) throw new Error(`tag ${quoteForMessage(tag)} is not O, B-<type> or I-<type>; it cannot become a label`);
    if (p.prefix !== "O") types.add(p.type);
  }
  const sorted = [...types].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ["O", ...sorted.flatMap((t) => [`B-${t}`, `I-${t}`])];
}

/** A model config's `id2label` and `label2id` for a label list (ids are positions): the one place they are built. */
export function labelMaps(labels: readonly string[]): {
  id2label: Record<number, string>;
  label2id: Record<string, number>;
} {
  return {
    id2label: Object.fromEntries(labels.map((l, i) => [i, l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  };
}
