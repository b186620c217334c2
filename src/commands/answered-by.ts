import type { DeliveryResult } from '../delivery/send.js';
import { WhcliError } from '../errors.js';

/** Which part gave the answer: the handler, the listener (it did not deliver), or the relay itself. */
export type AnsweredBy = 'handler' | 'listener' | 'relay';

/**
 * Through a relay, an answer carrying the relay's event-id header is the handler's own; a JSON error
 * naming the event is the listener's report (it did not deliver); any other is the relay's refusal.
 */
export function whoAnswered(result: DeliveryResult): { answeredBy?: AnsweredBy; reason?: string } {
  if (result.status === undefined) return {};
  if (result.headers?.['x-whcli-event-id'] !== undefined) return { answeredBy: 'handler' };
  let parsed: { error?: unknown; id?: unknown } | undefined;
  try {
    parsed = JSON.parse(result.body ?? '') as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const reason = typeof parsed?.error === 'string' ? parsed.error : undefined;
  return { answeredBy: typeof parsed?.id === 'string' ? 'listener' : 'relay', reason };
}

/** The error for a failed attempt, naming the part that answered: handler, listener or relay. */
export function answerFailure(last: { result: DeliveryResult; answeredBy?: AnsweredBy; reason?: string }): WhcliError {
  const { error, status } = last.result;
  if (error) return new WhcliError(error.kind === 'timeout' ? 'WHCLI_ERR_TIMEOUT' : 'WHCLI_ERR_UNREACHABLE', error.message);
  if (last.answeredBy === 'listener') {
    const code = status === 504 ? 'WHCLI_ERR_TIMEOUT' : 'WHCLI_ERR_UNREACHABLE';
    return new WhcliError(code, `the listener did not deliver the event: ${last.reason ?? `relay answered ${status}`}`);
  }
  if (last.answeredBy === 'relay') {
    const hint = status === 413 ? ' (the listener takes larger bodies with --max-body)' : status === 404 ? ' (the listener\'s channel is gone: restart `whcli listen`)' : '';
    return new WhcliError(status === 413 ? 'WHCLI_ERR_TOO_LARGE' : 'WHCLI_ERR_RELAY', `the relay answered ${status}${last.reason ? `: ${last.reason}` : ''}${hint}`);
  }
  return new WhcliError('WHCLI_ERR_NON_2XX', `handler answered ${status}`);
}
