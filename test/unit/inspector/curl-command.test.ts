import { describe, expect, it } from 'vitest';
import { curlCommand, shellQuote } from '../../../src/inspector/curl-command.js';

describe('curlCommand', () => {
  it('quotes for a POSIX shell', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$HOME `x` "y"\n')).toBe(`'$HOME \`x\` "y"\n'`);
  });

  it('writes headers in order, repeats included, and the body as raw data', () => {
    const command = curlCommand({
      url: 'http://127.0.0.1:3000/hooks?list[]=a',
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Dup': ['1', '2'] },
      body: Buffer.from('{"a":"it\'s"}'),
    });
    expect(command).toBe(
      `curl -sS -g 'http://127.0.0.1:3000/hooks?list[]=a' -H 'Content-Type: application/json' -H 'X-Dup: 1' -H 'X-Dup: 2' --data-raw '{"a":"it'\\''s"}'`,
    );
  });

  it('pipes binary bodies through base64', () => {
    const command = curlCommand({ url: 'http://127.0.0.1:3000/', method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([0, 255]) });
    expect(command).toBe(`printf %s 'AP8=' | base64 -d | curl -sS -g 'http://127.0.0.1:3000/' -H 'Content-Type: application/octet-stream' --data-binary @-`);
  });

  it('names the method only when curl would pick another, and stops curl adding a content type', () => {
    expect(curlCommand({ url: 'http://h/', method: 'GET', headers: {}, body: Buffer.alloc(0) })).toBe(`curl -sS -g 'http://h/'`);
    expect(curlCommand({ url: 'http://h/', method: 'DELETE', headers: {}, body: Buffer.alloc(0) })).toBe(`curl -sS -g -X DELETE 'http://h/'`);
    expect(curlCommand({ url: 'http://h/', method: 'PUT', headers: {}, body: Buffer.from('x') })).toBe(`curl -sS -g -X PUT 'http://h/' -H 'Content-Type:' --data-raw 'x'`);
  });
});
