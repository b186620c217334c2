import { describe, expect, it } from 'vitest';
import { PROBE_FIELD, reserializationProbeBody, reserialized } from '../../../src/verify/raw-body.js';

const event = { id: 'evt_1', type: 'invoice.paid', data: { object: { name: 'Zoë Ångström', url: 'https://x.test/a/b', lines: [1, 2], empty: {}, none: [] } } };

describe('reserializationProbeBody', () => {
  const body = reserializationProbeBody(Buffer.from(JSON.stringify(event)));
  const text = body.toString('utf8');

  it('is JSON meaning the same event, plus the probe field first', () => {
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)[0]).toBe(PROBE_FIELD);
    const { [PROBE_FIELD]: probe, ...rest } = parsed;
    expect(rest).toEqual(event);
    expect(probe).toMatchObject({ escaped: 'café ✓ / A' });
  });

  it('differs from what JSON.stringify(JSON.parse(body)) writes in every way a re-serializer changes', () => {
    expect(reserialized(body)!.equals(body)).toBe(false);
    expect(text).toContain('\n  "id": "evt_1"');
    expect(text).toContain('Zo\\u00eb \\u00c5ngstr\\u00f6m');
    expect(text).toContain('https:\\/\\/x.test');
    // Past 2^53: JSON.parse rounds it, so no re-serialization writes these digits back.
    expect(text).toContain('9007199254740993');
    expect(JSON.stringify(JSON.parse(text))).not.toContain('9007199254740993');
    expect(text).toContain('"naïve café – 東京 ✓"');
  });

  it('leaves a body that is not JSON as text, still with bytes a re-serializer would drop', () => {
    expect(reserializationProbeBody(Buffer.from('a=1&b=2')).toString()).toBe('\na=1&b=2');
    expect(reserialized(Buffer.from('a=1'))).toBeUndefined();
  });
});
