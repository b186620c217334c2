import { createHmac } from 'node:crypto';
import { safeEqual } from './compare.js';
import { fillTemplate, formatTimestamp, parseTemplate, parseTimestamp, sortedParams, type TemplateValues } from './payload-template.js';
import { checkTimestamp, headerValue, type Signer, type TemplatedHmacSpec } from './types.js';

function key(secret: string, encoding: TemplatedHmacSpec['secretEncoding'] = 'utf8'): Buffer {
  if (encoding === 'base64') return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return Buffer.from(secret, encoding);
}

/**
 * An HMAC over a templated payload: the timestamped schemes (Paddle, Zoom, Twitch, Calendly, Mux,
 * WorkOS, Sanity, Zendesk) and the URL-signed ones (Twilio, Square, HubSpot v3) are all data here.
 */
export function templatedHmacSigner(spec: TemplatedHmacSpec): Signer {
  const template = spec.value ?? '{signature}';
  const signs = (token: string) => spec.payload.includes(`{${token}}`);
  const digest = (secret: string, values: TemplateValues) =>
    createHmac(spec.algorithm, key(secret, spec.secretEncoding)).update(fillTemplate(spec.payload, values)).digest(spec.encoding);
  const values = (input: { body: Uint8Array; url?: string; method?: string }, timestamp: string, id: string): TemplateValues => ({
    body: input.body,
    timestamp,
    id,
    url: input.url ?? '',
    method: (input.method ?? 'POST').toUpperCase(),
    params: signs('params') ? sortedParams(input.body) : '',
  });
  const headerNames = [spec.header, spec.timestampHeader, spec.idHeader].filter((h): h is string => h !== undefined);
  const carriesTimestamp = signs('timestamp');
  return {
    headerNames,
    toleranceSec: carriesTimestamp ? spec.toleranceSec ?? 300 : undefined,
    sign: (input) => {
      const timestamp = formatTimestamp(input.timestamp, spec.timestampFormat);
      const signature = digest(input.secret, values(input, timestamp, input.id));
      const headers: Record<string, string> = { [spec.header]: fillTemplate(template, { timestamp, signature }).toString() };
      if (spec.timestampHeader) headers[spec.timestampHeader] = timestamp;
      if (spec.idHeader) headers[spec.idHeader] = input.id;
      return headers;
    },
    verify: (input) => {
      const raw = headerValue(input.headers, spec.header);
      if (!raw) return { ok: false, reason: `missing ${spec.header} header` };
      const parsed = parseTemplate(template, raw);
      if (!parsed?.signature) return { ok: false, reason: `${spec.header} is not in the form "${template}"` };
      const timestamp = parsed.timestamp ?? (spec.timestampHeader ? headerValue(input.headers, spec.timestampHeader) : undefined) ?? '';
      if (carriesTimestamp && !timestamp) return { ok: false, reason: `missing ${spec.timestampHeader ?? 'timestamp'}` };
      const id = spec.idHeader ? headerValue(input.headers, spec.idHeader) ?? '' : '';
      if (signs('url') && !input.url) return { ok: false, reason: 'the signed URL is unknown' };
      const expected = digest(input.secret, values(input, timestamp, id));
      const normalise = (s: string) => (spec.encoding === 'hex' ? s.toLowerCase() : s);
      if (!safeEqual(normalise(parsed.signature), normalise(expected))) {
        return { ok: false, reason: `${spec.header} does not match the ${signs('url') ? 'URL and body' : 'body'}` };
      }
      if (!carriesTimestamp) return { ok: true };
      const now = input.now ?? Math.floor(Date.now() / 1000);
      return checkTimestamp(parseTimestamp(timestamp, spec.timestampFormat), now, input.toleranceSec ?? spec.toleranceSec ?? 300);
    },
  };
}
