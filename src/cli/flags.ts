/**
 * Commander flags from the option tables (src/training/options.ts): each option becomes
 * `--<key in kebab case>` plus its aliases, with help ending in the command's default; parsed flags
 * and `--config` files are checked against the same table, and errors name the flag or the key.
 */
import type { Command } from "commander";
import { readJsonFileBounded } from "../util/files";
import { checkOptionValue, defaultText, type OptionSpec, type OptionTable } from "../training/options";

/** Flags as commander hands them over (strings; booleans for switches). */
export type Flags = Record<string, string | boolean | undefined>;

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The commander flags string of an option, e.g. "--learning-rate <x>", "--no-shuffle". */
export function flagOf(key: string, spec: OptionSpec): string {
  const name = spec.flag ?? `--${kebab(key)}`;
  if (spec.type === "boolean") return name;
  return `${name} ${spec.arg ?? "<n>"}`;
}

/**
 * The long flag of a flags string, for messages: "-o, --output <dir>" → "--output", "--no-shuffle" → "--shuffle".
 */
function longFlag(flags: string): string {
  const long = flags.split(/[ ,|]+/).find((f) => f.startsWith("--"))!;
  return long.startsWith("--no-") ? `--${long.slice(5)}` : long;
}

/** The attribute commander stores a flag under: `--per-device-train-batch-size <n>` → perDeviceTrainBatchSize. */
function attributeOf(flags: string): string {
  const long = flags.split(/[ ,|]+/).find((f) => f.startsWith("--"))!;
  return long.replace(/^--(no-)?/, "").replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

interface Named {
  key: string;
  spec: OptionSpec;
  /** The flag this name is, e.g. "--lr" (for errors). */
  flag: string;
}

/** Every name an option goes by (commander attribute of the flag and of each alias): flags and --config keys. */
function namesOf(table: OptionTable): Map<string, Named> {
  const names = new Map<string, Named>();
  for (const [key, spec] of Object.entries(table)) {
    for (const f of [flagOf(key, spec), ...(spec.aliases ?? [])])
      names.set(attributeOf(f), { key, spec, flag: longFlag(f) });
    names.set(key, { key, spec, flag: longFlag(flagOf(key, spec)) });
  }
  return names;
}

/** Add a table's options to a command; help ends with the default (the job's, for `ner train`). */
export function addOptions(cmd: Command, table: OptionTable, opts: { forJob?: boolean } = {}): Command {
  for (const [key, spec] of Object.entries(table)) {
    const flags = flagOf(key, spec);
    const choices = spec.choices ? ` (${spec.choices.join(" | ")})` : "";
    const help = `${spec.help}${choices}${defaultText(spec, opts.forJob ?? false)}`;
    if (spec.required) cmd.requiredOption(flags, help);
    else cmd.option(flags, help);
    for (const alias of spec.aliases ?? []) cmd.option(alias, `alias of ${longFlag(flags)}`);
  }
  return cmd;
}

/** A flag's string as the option's type: numbers parsed (an error names the flag), the rest as given. */
function fromFlagString(spec: OptionSpec, value: string | boolean, flag: string): unknown {
  if (spec.type !== "number" && spec.type !== "integer") return value;
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n)) {
    throw new Error(`${flag}: expected a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * The values of one source (flags, or a --config object) under their keys, checked against the table.
 * Two names of one option in the same source must agree. `file` names the --config file in errors.
 */
function normalize(table: OptionTable, source: Record<string, unknown>, file?: string): Record<string, unknown> {
  const names = namesOf(table);
  const out: Record<string, unknown> = {};
  const given = new Map<string, string>();
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    const named = names.get(k);
    if (!named) {
      const known = Object.keys(table).join(", ");
      throw new Error(
        file === undefined ? `unknown option ${k}` : `${file}: unknown key ${JSON.stringify(k)} (known: ${known})`,
      );
    }
    const name = file === undefined ? named.flag : `${file}: ${JSON.stringify(k)}`;
    const raw = file === undefined ? fromFlagString(named.spec, v as string | boolean, name) : v;
    const value = checkOptionValue(named.spec, raw, name);
    const earlier = given.get(named.key);
    if (earlier !== undefined && out[named.key] !== value) {
      throw new Error(
        `${earlier} and ${name} disagree (${JSON.stringify(out[named.key])} vs ${JSON.stringify(value)}); give one`,
      );
    }
    given.set(named.key, name);
    out[named.key] = value;
  }
  return out;
}

/** Read a `--config` JSON object (keys: the table's keys or any flag name in camelCase). */
export function readConfigFile(table: OptionTable, file: string): Record<string, unknown> {
  // Regular file, size-capped; a JSON error gives line and column, never the file's content.
  const raw = readJsonFileBounded(file, "config");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`${file}: must hold a JSON object`);
  return normalize(table, raw as Record<string, unknown>, file);
}

/**
 * Commander's flags as checked option values under their keys. `skip` names flags that are not
 * table options (--config, --json). A `--no-x` switch counts only when given (commander reports x=true otherwise).
 */
export function optionsOfFlags(
  table: OptionTable,
  flags: Flags,
  skip: readonly string[] = [],
): Record<string, unknown> {
  const names = namesOf(table);
  const source: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || skip.includes(k)) continue;
    const spec = names.get(k)?.spec;
    if (spec?.flag?.startsWith("--no-") && v !== false) continue;
    source[k] = v;
  }
  return normalize(table, source);
}
