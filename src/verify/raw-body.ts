/**
 * Bodies whose bytes differ from `JSON.stringify(JSON.parse(body))` while meaning the same event:
 * a handler that verifies a re-serialized body (the most common webhook bug) refuses them, one
 * that verifies the raw bytes accepts them.
 */

/** The field the probe body carries first: it holds what no re-serializer gives back byte for byte. */
export const PROBE_FIELD = 'whcli_raw_body_probe';

/** What the probe field holds: raw non-ASCII, escapes JSON.stringify does not write, and an integer past 2^53. */
const PROBE_TEXT = '{"text":"naïve café – 東京 ✓","escaped":"caf\\u00e9 \\u2713 \\/ \\u0041","big":9007199254740993}';

function escapeString(text: string): string {
  // JSON.stringify writes non-ASCII as is and "/" bare; both escapes are valid JSON and decode to the same string.
  return JSON.stringify(text)
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

function layout(value: unknown, indent: string): string {
  if (typeof value === 'string') return escapeString(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${value.map((item) => `${inner}${layout(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${entries.map(([key, item]) => `${inner}${escapeString(key)}: ${layout(item, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/**
 * The same JSON object laid out as no JSON.stringify writes it: indented, `\u` and `\/` escapes,
 * with a probe field first holding raw UTF-8 and an integer JavaScript cannot represent exactly.
 * A body that is not a JSON object is returned indented only.
 */
export function reserializationProbeBody(body: Uint8Array): Buffer {
  const text = Buffer.from(body).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: a leading newline is still a byte a re-serializer would drop.
    return Buffer.from(`\n${text}`);
  }
  const laidOut = layout(parsed, '');
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return Buffer.from(laidOut);
  const rest = laidOut === '{}' ? '\n}' : `,${laidOut.slice(1)}`;
  return Buffer.from(`{\n  "${PROBE_FIELD}": ${PROBE_TEXT}${rest}`);
}

/** The body as a handler that re-serializes it sees it: JSON.stringify(JSON.parse(body)); undefined when not JSON. */
export function reserialized(body: Uint8Array): Buffer | undefined {
  try {
    return Buffer.from(JSON.stringify(JSON.parse(Buffer.from(body).toString('utf8'))));
  } catch {
    return undefined;
  }
}
