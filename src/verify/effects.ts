import type { DeliveryResult, OutgoingRequest } from '../delivery/send.js';
import { parseTarget } from '../delivery/target.js';

/** Placeholder in --effects replaced by the event id, for handlers that count per event. */
export const EFFECTS_ID = '{id}';

/** Checks an --effects URL once, up front, so a typo is a usage error and not a failed check. */
export function checkEffectsUrl(template: string): string {
  parseTarget(template.replaceAll(EFFECTS_ID, 'evt_probe'), '--effects');
  return template;
}

/** A count in an --effects answer: a bare number, or JSON with "count". */
export function parseEffectsCount(body: string): number | undefined {
  const text = body.trim();
  if (/^\d+$/.test(text)) return Number(text);
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'number' && Number.isInteger(parsed)) return parsed;
    const count = (parsed as { count?: unknown } | null)?.count;
    if (typeof count === 'number' && Number.isInteger(count)) return count;
  } catch {
    // Not JSON: no count.
  }
  return undefined;
}

/**
 * Reads how many times a handler did its work: GET the --effects URL (with the event id where it
 * says {id}); throws a readable Error when the answer holds no count.
 */
export function effectsReader(
  template: string,
  send: (request: OutgoingRequest) => Promise<DeliveryResult>,
  timeoutMs: number,
): (eventId: string) => Promise<number> {
  return async (eventId) => {
    const url = parseTarget(template.replaceAll(EFFECTS_ID, encodeURIComponent(eventId)), '--effects');
    const result = await send({ url, method: 'GET', headers: { accept: 'application/json' }, body: new Uint8Array(), timeoutMs });
    if (result.error) throw new Error(`${url}: ${result.error.message}`);
    if (result.status === undefined || result.status >= 300) throw new Error(`${url} answered ${result.status}`);
    const count = parseEffectsCount(result.body ?? '');
    if (count === undefined) throw new Error(`${url} answered no count: return a number, or JSON like {"count": 1}`);
    return count;
  };
}
