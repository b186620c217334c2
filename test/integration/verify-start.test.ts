/**
 * `verify --start`: the handler is launched, waited for, checked, and its whole process tree is
 * stopped afterwards, whether the checks pass, fail, or Ctrl-C cuts the run short.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyFailure } from '../../src/commands/verify.js';
import { WhcliError } from '../../src/errors.js';
import type { VerifyReport } from '../../src/verify/report.js';
import { SECRETS } from '../helpers/verify-handlers.js';
import { isRunning } from '../helpers/verify-process.js';
import { isolatedEnvironment, runVerify } from '../helpers/verify-run.js';
import { freePort } from '../helpers/verify-server.js';

const environment = isolatedEnvironment();
const dir = mkdtempSync(join(tmpdir(), 'whcli-verify-start-'));
afterAll(() => {
  environment.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A Lava handler as its docs write it (seeds/lava-webhooks.txt), started the way `npm run dev`
 * starts things: a parent with a child process of its own. Usage: server.mjs <port> <secret> [--no-listen]
 */
const SERVER = join(dir, 'server.mjs');
writeFileSync(
  SERVER,
  `import { spawn } from 'node:child_process';
import crypto, { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
const [port, secret, mode] = process.argv.slice(2);
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
function verifySignature(body, signature) {
  const expected = crypto.createHmac('sha256', secret).update(body).digest('hex');
  const sigBuf = Buffer.from(signature, 'hex');
  const expBuf = Buffer.from(expected, 'hex');
  return sigBuf.length === expBuf.length && timingSafeEqual(sigBuf, expBuf);
}
const server = http.createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const signature = req.headers['x-webhook-signature'];
  if (!signature || !verifySignature(body, signature)) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Invalid signature"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
});
console.log('pids ' + process.pid + ' ' + child.pid);
if (mode !== '--no-listen') server.listen(Number(port), '127.0.0.1', () => console.log('listening on ' + port));
else setInterval(() => {}, 1000);
`,
);

const node = JSON.stringify(process.execPath);
const startCommand = (port: number, secret: string, mode = '') => `${node} ${JSON.stringify(SERVER)} ${port} ${secret} ${mode}`.trim();

/** The parent and child pids the server printed. */
function treeOf(lines: string[]): number[] {
  const line = lines.find((l) => l.startsWith('pids '));
  if (!line) throw new Error(`no pids line in ${JSON.stringify(lines)}`);
  return line.split(' ').slice(1).map(Number);
}

function expectTreeGone(report: VerifyReport) {
  const pids = [report.handler!.pid, ...treeOf(report.handler!.outputTail)];
  expect(pids.filter(isRunning)).toEqual([]);
}

describe('verify --start', () => {
  it('starts the handler, waits for it, passes, and stops the whole tree', async () => {
    const port = await freePort();
    const { report } = await runVerify(environment, {
      provider: 'lava',
      forward: `127.0.0.1:${port}/webhooks/lava`,
      secret: SECRETS.lava,
      start: startCommand(port, SECRETS.lava),
    });
    expect(report.summary).toEqual({ total: 15, passed: 15, failed: 0, skipped: 0 });
    expect(report.handler).toMatchObject({ command: startCommand(port, SECRETS.lava), outputTail: expect.arrayContaining([`listening on ${port}`]) });
    expect(report.handler!.exitedEarly).toBeUndefined();
    expectTreeGone(report);
  });

  it('stops the tree when checks fail too', async () => {
    const port = await freePort();
    const { report } = await runVerify(environment, {
      provider: 'lava',
      forward: `127.0.0.1:${port}`,
      secret: SECRETS.lava,
      start: startCommand(port, 'not-the-secret'),
      events: 'customer.created',
    });
    expect(report.results.filter((r) => r.status === 'failed').map((r) => r.check)).toEqual(['delivery', 'duplicate', 'raw-body']);
    expect(verifyFailure(report)).toMatchObject({ exitCode: 1 });
    expectTreeGone(report);
  });

  it('stops the tree on Ctrl-C', async () => {
    const port = await freePort();
    const stop = new AbortController();
    const { report } = await runVerify(
      environment,
      { provider: 'lava', forward: `127.0.0.1:${port}`, secret: SECRETS.lava, start: startCommand(port, SECRETS.lava), concurrency: '1' },
      { signal: stop.signal, onResult: () => stop.abort('SIGINT') },
    );
    expect(report.interrupted).toBe('SIGINT');
    expect(report.summary.passed).toBe(1);
    expect(verifyFailure(report)).toMatchObject({ exitCode: 130 });
    expectTreeGone(report);
  });

  it('one clear error when the command exits before listening, with its output', async () => {
    const port = await freePort();
    const error = await runVerify(environment, {
      provider: 'lava',
      forward: `127.0.0.1:${port}`,
      secret: SECRETS.lava,
      start: `${node} -e "console.error('Error: listen EADDRINUSE'); process.exit(1)"`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WhcliError);
    expect(error).toMatchObject({ code: 'WHCLI_ERR_UNREACHABLE', exitCode: 1 });
    expect((error as Error).message).toBe(
      `the --start command exited with code 1 before 127.0.0.1:${port} accepted connections\n  its last output:\n    Error: listen EADDRINUSE`,
    );
  });

  it('gives up after --wait-timeout, and stops the tree', async () => {
    const port = await freePort();
    const error = await runVerify(environment, {
      provider: 'lava',
      forward: `127.0.0.1:${port}`,
      secret: SECRETS.lava,
      start: startCommand(port, SECRETS.lava, '--no-listen'),
      waitTimeout: '400ms',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WHCLI_ERR_UNREACHABLE' });
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^nothing accepted connections on 127\\.0\\.0\\.1:${port} within 400ms after starting`));
    const pids = treeOf(message.split('\n').map((l) => l.trim()));
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('Ctrl-C while waiting for the handler exits 130 and stops the tree', async () => {
    const port = await freePort();
    const stop = new AbortController();
    const run = runVerify(
      environment,
      { provider: 'lava', forward: `127.0.0.1:${port}`, secret: SECRETS.lava, start: startCommand(port, SECRETS.lava, '--no-listen') },
      { signal: stop.signal, onPlan: () => queueMicrotask(() => stop.abort('SIGINT')) },
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 130, message: `interrupted by SIGINT while waiting for 127.0.0.1:${port}` });
  });
});
