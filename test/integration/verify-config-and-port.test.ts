/**
 * verify reads the config's `events` as listen does, and `verify --start` refuses to run while another
 * process holds the handler's port (the command would die on EADDRINUSE and the checks would test the
 * stray process), naming both.
 */
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, listenTracked } from '../helpers/http-handler.js';
import { expectOneLineError, runCli, tempDir } from '../helpers/foundation-cli.js';

const dirs: { remove: () => void }[] = [];
afterEach(async () => {
  await closeAllHandlers();
  for (const dir of dirs.splice(0)) dir.remove();
});

it('verify --start with the port already taken: fails at once, naming the port and the command', async () => {
  const seen: string[] = [];
  const stray = await listenTracked(createServer((req, res) => (seen.push(req.url ?? ''), req.resume(), res.end('stray'))));
  const run = await runCli(['verify', '-p', 'github', '-s', 's3cret', '-f', `${stray.url}/hooks`, '--start', 'node -e "setInterval(() => {}, 1000)"']);
  expectOneLineError(
    run,
    1,
    new RegExp(`^whcli: another process already listens on 127\\.0\\.0\\.1:${stray.port}: "node -e "setInterval\\(\\(\\) => \\{\\}, 1000\\)"" could not bind it, and the checks would run against that process; stop it, or leave out --start to check it$`),
  );
  expect(seen).toEqual([]);
});

it("verify checks only the config's events, as listen forwards only those", async () => {
  const seen: string[] = [];
  const handler = await listenTracked(
    createServer((req, res) => {
      seen.push(String(req.headers['x-github-event']));
      req.resume();
      res.writeHead(401).end();
    }),
  );
  const dir = tempDir();
  dirs.push(dir);
  await writeFile(join(dir.path, 'whcli.config.json'), JSON.stringify({ provider: 'github', forward: handler.url, secret: 's3cret', events: ['push'] }));
  const run = await runCli(['verify', '--reporter', 'json', '--checks', 'delivery'], { cwd: dir.path });
  const report = JSON.parse(run.stdout) as { results: { event: string }[] };
  expect([...new Set(report.results.map((r) => r.event))]).toEqual(['push']);
  expect(new Set(seen)).toEqual(new Set(['push']));
});
