/**
 * `whcli init` as a real process: without a terminal it never asks; with flags it writes a file the
 * other commands use as is; on a real pseudo-terminal (util-linux `script`) it asks, and Ctrl-C at a
 * question leaves nothing written and exits 130.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, expectOneLineError, runCli, tempDir } from '../helpers/foundation-cli.js';
import { startRecordingServer, type RecordingServer } from '../helpers/foundation-server.js';
import { stripe } from '../../src/providers/catalogue/stripe.js';

let cwd: ReturnType<typeof tempDir>;
let server: RecordingServer | undefined;
const ptys = new Set<Pty>();

beforeEach(() => {
  cwd = tempDir('whcli-init-cli-');
});
afterEach(async () => {
  for (const pty of ptys) pty.kill();
  ptys.clear();
  await server?.close();
  server = undefined;
  cwd.remove();
});

const configFile = () => join(cwd.path, 'whcli.config.json');

describe('whcli init without a terminal', () => {
  it('asks nothing: exit 2, one line naming the flags it needs, nothing written', async () => {
    const run = await runCli(['init'], { cwd: cwd.path });
    const line = expectOneLineError(run, 2, /no terminal to ask on/);
    for (const flag of ['--provider <name>', '--forward <url>', '--secret <secret> or --generate-secret']) expect(line).toContain(flag);
    expect(run.stdout).toBe('');
    expect(readdirSync(cwd.path)).toEqual([]);
  });

  it('writes the flags, prints next steps, and trigger then needs no flags at all', async () => {
    server = await startRecordingServer();
    const run = await runCli(['init', '--provider', 'github', '--forward', `${server.url}/hooks`, '--events', 'push,ping', '--generate-secret'], { cwd: cwd.path });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Wrote ${configFile()}`);
    for (const step of ['whcli trigger push', 'whcli listen', 'whcli verify']) expect(run.stdout).toContain(step);
    const config = JSON.parse(readFileSync(configFile(), 'utf8')) as { secret: string };
    expect(run.stdout).not.toContain(config.secret);

    const trigger = await runCli(['trigger', 'push'], { cwd: cwd.path });
    expect(trigger.code, trigger.stderr).toBe(0);
    const received = await server.request(0);
    expect(received.url).toBe('/hooks');
    const expected = `sha256=${createHmac('sha256', config.secret).update(received.body).digest('hex')}`;
    expect(received.headers['x-hub-signature-256']).toBe(expected);
  });

  it('will not overwrite without --force', async () => {
    writeFileSync(configFile(), '{"provider":"stripe"}\n');
    const run = await runCli(['init', '--provider', 'github', '--yes'], { cwd: cwd.path });
    expectOneLineError(run, 2, /already exists: pass --force/);
    expect(readFileSync(configFile(), 'utf8')).toBe('{"provider":"stripe"}\n');
  });
});

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r/g;

/** whcli on a pseudo-terminal: `script` gives it one, and passes our writes on as keystrokes. */
class Pty {
  readonly child: ChildProcessWithoutNullStreams;
  private output = '';
  private cursor = 0;
  readonly exited: Promise<number | null>;

  constructor(args: string[], dir: string) {
    const command = ['stty cols 120 rows 40;', 'exec', process.execPath, BIN, ...args].map((a) => (a.endsWith(';') || a === 'exec' ? a : `'${a}'`)).join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', NO_COLOR: '1', WHCLI_HOME: dir, SHELL: '/bin/sh' };
    // Prompts are off in CI by design; this test is the terminal a person would have.
    delete env.CI;
    delete env.FORCE_COLOR;
    this.child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, env, stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk.replace(ANSI, '');
      this.child.emit('output');
    });
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
    ptys.add(this);
  }

  /** Waits until `text` appears after the last text waited for. */
  async waitFor(text: string, ms = 10_000): Promise<void> {
    const deadline = AbortSignal.timeout(ms);
    while (this.output.indexOf(text, this.cursor) < 0) {
      try {
        await once(this.child, 'output', { signal: deadline });
      } catch {
        throw new Error(`no "${text}" within ${ms} ms; the screen so far:\n${this.output}`);
      }
    }
    this.cursor = this.output.indexOf(text, this.cursor) + text.length;
  }

  type(keys: string): void {
    this.child.stdin.write(keys);
  }

  get screen(): string {
    return this.output;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

const DOWN = '\x1b[B';
const ENTER = '\r';
const SPACE = ' ';
const CTRL_C = '\x03';

describe.skipIf(!hasScript)('whcli init on a terminal', () => {
  it('asks provider, handler, events and secret, then writes them', async () => {
    const pty = new Pty(['init'], cwd.path);
    await pty.waitFor('navigate');
    pty.type(DOWN); // laabam -> lahza
    pty.type(ENTER);
    await pty.waitFor('Your handler');
    pty.type('localhost:4000/lahza');
    pty.type(ENTER);
    await pty.waitFor('all 8 event types');
    pty.type(DOWN); // "choose some"
    pty.type(ENTER);
    await pty.waitFor('Which events?');
    pty.type(SPACE); // the first event
    pty.type(ENTER);
    await pty.waitFor('generate a random one');
    pty.type(DOWN); // paste
    pty.type(ENTER);
    await pty.waitFor('Secret');
    pty.type('sk_test_pasted');
    pty.type(ENTER);
    expect(await pty.exited, pty.screen).toBe(0);
    expect(pty.screen).not.toContain('sk_test_pasted');
    expect(JSON.parse(readFileSync(configFile(), 'utf8'))).toEqual({
      $schema: './node_modules/whcli/schema/whcli.config.schema.json',
      provider: 'lahza',
      forward: 'localhost:4000/lahza',
      events: ['charge.success'],
      secret: 'sk_test_pasted',
    });
  });

  it('Ctrl-C at a question: exit 130, nothing written', async () => {
    const pty = new Pty(['init', '--provider', 'stripe'], cwd.path);
    await pty.waitFor('Your handler');
    pty.type(ENTER);
    await pty.waitFor(`all ${stripe.events.length} event types`);
    pty.type(ENTER);
    await pty.waitFor('generate a random one');
    pty.type(CTRL_C);
    expect(await pty.exited, pty.screen).toBe(130);
    expect(pty.screen).toContain('whcli: init cancelled: nothing written');
    expect(readdirSync(cwd.path)).toEqual([]);
  });

  it('asks before replacing an existing file; "no" keeps it', async () => {
    writeFileSync(configFile(), '{"provider":"stripe"}\n');
    const pty = new Pty(['init'], cwd.path);
    await pty.waitFor('Overwrite it?');
    pty.type('n');
    pty.type(ENTER);
    expect(await pty.exited, pty.screen).toBe(0);
    expect(pty.screen).toContain('as it was');
    expect(readFileSync(configFile(), 'utf8')).toBe('{"provider":"stripe"}\n');
  });
});
