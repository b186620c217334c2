/**
 * Every shell example in README.md and docs/*.md runs as written: each ```sh block runs in bash, in a
 * fresh project directory (with a copy of examples/ and a package.json whose `start` and `dev` run
 * examples/handler.mjs), with `whcli` on PATH, a fresh HOME and WHCLI_HOME, against a handler on
 * localhost:3000 that checks Stripe signatures with `whsec_test` using Stripe's own library. A block
 * that cannot run offline says so on the line before it: `<!-- whcli-example: skip: <reason> -->`.
 * A block that is one `whcli relay` line runs until it listens, then gets SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../helpers/foundation-cli.js';

interface Example {
  where: string;
  code: string;
  skip?: string;
}

/** The shell blocks of a markdown file, with the skip reason written before each, if any. */
export function shellExamples(file: string): Example[] {
  const lines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(sh|bash|shell)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const skip = /<!-- whcli-example: skip: (.+?) -->/.exec(lines[before] ?? '')?.[1];
    out.push({ where: `${file}:${start + 1}`, code: body.join('\n'), ...(skip ? { skip } : {}) });
  }
  return out;
}

const FILES = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const EXAMPLES = FILES.flatMap(shellExamples);
const SAFETY_MS = 180_000;

let work: string;
let handler: Server | undefined;
let portTaken = false;
const received: string[] = [];

/** localhost:3000, as the docs say: Stripe signatures checked by Stripe's library, others answered 200. */
async function startDocsHandler(): Promise<Server | undefined> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(`${req.method} ${req.url}`);
      const signature = req.headers['stripe-signature'];
      if (req.url?.startsWith('/webhooks') && !req.headers['x-acme-signature']) {
        try {
          Stripe.webhooks.constructEvent(Buffer.concat(chunks), String(signature ?? ''), 'whsec_test');
        } catch (error) {
          res.writeHead(400).end((error as Error).message);
          return;
        }
      }
      res.writeHead(200).end('ok');
    });
  });
  server.listen(3000, '127.0.0.1');
  // once() rejects on 'error': port 3000 held by another program on this machine.
  const listening = await once(server, 'listening').then(
    () => true,
    () => false,
  );
  return listening ? server : undefined;
}

/** Whether something already accepts connections on 127.0.0.1:3000. */
async function port3000Taken(): Promise<boolean> {
  const probe = createServer();
  probe.listen(3000, '127.0.0.1');
  const free = await once(probe, 'listening').then(
    () => true,
    () => false,
  );
  if (free) await new Promise<void>((resolve) => probe.close(() => resolve()));
  return !free;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'whcli-docs-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'whcli'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'whcli'), 0o755);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs one block in bash; resolves with its exit code and output. */
async function runBlock(example: Example, index: number): Promise<{ code: number | null; output: string; skipped?: string }> {
  const project = join(work, `project-${index}`);
  const home = join(work, `home-${index}`);
  cpSync(join(REPO_ROOT, 'examples'), join(project, 'examples'), { recursive: true });
  const app = `node ${join(REPO_ROOT, 'examples', 'handler.mjs')} --port 3000 --secret whsec_test`;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'docs-example', private: true, scripts: { start: app, dev: app } }));
  mkdirSync(join(home, '.config', 'fish', 'completions'), { recursive: true });
  mkdirSync(join(home, '.zfunc'), { recursive: true });
  // zsh's fpath, for the completion example run in bash.
  const script = `set -eo pipefail\nfpath=("$HOME/.zfunc")\n${example.code}\n`;
  const env = {
    ...process.env,
    PATH: `${join(work, 'bin')}:${process.env.PATH}`,
    HOME: home,
    WHCLI_HOME: join(home, 'whcli'),
    NO_COLOR: '1',
    WHCLI_SECRET: undefined,
    CI: '1',
  };
  const child = spawn('bash', ['-c', script], { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  const server = /^whcli relay\b/.test(example.code.trim()) && !example.code.trim().includes('\n');
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const safety = setTimeout(() => killGroup('SIGKILL'), SAFETY_MS);
  try {
    if (server) {
      const exited = once(child, 'exit');
      await new Promise<void>((resolve) => {
        const check = () => (/listening on|port .* is taken|EADDRINUSE/.test(output) ? resolve() : undefined);
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        void exited.then(() => resolve());
      });
      if (/EADDRINUSE|is taken/.test(output)) return { code: 0, output, skipped: `its port is in use on this machine: ${output.trim()}` };
      killGroup('SIGTERM');
      const [code] = await exited;
      return { code: code as number | null, output };
    }
    const [code] = await once(child, 'exit');
    return { code: code as number | null, output };
  } finally {
    clearTimeout(safety);
    // Whatever the block left running in the background (`npm start &`).
    killGroup('SIGTERM');
  }
}

describe('shell examples in README.md and docs/', () => {
  it('finds the examples, and every skipped one gives its reason', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10);
    for (const example of EXAMPLES.filter((e) => e.skip)) expect(example.skip!.length, example.where).toBeGreaterThan(10);
  });

  for (const [index, example] of EXAMPLES.entries()) {
    const title = `${example.where}: ${example.code.split('\n')[0]}`;
    if (example.skip) {
      it.skip(`${title} (skipped: ${example.skip})`, () => {});
      continue;
    }
    it(title, async (context) => {
      const startsItsOwnApp = /npm start|npm run dev|--start /.test(example.code);
      if (!startsItsOwnApp) {
        handler = await startDocsHandler();
        portTaken = handler === undefined;
      } else {
        portTaken = await port3000Taken();
      }
      try {
        // The examples say localhost:3000; another program holding it here is no fault of theirs.
        if (portTaken) return context.skip('port 3000 is in use by another program on this machine');
        const run = await runBlock(example, index);
        if (run.skipped) console.warn(`${example.where}: not run, ${run.skipped}`);
        expect(run.code, `${example.where}\n${example.code}\n--- output\n${run.output}`).toBe(0);
        expect(run.output).not.toMatch(/^whcli: /m);
      } finally {
        if (handler) {
          handler.closeAllConnections();
          await new Promise<void>((resolve) => handler!.close(() => resolve()));
          handler = undefined;
        }
        portTaken = false;
      }
    }, SAFETY_MS + 30_000);
  }
});
