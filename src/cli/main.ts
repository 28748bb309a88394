/**
 * Entry point of the `ner` command line. Each file in ./commands exports
 * `register(program)` and adds its own sub-command; heavy libraries (tfjs,
 * tokenizers) are imported inside the actions so `ner --help` stays fast.
 */
import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { reportCliError } from "./errors";
import { environmentHelp } from "./help";

export interface CommandModule {
  register(program: Command): void;
}

const EXAMPLES_HELP = `
Examples:
  ner data stats conll2003:test --json
  ner train --output runs/mit                      # small BERT from scratch on MIT Restaurant, offline
  ner evaluate --model runs/mit --data mit_restaurant:test
  ner predict --model runs/mit "which restaurant serves the best sushi in new york?"
  ner <command> --help                             # every command's options`;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export function buildProgram(): Command {
  const program = new Command("ner")
    .description("Named-entity recognition with BERT-family transformers in TensorFlow.js")
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError()
    .addHelpText("after", `${EXAMPLES_HELP}\n${environmentHelp()}`);
  const dir = path.join(__dirname, "commands");
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
    .sort();
  for (const file of files) {
    const mod = require(path.join(dir, file)) as CommandModule;
    mod.register(program);
  }
  return program;
}

/** Name of the (sub-)command in argv, for error prefixes: "ner", "ner data stats", ... */
function commandPath(program: Command, argv: string[]): string {
  const names = ["ner"];
  let cmd: Command | undefined = program;
  for (const arg of argv.slice(2)) {
    const sub: Command | undefined = cmd?.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    names.push(sub.name());
    cmd = sub;
  }
  return names.join(" ");
}

/**
 * Run the CLI. Errors become one line `ner <command>: <message>` on stderr and exit code 1
 * (stack traces with NER_DEBUG=1); a closed stdout pipe (`ner ... | head`) ends quietly.
 */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    reportCliError(commandPath(program, argv), err);
  }
}
