import { describe, expect, it } from 'vitest';
import { luhnValid, Scrubber } from '../../../src/verify/scrub.js';

describe('Scrubber', () => {
  it('replaces credentials by key name and by shape, wherever they sit', () => {
    const s = new Scrubber();
    const out = s.value({
      client_secret: 'pi_123_secret_456',
      password: 'hunter2',
      nested: [{ access_token: 'x' }],
      note: 'key sk_test_abcdefgh12345678 and xoxb-1234-5678-abcdefgh',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_part',
    });
    expect(out).toEqual({ client_secret: '[scrubbed]', password: '[scrubbed]', nested: [{ access_token: '[scrubbed]' }], note: 'key [scrubbed] and [scrubbed]', jwt: '[scrubbed]' });
    expect(s.counts.secrets).toBe(6);
  });

  it('replaces emails and phone numbers stably, so references between fields survive', () => {
    const s = new Scrubber();
    const out = s.value({ email: 'A@b.co', other: 'write to a@b.co', phone: '0803 123 4567', intl: '+234 803 123 4567', mobile: '12' }) as Record<string, string>;
    expect(out.email).toBe('user1@example.com');
    expect(out.other).toBe('write to user1@example.com');
    expect(out.phone).toMatch(/^\+1555010\d\d$/);
    expect(out.intl).toMatch(/^\+1555010\d\d$/);
    expect(out.mobile).toBe('12');
    expect(s.counts).toMatchObject({ emails: 2, phones: 2 });
  });

  it('replaces card numbers that pass Luhn, and leaves ids, timestamps and amounts', () => {
    const s = new Scrubber();
    expect(s.string('card 5555-5555-5555-4444 ok')).toBe('card 4242424242424242 ok');
    expect(s.string('1732000000123')).toBe('1732000000123');
    expect(s.string('ch_3Qz1732000000123')).toBe('ch_3Qz1732000000123');
    expect(s.string('4111111111111112')).toBe('4111111111111112');
    expect(s.value({ amount: 4242424242424242 })).toEqual({ amount: 4242424242424242 });
    expect(s.counts.cards).toBe(1);
  });

  it('luhnValid', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
  });
});
