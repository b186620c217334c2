/**
 * Fault: the disk under `whcli relay --store file:<dir>` fills up, for real: the store lives on a
 * 1 MiB tmpfs. Needs root (mount); elsewhere the test is skipped and says why, and
 * test/unit/relay/file-store-disk-faults.test.ts injects the same faults in process on any machine.
 *
 * Expected: every event is answered 200 or 500, never 200 for what is not on disk; after a restart
 * the relay delivers exactly the events it answered 200, bodies byte for byte; a compaction with no
 * space left is reported and survived (the old log kept, no relay.log.compact left behind), and
 * done at a later start once space is back.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, startRelayProcess, stopAllProcesses, type RelayProcess } from '../helpers/processes.js';
import { closeAllRawListeners, RawListener } from '../helpers/raw-listener.js';
import { postEvent, socketUrl } from '../helpers/relay-client.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'whcli-tmpfs-'));
let mounted = false;
let whyNot = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch (error) {
  whyNot = ((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim();
}

beforeAll(() => {
  if (!mounted) console.warn(`SKIPPED the full-disk fault on a real tmpfs: cannot mount one here (${whyNot}); the injected faults still run`);
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});
afterEach(async () => {
  closeAllRawListeners();
  await stopAllProcesses();
});

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.runIf(mounted)('file store on a real full disk (1 MiB tmpfs)', () => {
  it('answers 500 for what does not fit, delivers exactly what it answered 200, and survives compaction with no space', async () => {
    const storeDir = join(mountPoint, 'store');
    const home = await makeHome();
    const args = ['--store', `file:${storeDir}`, '--rate-limit', '0', '--max-body', '1mb'];
    let relay: RelayProcess = await startRelayProcess(home, args);
    const created = await fetch(`${relay.url}/api/channels`, { method: 'POST' });
    const channel = (await created.json()) as { id: string; token: string; url: string };

    // 48 KiB events until the disk refuses three in a row.
    const accepted = new Map<string, string>();
    let refused = 0;
    for (let n = 0; refused < 3; n++) {
      expect(n, 'a 1 MiB disk never filled up').toBeLessThan(100);
      const body = Buffer.alloc(48 * 1024, `event ${n} `);
      const answer = await postEvent(channel.url, body);
      expect([200, 500], `event ${n} answered ${answer.status}`).toContain(answer.status);
      if (answer.status === 200) accepted.set(answer.json.id as string, sha(body));
      else refused += 1;
    }
    expect(accepted.size).toBeGreaterThan(5);

    // Started again on the same full disk: it delivers exactly what it answered 200.
    await relay.proc.kill('SIGKILL');
    relay = await startRelayProcess(home, args);
    const listener = new RawListener(socketUrl(relay.url, channel.id), channel.token, { autoAck: true });
    await listener.hello({ window: 1000 });
    await listener.waitForEvents(accepted.size, 20_000);
    await listener.sync();
    expect(new Map(listener.events.map((e) => [e.id, sha(e.body)]))).toEqual(accepted);
    expect(relay.proc.stderr).not.toMatch(/damaged/);

    // Everything acknowledged: the next start compacts, but a filler takes the last bytes of the disk.
    await listener.sync();
    await relay.proc.kill('SIGTERM');
    const filler = join(mountPoint, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC once the disk is full: that is the point.
    }
    const logBefore = statSync(join(storeDir, 'relay.log')).size;
    relay = await startRelayProcess(home, args);
    await relay.proc.waitForStderr(/compaction failed \(ENOSPC[^)]*\); the log is kept as it is/);
    expect(existsSync(join(storeDir, 'relay.log.compact'))).toBe(false);
    expect(statSync(join(storeDir, 'relay.log')).size).toBe(logBefore);
    expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);

    // Space back: the next start compacts, and the relay takes events again.
    await relay.proc.kill('SIGTERM');
    rmSync(filler);
    relay = await startRelayProcess(home, args);
    expect(statSync(join(storeDir, 'relay.log')).size).toBeLessThan(logBefore / 10);
    expect((await postEvent(`${relay.url}/c/${channel.id}`, '{"after":"space is back"}')).status).toBe(200);
  });
});

describe('file store that cannot be opened', () => {
  it('`whcli relay` exits 1 with one line naming the file and the reason, and touches nothing', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'whcli-unreadable-'));
    try {
      // A directory where the log should be: opening works, every read fails (EISDIR), as a bad disk would.
      mkdirSync(join(storeDir, 'relay.log', 'inside'), { recursive: true });
      const home = await makeHome();
      const { runCli } = await import('../helpers/processes.js');
      const result = await runCli(['relay', '--port', '0', '--store', `file:${storeDir}`], home);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^whcli: cannot (read|open) the relay store ${join(storeDir, 'relay.log').replace(/[/.]/g, '\\$&')}: EISDIR`));
      expect(existsSync(join(storeDir, 'relay.log', 'inside'))).toBe(true);
      expect(existsSync(join(storeDir, 'relay.log.compact'))).toBe(false);
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
