import { UsageError } from '../errors.js';

/**
 * Accepts what people type for a local handler: "3000", "localhost:3000", "localhost:3000/hooks",
 * ":3000/hooks" or a full http(s) URL.
 */
export function parseTarget(input: string, what = '--forward'): URL {
  const text = input.trim();
  let candidate = text;
  if (/^\d+(\/.*)?$/.test(text)) candidate = `http://localhost:${text}`;
  else if (/^:\d+/.test(text)) candidate = `http://localhost${text}`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) candidate = `http://${text}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new UsageError(`invalid ${what} "${input}": expected a port, host:port[/path] or an http(s) URL`, 'WHCLI_ERR_BAD_URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid ${what} "${input}": only http and https are supported`, 'WHCLI_ERR_BAD_URL');
  }
  if (!url.hostname) throw new UsageError(`invalid ${what} "${input}": no host`, 'WHCLI_ERR_BAD_URL');
  if (url.port && (Number(url.port) < 1 || Number(url.port) > 65535)) {
    throw new UsageError(`invalid ${what} "${input}": port out of range`, 'WHCLI_ERR_BAD_URL');
  }
  return url;
}

/** Joins a base target with a path suffix and query received at the relay. */
export function joinTarget(base: URL, suffix: string, query: string): URL {
  const url = new URL(base);
  if (suffix && suffix !== '/') {
    url.pathname = url.pathname.replace(/\/$/, '') + (suffix.startsWith('/') ? suffix : `/${suffix}`);
  }
  if (query) {
    const extra = query.startsWith('?') ? query.slice(1) : query;
    url.search = url.search ? `${url.search}&${extra}` : `?${extra}`;
  }
  return url;
}

/** The request-line path for a base target plus a raw path suffix and query, with no re-encoding. */
export function rawTargetPath(base: URL, suffix: string, query: string): string {
  let path = base.pathname;
  if (suffix && suffix !== '/') path = path.replace(/\/$/, '') + (suffix.startsWith('/') ? suffix : `/${suffix}`);
  const baseQuery = base.search.slice(1);
  const fullQuery = [baseQuery, query].filter(Boolean).join('&');
  return fullQuery ? `${path}?${fullQuery}` : path;
}
