/** sendRequest against real sockets: it reports every outcome as a result and never throws. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDeliveryPool, RESPONSE_EXCERPT_BYTES, sendRequest } from '../../../src/delivery/send.js';
import { closedPort, startRecordingServer, type RecordingServer } from '../../helpers/foundation-server.js';

let server: RecordingServer | undefined;
let silent: Server | undefined;
afterEach(async () => {
  await closeDeliveryPool();
  await server?.close();
  server = undefined;
  if (silent) {
    silent.closeAllConnections();
    silent.close();
    await once(silent, 'close');
    silent = undefined;
  }
});

const post = (url: string, body = '{"a":1}', timeoutMs = 5_000, headers: Record<string, string> = {}) =>
  sendRequest({ url: new URL(url), method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(body), timeoutMs });

describe('sendRequest', () => {
  it('sends the exact bytes and headers, and reports a 2xx as ok', async () => {
    server = await startRecordingServer(() => ({ status: 202, body: 'accepted' }));
    const body = '{\n  "name": "Zoë",\t"n": 1.50 }\n';
    const result = await post(`${server.url}/hooks?x=1`, body, 5_000, { 'X-Test': 'yes' });
    expect(result).toMatchObject({ ok: true, status: 202, body: 'accepted', bodyBytes: 8 });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const received = await server.request(0);
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/hooks?x=1');
    expect(received.body.equals(Buffer.from(body))).toBe(true);
    expect(received.headers['x-test']).toBe('yes');
  });

  it('reports a non-2xx with its status and body, not as an error', async () => {
    server = await startRecordingServer(() => ({ status: 500, body: 'boom: db down' }));
    const result = await post(server.url);
    expect(result).toMatchObject({ ok: false, status: 500, body: 'boom: db down' });
    expect(result.error).toBeUndefined();
  });

  it('keeps only the start of a large response body, but counts all of it', async () => {
    const big = 'x'.repeat(RESPONSE_EXCERPT_BYTES * 3 + 7);
    server = await startRecordingServer(() => ({ status: 200, body: big }));
    const result = await post(server.url);
    expect(result.body).toHaveLength(RESPONSE_EXCERPT_BYTES);
    expect(result.bodyBytes).toBe(big.length);
  });

  it('says "connection refused" for a closed port', async () => {
    const port = await closedPort();
    const result = await post(`http://127.0.0.1:${port}/`);
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ kind: 'refused', message: `connection refused by http://127.0.0.1:${port}: is the handler running?` });
  });

  it('times out a handler that never answers', async () => {
    silent = createServer(() => {
      // Never respond.
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const result = await post(`http://127.0.0.1:${port}/`, '{}', 200);
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ kind: 'timeout', message: `no response from http://127.0.0.1:${port} within 200ms` });
  });
});
