import type { HeaderList } from '../delivery/send.js';
import { curlCommand } from './curl-command.js';
import type { Exchange } from './exchange-log.js';

/** A row of the page's list: the exchange's own fields, plus what the page reads off its request and result. */
export interface ExchangeSummary
  extends Pick<Exchange, 'id' | 'eventId' | 'attempt' | 'replayOf' | 'edited' | 'receivedAt' | 'sentAt' | 'eventType' | 'providerEventId' | 'route'> {
  method: string;
  /** Path and query as received, after the channel. */
  path: string;
  ok: boolean;
  status?: number;
  /** refused, timeout, reset, dns, error: no HTTP answer. */
  error?: string;
  durationMs: number;
}

/** A body as the page shows it: text when it is UTF-8, base64 otherwise. */
export interface BodyJson {
  size: number;
  contentType?: string;
  text?: string;
  base64?: string;
  /** The text parses as JSON (the page pretty-prints it). */
  json: boolean;
}

/** Everything the detail view shows. Never the signing secret: only headers that were on the wire. */
export interface ExchangeDetail extends ExchangeSummary {
  received: { method: string; path: string; query: string; headers: [string, string][]; body: BodyJson };
  sent: {
    url: string;
    method: string;
    headers: [string, string][];
    /** Header names whcli added or changed: the fresh signature. */
    signed: string[];
    /** Only when it differs from the body received (a replay with an edited body). */
    body?: BodyJson;
  };
  response: {
    status?: number;
    durationMs: number;
    headers: [string, string][];
    /** The start of the response body. */
    body?: string;
    bodyBytes?: number;
    error?: { kind: string; message: string };
  };
  curl: string;
}

const TEXT = new TextDecoder('utf-8', { fatal: true });

function headerPairs(headers: HeaderList | undefined): [string, string][] {
  if (!headers) return [];
  return Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, v]));
}

function contentTypeOf(headers: [string, string][]): string | undefined {
  return headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

function bodyJson(body: Buffer, contentType: string | undefined): BodyJson {
  let text: string | undefined;
  try {
    text = TEXT.decode(body);
  } catch {
    return { size: body.length, contentType, base64: body.toString('base64'), json: false };
  }
  let json = false;
  if (text.trim() !== '') {
    try {
      JSON.parse(text);
      json = true;
    } catch {
      // Not JSON: shown raw.
    }
  }
  return { size: body.length, contentType, text, json };
}

/** Names whose values whcli changed on the way (case-insensitive): the signature it added. */
function changedHeaders(received: [string, string][], sent: [string, string][]): string[] {
  const values = (pairs: [string, string][], name: string) =>
    pairs
      .filter(([n]) => n.toLowerCase() === name)
      .map(([, v]) => v)
      .join('\n');
  const names = [...new Set(sent.map(([name]) => name.toLowerCase()))];
  return names.filter((name) => values(sent, name) !== values(received, name));
}

export function exchangeSummary(exchange: Exchange): ExchangeSummary {
  const { received, result } = exchange;
  return {
    id: exchange.id,
    eventId: exchange.eventId,
    attempt: exchange.attempt,
    replayOf: exchange.replayOf,
    edited: exchange.edited,
    receivedAt: exchange.receivedAt,
    sentAt: exchange.sentAt,
    method: received.method,
    path: `${received.path || '/'}${received.query ? `?${received.query}` : ''}`,
    eventType: exchange.eventType,
    providerEventId: exchange.providerEventId,
    route: exchange.route,
    ok: result.ok,
    status: result.status,
    error: result.error?.kind,
    durationMs: result.durationMs,
  };
}

export function exchangeDetail(exchange: Exchange): ExchangeDetail {
  const { received, sent, result } = exchange;
  const sentHeaders = headerPairs(sent.headers);
  return {
    ...exchangeSummary(exchange),
    received: {
      method: received.method,
      path: received.path || '/',
      query: received.query,
      headers: received.headers,
      body: bodyJson(received.body, contentTypeOf(received.headers)),
    },
    sent: {
      url: sent.url,
      method: sent.method,
      headers: sentHeaders,
      signed: changedHeaders(received.headers, sentHeaders),
      body: sent.body === received.body || sent.body.equals(received.body) ? undefined : bodyJson(sent.body, contentTypeOf(sentHeaders)),
    },
    response: {
      status: result.status,
      durationMs: result.durationMs,
      headers: headerPairs(result.headers),
      body: result.body,
      bodyBytes: result.bodyBytes,
      error: result.error,
    },
    curl: curlCommand(sent),
  };
}
