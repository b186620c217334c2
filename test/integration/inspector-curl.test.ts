/**
 * "Copy as curl" run for real: the command from curlCommand(), executed by bash and curl, reaches a
 * real handler with the same method, path and query, the same headers and the same body bytes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { curlCommand } from '../../src/inspector/curl-command.js';
import type { SentRequest } from '../../src/inspector/exchange-log.js';
import { closeAllHandlers, headerValues, startHandler } from '../helpers/http-handler.js';

const run = promisify(execFile);

afterEach(async () => {
  await closeAllHandlers();
});

const CASES: { name: string; path: string; headers: SentRequest['headers']; body: Buffer; method?: string }[] = [
  {
    name: 'JSON with quotes, an apostrophe, $ and non-ASCII',
    path: "/hooks?list[]=a&list[]=b&q='x'&sp=a%20b",
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': 't=1,v1=abc', 'X-Dup': ['one', 'two'] },
    body: Buffer.from('{"note":"it\'s $HOME `uname` \\"q\\"","name":"Zoë","city":"القاهرة"}\n\n'),
  },
  {
    name: 'a body starting with @ (not a file for curl)',
    path: '/hooks',
    headers: { 'Content-Type': 'text/plain' },
    body: Buffer.from('@/etc/passwd'),
  },
  {
    name: 'binary bytes, no content type',
    path: '/bin',
    headers: { 'X-Kind': 'binary' },
    body: Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xc3, 0x28, 0x00])]),
  },
  { name: 'a PUT', path: '/put', headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{}'), method: 'PUT' },
];

it.each(CASES)('repeats $name exactly', async ({ path, headers, body, method }) => {
  const handler = await startHandler();
  const command = curlCommand({ url: `${handler.url}${path}`, method: method ?? 'POST', headers, body });
  await run('bash', ['-c', command], { timeout: 10_000 });
  const [request] = await handler.waitForRequests(1);
  expect(request!.method).toBe(method ?? 'POST');
  expect(request!.url).toBe(path);
  expect(request!.body.equals(body)).toBe(true);
  for (const [name, value] of Object.entries(headers)) expect(headerValues(request!, name)).toEqual(Array.isArray(value) ? value : [value]);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) expect(headerValues(request!, 'content-type')).toEqual([]);
});
