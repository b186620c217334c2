/** Ctrl-C ends a waiting command at once with exit 130 and no error line; bad relay flags exit 2. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, makeHome, runCli, stopAllProcesses } from '../helpers/processes.js';

afterEach(async () => {
  await stopAllProcesses();
});

describe('interrupts and relay flags', () => {
  it('trigger --retries waiting an hour for its next attempt stops on the first Ctrl-C', async () => {
    const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(500).end('down')));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
    const child = spawn(process.execPath, [BIN, 'trigger', 'invoice.paid', '--provider', 'stripe', '--forward', url, '--secret', 'whsec_x', '--retries'], {
      env: { ...process.env, WHCLI_HOME: await makeHome(), NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const waiting = new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('retrying in') && resolve()));
    // A safety net only: the retry wait is minutes long, so exit code 130 (not a SIGKILL) shows Ctrl-C ended it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await waiting;
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    clearTimeout(timer);
    server.close();
    expect(code).toBe(130);
    expect(stderr).toBe('');
  });

  it.each([['--max-body', 'abc'], ['--respond-timeout', 'soon']])('relay %s %s is a usage error (exit 2)', async (flag, value) => {
    const run = await runCli(['relay', '--port', '0', '--store', 'memory', flag, value], await makeHome());
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(new RegExp(`^whcli: invalid ${flag}`));
  });
});
