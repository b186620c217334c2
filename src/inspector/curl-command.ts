import type { SentRequest } from './exchange-log.js';

/** POSIX shell single quoting: safe for any text, newlines included. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

const TEXT = new TextDecoder('utf-8', { fatal: true });

/** The body as text when it is UTF-8 a shell argument can carry (no NUL), else undefined. */
function asShellText(body: Buffer): string | undefined {
  if (body.includes(0)) return undefined;
  try {
    return TEXT.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * A curl command that sends the request again exactly as whcli sent it: method, path and query as on
 * the request line, every header (signatures included) and the body bytes. Signatures that carry a
 * timestamp expire after the provider's tolerance, so the command is for a quick repeat, not a fixture.
 */
export function curlCommand(request: SentRequest): string {
  // -g: brackets in a query (list[]=a) are data, not curl's URL globbing.
  const parts = ['curl', '-sS', '-g'];
  const hasBody = request.body.length > 0;
  if (request.method !== (hasBody ? 'POST' : 'GET')) parts.push('-X', request.method);
  parts.push(shellQuote(request.url));
  let contentType = false;
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === 'content-type') contentType = true;
    for (const one of Array.isArray(value) ? value : [value]) parts.push('-H', shellQuote(`${name}: ${one}`));
  }
  if (!hasBody) return parts.join(' ');
  // Without this, curl would add a form content type the handler never saw.
  if (!contentType) parts.push('-H', shellQuote('Content-Type:'));
  const text = asShellText(request.body);
  // --data-raw sends the text as is (no @file, no newline stripping).
  if (text !== undefined) return [...parts, '--data-raw', shellQuote(text)].join(' ');
  return `printf %s ${shellQuote(request.body.toString('base64'))} | base64 -d | ${[...parts, '--data-binary', '@-'].join(' ')}`;
}
