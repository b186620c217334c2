/**
 * Text a sender controls (an event's type and id, a handler's answer) never reaches the terminal as
 * control characters: real `whcli listen`, `history` and `trigger` processes, an event whose type
 * holds escape sequences that would clear the screen, set the title and hide text.
 */
import { afterEach, expect, it } from 'vitest';
import { closeAllHandlers, startHandler } from '../helpers/http-handler.js';
import { makeHome, runCli, startCli, stopAllProcesses } from '../helpers/processes.js';
import { postEvent } from '../helpers/relay-client.js';

afterEach(async () => {
  await stopAllProcesses();
  await closeAllHandlers();
});

const HOSTILE_TYPE = 'invoice.paid\u001b[2J\u001b]0;owned\u0007\u001b[8mhidden\u009b31m\u007f';
const HOSTILE_ANSWER = 'nope\u001b[2J\u001b]52;c;Y2xpcGJvYXJk\u0007';
/** Any control character but the newline that ends each line. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

it('listen, history and history --json print a hostile event type escaped, never raw', async () => {
  const home = await makeHome();
  const handler = await startHandler(() => ({ status: 500, body: HOSTILE_ANSWER }));
  const listener = startCli(['listen', '--port', '0', '--no-inspect', '--forward', handler.url], home);
  const [, url] = await listener.waitFor(() => /Webhook URL\s+(\S+)/.exec(listener.stdout) ?? undefined, 'the banner');
  await postEvent(url!, JSON.stringify({ id: 'evt_\u001b[8mhidden', type: HOSTILE_TYPE }));
  await handler.waitForRequests(1);
  const line = await listener.waitFor(() => listener.stdout.split('\n').find((l) => l.includes('invoice.paid')), 'the delivery line');
  expect(line).toContain('invoice.paid\\e[2J\\e]0;owned\\u0007\\e[8mhidden\\u009b31m\\u007f');
  expect(line).toContain('evt_\\e[8mhidden');
  expect(line).toContain('nope\\e[2J\\e]52;c;Y2xpcGJvYXJk\\u0007');
  expect(listener.stdout).not.toMatch(CONTROL);
  expect(listener.stderr).not.toMatch(CONTROL);
  await listener.kill('SIGTERM');

  const history = await runCli(['history'], home);
  expect(history.code).toBe(0);
  expect(history.stdout).toContain('invoice.paid\\e[2J');
  expect(history.stdout).not.toMatch(CONTROL);

  // JSON keeps the value exact for programs, with every control character written as an escape.
  const json = await runCli(['history', '--json'], home);
  expect(json.stdout).not.toMatch(CONTROL);
  expect((JSON.parse(json.stdout) as { eventType: string }[])[0]!.eventType).toBe(HOSTILE_TYPE);
});

it('trigger prints a hostile handler answer escaped', async () => {
  const handler = await startHandler(() => ({ status: 500, body: HOSTILE_ANSWER }));
  const run = await runCli(['trigger', 'invoice.paid', '--provider', 'stripe', '--secret', 'whsec_x', '--forward', handler.url], await makeHome());
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('nope\\e[2J\\e]52;c;Y2xpcGJvYXJk\\u0007');
  expect(run.stdout + run.stderr).not.toMatch(CONTROL);
});
