/**
 * Entry point of the `ner` command line. Each file in ./commands exports
 * `register(program)` and adds its own sub-command; heavy libraries (tfjs,
 * tokenizers) are imported inside the actions so `ner --help` stays fast.
 */
import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";

export interface CommandModule {
  register(program: Command): void;
}

export function buildProgram(): Command {
  const program = new Command("ner")
    .description("Named-entity recognition with BERT-family transformers in TensorFlow.js")
    .showHelpAfterError();
  const dir = path.join(__dirname, "commands");
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts") && !f.endsWith(".test.ts"))
    .sort();
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(dir, file)) as CommandModule;
    mod.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
