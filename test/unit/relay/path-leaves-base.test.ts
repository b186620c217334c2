/** pathLeavesBase resolves a sender's path the way URL parsers do and refuses any that would climb. */
import { describe, expect, it } from 'vitest';
import { pathLeavesBase } from '../../../src/relay/ingress.js';

describe('pathLeavesBase', () => {
  it.each([
    '/..\\admin',
    '/a/..\\..\\admin',
    '/..%5Cadmin',
    '/..%5cadmin',
    '/%2e%2e%5Cadmin',
    '/%2E%2e\\admin',
    '/a\\..\\..\\admin',
    '\\..\\admin',
    '/../admin',
    '/a/../b',
    '/%2e%2e/x',
    '/./x',
    '/.',
    '/..',
    '/.\t./admin',
    '/a/.\n./b',
    '/..%2f..%2fadmin',
    '/a%5C..%5C..%5Cadmin',
    'admin',
  ])('refuses %j', (suffix) => {
    expect(pathLeavesBase(suffix)).toBe(true);
  });

  it.each(['', '/', '/a', '/stripe/v1/events', '/.well-known/hook', '/a.b/c...d', '/a%2fb', '/é', '/a b', '/x/..;/admin', '/a@b:c', '/{x}|"y"^`', '//a//'])(
    'accepts %j',
    (suffix) => {
      expect(pathLeavesBase(suffix)).toBe(false);
    },
  );
});
