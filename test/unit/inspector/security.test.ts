import { describe, expect, it } from 'vitest';
import { newSessionToken, ownOrigins, refuseAction, refuseHost, tokenMatches } from '../../../src/inspector/security.js';

const PORT = 4040;
const TOKEN = newSessionToken();
const PAGE = { host: '127.0.0.1:4040', origin: 'http://127.0.0.1:4040', 'x-whcli-token': TOKEN, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' };

describe('inspector security', () => {
  it('makes 256-bit url-safe tokens, new each time', () => {
    expect(TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSessionToken()).not.toBe(TOKEN);
  });

  it('compares tokens whole', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });

  it('accepts only its own loopback host names and port', () => {
    expect(ownOrigins(PORT)).toEqual(['http://127.0.0.1:4040', 'http://localhost:4040']);
    for (const host of ['127.0.0.1:4040', 'localhost:4040', 'LOCALHOST:4040']) expect(refuseHost({ host }, PORT), host).toBeUndefined();
    for (const host of [undefined, '', '127.0.0.1', '127.0.0.1:4041', 'evil.example:4040', '0.0.0.0:4040', '[::1]:4040', 'localhost.evil.example:4040']) {
      expect(refuseHost({ host }, PORT), String(host)).toMatch(/is not this inspector/);
    }
  });

  it('accepts the page own action request', () => {
    expect(refuseAction(PAGE, PORT, TOKEN)).toBeUndefined();
    expect(refuseAction({ ...PAGE, origin: 'http://localhost:4040', 'sec-fetch-site': undefined }, PORT, TOKEN)).toBeUndefined();
    expect(refuseAction({ ...PAGE, 'content-type': 'application/json; charset=utf-8' }, PORT, TOKEN)).toBeUndefined();
  });

  it.each([
    ['no origin', { origin: undefined }, /origin "" may not act/],
    ['another port', { origin: 'http://127.0.0.1:4041' }, /origin "http:\/\/127.0.0.1:4041"/],
    ['an opaque origin', { origin: 'null' }, /origin "null"/],
    ['https of the same host', { origin: 'https://127.0.0.1:4040' }, /may not act/],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }, /cross-site request/],
    ['a same-site one', { 'sec-fetch-site': 'same-site' }, /cross-site request \(same-site\)/],
    ['no token', { 'x-whcli-token': undefined }, /missing or wrong session token/],
    ['a wrong token', { 'x-whcli-token': newSessionToken() }, /missing or wrong session token/],
    ['a form content type', { 'content-type': 'application/x-www-form-urlencoded' }, /application\/json/],
    ['text/plain', { 'content-type': 'text/plain' }, /application\/json/],
  ])('refuses an action with %s', (_what, change, reason) => {
    expect(refuseAction({ ...PAGE, ...change }, PORT, TOKEN)).toMatch(reason);
  });
});
