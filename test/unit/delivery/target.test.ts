import { describe, expect, it } from 'vitest';
import { joinTarget, parseTarget } from '../../../src/delivery/target.js';
import { UsageError } from '../../../src/errors.js';

describe('parseTarget', () => {
  it.each([
    ['3000', 'http://localhost:3000/'],
    ['3000/webhooks', 'http://localhost:3000/webhooks'],
    [' 3000 ', 'http://localhost:3000/'],
    ['localhost:3000', 'http://localhost:3000/'],
    ['localhost:3000/path', 'http://localhost:3000/path'],
    ['localhost:3000/a/b?x=1', 'http://localhost:3000/a/b?x=1'],
    [':3000', 'http://localhost:3000/'],
    [':3000/x', 'http://localhost:3000/x'],
    ['127.0.0.1:8080/hooks', 'http://127.0.0.1:8080/hooks'],
    ['[::1]:4000/h', 'http://[::1]:4000/h'],
    ['example.com/hooks', 'http://example.com/hooks'],
    ['http://localhost:3000/webhooks', 'http://localhost:3000/webhooks'],
    ['https://hooks.example.com/stripe?env=test', 'https://hooks.example.com/stripe?env=test'],
    ['HTTP://LOCALHOST:3000/W', 'http://localhost:3000/W'],
    ['https://example.com', 'https://example.com/'],
  ])('%s -> %s', (input, url) => {
    expect(parseTarget(input).toString()).toBe(url);
  });

  it.each([
    ['ftp://x', /only http and https/],
    ['ws://localhost:3000', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['http://', /expected a port, host:port\[\/path\] or an http\(s\) URL/],
    ['', /expected a port/],
    ['not a host', /expected a port/],
    ['70000', /expected a port/],
    ['localhost:0', /port out of range/],
  ])('rejects %j', (input, message) => {
    let error: unknown;
    try {
      parseTarget(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.code).toBe('WHCLI_ERR_BAD_URL');
    expect(usage.exitCode).toBe(2);
    expect(usage.message).toContain(`invalid --forward "${input}"`);
    expect(usage.message).toMatch(message);
  });

  it('names the setting it read in its errors', () => {
    expect(() => parseTarget('ftp://x', 'forward in whcli.config.json')).toThrow(/^invalid forward in whcli\.config\.json "ftp:\/\/x"/);
  });
});

describe('joinTarget', () => {
  const base = new URL('http://localhost:3000/webhooks');
  it.each([
    ['', '', 'http://localhost:3000/webhooks'],
    ['/', '', 'http://localhost:3000/webhooks'],
    ['/stripe', '', 'http://localhost:3000/webhooks/stripe'],
    ['stripe', '?a=1', 'http://localhost:3000/webhooks/stripe?a=1'],
    ['', 'a=1', 'http://localhost:3000/webhooks?a=1'],
  ])('suffix %j query %j', (suffix, query, url) => {
    expect(joinTarget(base, suffix, query).toString()).toBe(url);
  });

  it('keeps the base query and does not modify the base', () => {
    const withQuery = new URL('http://localhost:3000/hooks/?token=t');
    expect(joinTarget(withQuery, '/x', '?b=2').toString()).toBe('http://localhost:3000/hooks/x?token=t&b=2');
    expect(withQuery.toString()).toBe('http://localhost:3000/hooks/?token=t');
  });
});
