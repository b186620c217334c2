/** --relay takes a relay's base URL in http(s) or ws(s) form alike. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { channelSocketUrl, parseRelayUrl } from '../../../src/tunnel/relay-url.js';

describe('parseRelayUrl', () => {
  it.each([
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787/'],
    ['ws://127.0.0.1:8787/', 'http://127.0.0.1:8787/'],
    ['wss://relay.example.com/base/', 'https://relay.example.com/base'],
    ['https://relay.example.com', 'https://relay.example.com/'],
    ['localhost:8787', 'http://localhost:8787/'],
  ])('normalises %s to %s', (input, expected) => {
    expect(parseRelayUrl(input).toString()).toBe(expected);
  });

  it.each(['ftp://relay.example.com', 'http://'])('refuses %s as a usage error', (input) => {
    expect(() => parseRelayUrl(input)).toThrow(UsageError);
  });
});

describe('channelSocketUrl', () => {
  it('maps http to ws and https to wss, keeping a base path', () => {
    expect(channelSocketUrl(parseRelayUrl('http://127.0.0.1:8787'), 'ch_1')).toBe('ws://127.0.0.1:8787/ws/ch_1');
    expect(channelSocketUrl(parseRelayUrl('https://relay.example.com/base'), 'ch_1')).toBe('wss://relay.example.com/base/ws/ch_1');
  });
});
