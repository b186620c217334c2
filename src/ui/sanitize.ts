/**
 * Text that came from a sender (event types, ids, paths, header values, a handler's answer) made safe
 * to print: a terminal acts on control characters, so ESC sequences could clear the screen, hide
 * text, set the title or write to the clipboard. Printable Unicode is kept as it is.
 */

// C0 (tab included: it moves the cursor), DEL, C1, the line and paragraph separators, and the bidi
// controls that reorder what follows on the line.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** Each control character written out visibly (`\e`, `\n`, `\u009b`), so the terminal acts on none. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A line without its colour codes (SGR), which a handler's own log output is full of. */
export function withoutColors(line: string): string {
  return line.replace(/\u001b\[[0-9;]*m/g, '');
}

// JSON.stringify already writes C0 as \uXXXX; DEL, C1 and the rest are left raw, and some terminals act on C1.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with every character a terminal could act on escaped: still the same JSON value. */
export function terminalSafeJson(value: unknown, space?: number): string {
  return String(JSON.stringify(value, null, space)).replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
