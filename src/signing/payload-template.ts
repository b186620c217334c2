/** The values a payload or header template can name. */
export type TemplateValues = Partial<Record<'timestamp' | 'body' | 'id' | 'url' | 'method' | 'params' | 'token' | 'signature', string | Uint8Array>>;

/** Fills {name} tokens; the body stays bytes, so a non-UTF-8 body is signed exactly as sent. */
export function fillTemplate(template: string, values: TemplateValues): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    parts.push(Buffer.from(template.slice(last, match.index)));
    const value = values[match[1] as keyof TemplateValues];
    if (value === undefined) throw new Error(`template token {${match[1]}} has no value`);
    parts.push(typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    last = match.index + match[0].length;
  }
  parts.push(Buffer.from(template.slice(last)));
  return Buffer.concat(parts);
}

/** Reads {timestamp} and {signature} back out of a header value written from `template`. */
export function parseTemplate(template: string, value: string): Record<string, string> | undefined {
  let pattern = '';
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    // Separators may be followed by spaces: WorkOS writes "t=…, v1=…".
    pattern += escape(template.slice(last, match.index)).replace(/([,;])/g, '$1\\s*');
    pattern += `(?<${match[1]}>[^,;\\s]+)`;
    last = match.index + match[0].length;
  }
  pattern += escape(template.slice(last));
  return new RegExp(`^\\s*${pattern}\\s*$`).exec(value)?.groups ?? undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Twilio's parameter string: form fields sorted by name, each written as name + value. */
export function sortedParams(body: Uint8Array): string {
  const params = new URLSearchParams(Buffer.from(body).toString('utf8'));
  return [...params.keys()]
    .filter((key, index, keys) => keys.indexOf(key) === index)
    .sort()
    .map((key) => params.getAll(key).map((value) => key + value).join(''))
    .join('');
}

/** Writes a unix-seconds timestamp the way a scheme carries it. */
export function formatTimestamp(timestamp: number, format: 'unix' | 'unix-ms' | 'iso' = 'unix'): string {
  if (format === 'unix-ms') return String(timestamp * 1000);
  if (format === 'iso') return new Date(timestamp * 1000).toISOString().replace('.000Z', 'Z');
  return String(timestamp);
}

/** Reads a carried timestamp back as unix seconds (NaN when unreadable). */
export function parseTimestamp(text: string, format: 'unix' | 'unix-ms' | 'iso' = 'unix'): number {
  if (format === 'iso') return Math.floor(Date.parse(text) / 1000);
  const n = Number(text);
  if (!/^\d+$/.test(text.trim())) return Number.NaN;
  return format === 'unix-ms' ? Math.floor(n / 1000) : n;
}
