/**
 * Every GitHub event through the real CLI (`whcli verify`, a subprocess) to a real node:http
 * handler that checks each request as GitHub's own library does: @octokit/webhooks
 * verifyAndReceive on the raw body, the legacy X-Hub-Signature (SHA-1) recomputed here with
 * node:crypto, the body against the event's official schema, and the headers GitHub sends.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhooks, emitterEventNames, type EmitterWebhookEventName } from '@octokit/webhooks';
import { closeServer } from '../helpers/close-server.js';
import { afterEach, describe, expect, it } from 'vitest';
import { github } from '../../src/providers/catalogue/github.js';
import { runCli } from '../helpers/foundation-cli.js';
// @ts-expect-error: a plain .mjs module shared with the fixture generator, without types.
import { githubAjv, githubWebhooks } from '../../scripts/github-webhook-schema.mjs';

const SECRET = "It's a Secret to Everybody";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Accepted {
  name: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  emitted: string;
}

let server: Server | undefined;
afterEach(async () => {
  await closeServer(server);
  server = undefined;
});

/** A handler verifying as GitHub's official library does: 2xx for a genuine event, 401 otherwise. */
async function startGithubHandler(accepted: Accepted[], rejected: IncomingHttpHeaders[]): Promise<string> {
  const webhooks = new Webhooks({ secret: SECRET });
  let emitted = '';
  webhooks.onAny((event) => {
    const action = (event.payload as { action?: string }).action;
    emitted = action ? `${event.name}.${action}` : event.name;
  });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const one = (name: string) => String(req.headers[name] ?? '');
      webhooks
        .verifyAndReceive({ id: one('x-github-delivery'), name: one('x-github-event') as EmitterWebhookEventName, payload: body.toString('utf8'), signature: one('x-hub-signature-256') })
        .then(
          () => {
            accepted.push({ name: one('x-github-event'), headers: req.headers, body, emitted });
            res.writeHead(202).end();
          },
          () => {
            rejected.push(req.headers);
            res.writeHead(401).end();
          },
        );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/github`;
}

describe('every GitHub event, sent by the CLI, checked by GitHub\'s own library', () => {
  it('is accepted with both signatures, every header GitHub sends and a body valid against its schema', async () => {
    const accepted: Accepted[] = [];
    const rejected: IncomingHttpHeaders[] = [];
    const url = await startGithubHandler(accepted, rejected);
    const run = await runCli(['verify', '-p', 'github', '-f', url, '--secret', SECRET, '--checks', 'delivery,forgery,unsigned', '--reporter', 'json']);
    expect(run.code, run.stderr).toBe(0);

    const events = github.events.map((e) => e.name);
    expect(events).toHaveLength(261);
    // Each event once genuine (delivery) and twice refused (forged, unsigned).
    expect(accepted.map((a) => a.emitted).sort()).toEqual([...events].sort());
    expect(rejected).toHaveLength(events.length * 2);

    const ajv = (githubAjv as () => { getSchema(ref: string): (data: unknown) => boolean })();
    const schemaOf = new Map((githubWebhooks as () => { name: string; ref: string }[])().map((w) => [w.name, w.ref]));
    for (const { emitted, headers, body } of accepted) {
      expect(emitterEventNames).toContain(emitted);
      // The legacy header, recomputed independently.
      expect(headers['x-hub-signature'], emitted).toBe(`sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`);
      expect(headers['x-github-delivery']).toMatch(GUID);
      expect(headers['user-agent']).toMatch(/^GitHub-Hookshot\/[0-9a-f]+$/);
      expect(headers['x-github-hook-id']).toMatch(/^\d+$/);
      expect(headers['x-github-hook-installation-target-id']).toMatch(/^\d+$/);
      expect(headers['x-github-hook-installation-target-type']).toBe('repository');
      expect(headers['content-type']).toBe('application/json');
      expect(ajv.getSchema(schemaOf.get(emitted)!)(JSON.parse(body.toString('utf8'))), emitted).toBe(true);
    }
    // An unsigned request carries neither signature.
    const unsigned = rejected.filter((h) => !h['x-hub-signature-256']);
    expect(unsigned).toHaveLength(events.length);
    for (const headers of unsigned) expect(headers['x-hub-signature']).toBeUndefined();
  }, 240_000);
});
