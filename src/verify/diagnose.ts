/**
 * --diagnose: after a correctly signed delivery got a 4xx, send the same event changed one way at a
 * time and name the most likely cause from which change the handler accepts.
 */
import type { HeaderList } from '../delivery/send.js';
import type { RenderedEvent } from '../fixtures/render-event.js';
import { signerFor } from '../providers/sign.js';
import { isSuccess, post, signed, wrongSecret, type CheckContext } from './check-requests.js';
import { reserialized } from './raw-body.js';
import { describeResponse, type CheckResponse, type ProbeOutcome } from './report.js';

export interface Diagnosis {
  /** The most likely cause and its fix, one line. */
  cause: string;
  probes: ProbeOutcome[];
}

/** Seconds the timestamp probes move the signature's time by, nearest first. */
export const CLOCK_SHIFTS_SEC = [30, -30, 120, -120, 600, -600];

interface Probe {
  name: string;
  body: Uint8Array;
  headers: HeaderList;
  /** The cause when this probe alone gets a 2xx. */
  cause: string;
}

/** `Stripe-Signature` ↔ `stripe-signature`: the case the handler did not get. */
function flipCase(name: string): string {
  return name === name.toLowerCase() ? name.replace(/(^|-)([a-z])/g, (_, dash: string, char: string) => dash + char.toUpperCase()) : name.toLowerCase();
}

/** Headers with some names replaced, keeping their values. */
function renamed(headers: Record<string, string>, rename: (name: string) => string | undefined): Record<string, string> {
  const targets = new Set(Object.keys(headers).flatMap((name) => rename(name)?.toLowerCase() ?? []));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const to = rename(name);
    // A header already named like a rename target (GitHub's legacy X-Hub-Signature) gives way to it.
    if (to === undefined && targets.has(name.toLowerCase())) continue;
    out[to ?? name] = value;
  }
  return out;
}

/** Other names handlers commonly read a signature from, for the provider's own names. */
function alternativeNames(names: readonly string[]): Map<string, string>[] {
  const lower = names.map((n) => n.toLowerCase());
  if (lower.every((n) => n.startsWith('webhook-'))) return [new Map(names.map((n) => [n, n.replace(/^webhook-/i, 'svix-')]))];
  if (lower.every((n) => n.startsWith('svix-'))) return [new Map(names.map((n) => [n, n.replace(/^svix-/i, 'webhook-')]))];
  const signature = names[0]!;
  const candidates = new Set<string>();
  if (/-256$/i.test(signature)) candidates.add(signature.replace(/-256$/i, ''));
  if (/^x-/i.test(signature)) candidates.add(signature.replace(/^x-/i, ''));
  else candidates.add(`X-${signature}`);
  candidates.add('X-Signature');
  candidates.add('X-Webhook-Signature');
  candidates.delete(signature);
  return [...candidates].map((name) => new Map([[signature, name]]));
}

function probesFor(ctx: CheckContext, rendered: RenderedEvent, body: Uint8Array): Probe[] {
  const signer = signerFor(ctx.provider);
  const names = signer.headerNames;
  const { headers } = signed(ctx, rendered, { body });
  const lowerNames = new Set(names.map((n) => n.toLowerCase()));
  const probes: Probe[] = [];

  const compact = reserialized(body);
  if (compact && !compact.equals(Buffer.from(body))) {
    probes.push({
      name: 're-serialized body, re-signed',
      ...signed(ctx, rendered, { body: compact }),
      cause: 'your handler verifies a re-serialized body: verify the raw request bytes, not JSON.stringify(req.body)',
    });
  }

  const flipped = names.map(flipCase);
  probes.push({
    name: `signature header names as ${flipped.join(', ')}`,
    body,
    headers: renamed(headers, (name) => (lowerNames.has(name.toLowerCase()) ? flipCase(name) : undefined)),
    cause: `your handler reads ${flipped.join(', ')} case-sensitively: header names are case-insensitive; look them up lower-cased (req.headers['${names[0]!.toLowerCase()}'])`,
  });
  for (const alternative of alternativeNames(names)) {
    const to = [...alternative.values()].join(', ');
    const from = [...alternative.keys()].join(', ');
    probes.push({
      name: `signature sent as ${to}`,
      body,
      headers: renamed(headers, (name) => alternative.get(name)),
      cause: `your handler reads the signature from ${to}; ${ctx.provider.name} sends it in ${from}`,
    });
  }
  const signatureName = names[names.length - 1]!;
  const signatureKey = Object.keys(headers).find((n) => n.toLowerCase() === signatureName.toLowerCase())!;
  probes.push({
    name: `${signatureName} sent twice`,
    body,
    headers: { ...headers, [signatureKey]: [headers[signatureKey]!, headers[signatureKey]!] },
    cause: `your handler only accepts ${signatureName} as a repeated header: read the single value the provider sends`,
  });

  if (signer.toleranceSec !== undefined) {
    const nowSec = Math.floor(ctx.nowMs() / 1000);
    for (const shift of CLOCK_SHIFTS_SEC) {
      const age = Math.abs(shift);
      probes.push({
        name: `timestamp shifted by ${shift > 0 ? '+' : ''}${shift}s`,
        ...signed(ctx, rendered, { body, timestampSec: nowSec + shift }),
        cause:
          shift > 0
            ? `your clock check rejects a timestamp ${age} s old: the handler's clock runs about ${age} s ahead of this machine's, or its tolerance is shorter than the ${signer.toleranceSec} s providers allow; sync the clock (NTP) and use the provider's tolerance`
            : `your clock check rejects a timestamp ${age} s in its future: the handler's clock runs about ${age} s behind this machine's; sync it (NTP)`,
      });
    }
    probes.push({
      name: 'timestamp in milliseconds',
      ...signed(ctx, rendered, { body, timestampSec: ctx.nowMs() }),
      cause: 'your clock check compares seconds with milliseconds: the signature timestamp is in seconds, compare it with Math.floor(Date.now() / 1000)',
    });
  }

  const secretVariants: [string, string][] = [
    [`${ctx.secret}\n`, "your handler's secret differs from the one given: it ends with a newline (read from a file?); trim it"],
  ];
  const prefix = /^(whsec_|shpss_|sk_test_|sk_live_)/.exec(ctx.secret)?.[1];
  if (prefix) secretVariants.push([ctx.secret.slice(prefix.length), `your handler's secret differs from the one given: it drops the ${prefix} prefix; use the secret whole, as given`]);
  for (const [secret, cause] of secretVariants) {
    probes.push({ name: 'secret with a variation', ...signed(ctx, rendered, { body, secret }), cause });
  }
  return probes;
}

function sameAnswer(a: CheckResponse, b: CheckResponse): boolean {
  return a.status === b.status && (a.body ?? '').trim() === (b.body ?? '').trim();
}

/**
 * Probes a refused delivery of `rendered` (sent with `body`, which may differ from rendered.body)
 * and names the likely cause. Sends probes one at a time and stops at the first the handler accepts.
 */
export async function diagnose(ctx: CheckContext, rendered: RenderedEvent, body: Uint8Array, refused: CheckResponse): Promise<Diagnosis> {
  const outcomes: ProbeOutcome[] = [];
  const forged = await post(ctx, signed(ctx, rendered, { body, secret: wrongSecret(ctx.provider) }));
  outcomes.push({ probe: 'signed with a different secret', got: describeResponse(forged) });
  if (isSuccess(forged)) {
    return { cause: 'your handler refuses the correct signature but accepts a wrong one: it compares signatures the wrong way round', probes: outcomes };
  }
  for (const probe of probesFor(ctx, rendered, body)) {
    const response = await post(ctx, probe);
    outcomes.push({ probe: probe.name, got: describeResponse(response) });
    if (isSuccess(response)) return { cause: probe.cause, probes: outcomes };
  }
  if (sameAnswer(forged, refused)) {
    return {
      cause: `your handler's secret differs from the one given: it refuses events signed with it exactly as one signed with a random secret (${describeResponse(refused)}); give it the same secret as whcli`,
      probes: outcomes,
    };
  }
  return {
    cause: `the signature seems accepted but the event refused: a wrong secret gets ${describeResponse(forged)}, the correct one ${describeResponse(refused)}; read the handler's response to see what it rejects`,
    probes: outcomes,
  };
}
