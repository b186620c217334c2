// Pure formatting helpers: no DOM, no network.

const REASONS = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
  304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

const ERRORS = { refused: 'Refused', timeout: 'Timed out', reset: 'Reset', dns: 'DNS failure', error: 'Error' };

/** "12:04:05.123", local time. */
export function formatTime(ms) {
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function formatLatency(ms) {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** "200", "500", or the network failure ("Refused") when no answer came. */
export function statusLabel(x) {
  if (x.status === undefined) return ERRORS[x.error] ?? 'Failed';
  return String(x.status);
}

/** "200 OK" */
export function statusText(status) {
  return REASONS[status] ? `${status} ${REASONS[status]}` : String(status);
}

/** ok, client (4xx), fail: the colour of a status. */
export function statusTone(x) {
  if (x.ok) return 'ok';
  if (x.status !== undefined && x.status >= 300 && x.status < 500) return 'warn';
  return 'fail';
}

/** JSON re-indented for reading; the raw bytes are one click away. */
export function prettyJson(text) {
  return JSON.stringify(JSON.parse(text), null, 2);
}

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Splits JSON text into [text, class] pieces for colouring; class is '' for punctuation and space. */
export function jsonTokens(text) {
  const out = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > last) out.push([text.slice(last, match.index), '']);
    if (match[1] !== undefined) {
      out.push([match[1], match[2] !== undefined ? 'j-key' : 'j-str']);
      if (match[2] !== undefined) out.push([match[2], '']);
    } else if (match[3] !== undefined) out.push([match[3], 'j-lit']);
    else out.push([match[4], 'j-num']);
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push([text.slice(last), '']);
  return out;
}

/** A classic hex dump of the first bytes of a binary body. */
export function hexDump(bytes, max = 4096) {
  const lines = [];
  const shown = Math.min(bytes.length, max);
  for (let offset = 0; offset < shown; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, shown));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > shown) lines.push(`… ${bytes.length - shown} more bytes`);
  return lines.join('\n');
}

export function base64Bytes(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
