/**
 * How the `ner` command reports failures: one line `ner <command>: <message>` on stderr and a
 * non-zero exit code. The stack trace is only for developers: set NER_DEBUG=1 to see it.
 * Messages are printed with control characters escaped and capped in length (binary input
 * quoted by a dependency must not garble the terminal).
 */
import { printableMessage } from "../util/message";

/** True when NER_DEBUG asks for stack traces (1, true, yes, on). */
export function debugEnabled(): boolean {
  const v = (process.env.NER_DEBUG ?? "").trim().toLowerCase();
  return v === "1" || v === "true" || v === "yes" || v === "on";
}

/** The text to print for an error: its message (first line prefixed), or the full stack with NER_DEBUG=1. */
export function formatCliError(prefix: string, err: unknown): string {
  const e = err as { message?: unknown; stack?: unknown } | null | undefined;
  const message = printableMessage(e && typeof e.message === "string" && e.message !== "" ? e.message : String(err));
  let text = `${prefix}: ${message}`;
  if (debugEnabled() && e && typeof e.stack === "string") text += `\n${e.stack}`;
  return text.endsWith("\n") ? text : text + "\n";
}

/** Print an error the CLI way and mark the process as failed (exit code 1), without exiting yet. */
export function reportCliError(prefix: string, err: unknown): void {
  process.stderr.write(formatCliError(prefix, err));
  process.exitCode = 1;
}
