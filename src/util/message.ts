/**
 * Showing user data inside error messages: a value read from a bad file can be megabytes of
 * binary garbage, so it is capped and every invisible or control character is escaped.
 */

/** Characters JSON.stringify leaves as they are but that hide or garble text on a terminal. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffd]/g;

/**
 * `value` as a double-quoted, escaped string for an error message, at most `max` characters of
 * it (then `…` and how many more there were).
 */
export function quoteForMessage(value: string, max = 60): string {
  const cut = value.length > max;
  let shown = JSON.stringify(cut ? value.slice(0, max) : value);
  shown = shown.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return cut ? `${shown}… (${value.length - max} more characters)` : shown;
}

/**
 * A whole error message made safe to print: control and invisible characters escaped (newlines
 * and tabs kept), and at most `max` characters. The CLI's last line of defence for messages that
 * quote input without `quoteForMessage` (e.g. from a dependency).
 */
export function printableMessage(message: string, max = 2000): string {
  const cleaned = message
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u0008\u000b-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return cleaned.length > max ? `${cleaned.slice(0, max)}… (${cleaned.length - max} more characters)` : cleaned;
}
