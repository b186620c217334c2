/**
 * `whcli completion bash|zsh|fish` through the real CLI, and the scripts run by the real shells:
 * bash computes COMPREPLY for typed lines, fish answers `complete -C`, zsh parses and registers it.
 * Provider and event names come from a `whcli` on PATH, as they would for a user.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectOneLineError, runCli, tempDir } from '../helpers/foundation-cli.js';

const has = (shell: string) => spawnSync(shell, ['-c', 'true'], { stdio: 'ignore' }).status === 0;

let dir: ReturnType<typeof tempDir>;
const scripts: Record<string, string> = {};
let commands: string[];

beforeAll(async () => {
  dir = tempDir('whcli-completion-');
  // The `whcli` the scripts call back for provider and event names.
  const shim = join(dir.path, 'whcli');
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(shim, 0o755);
  for (const shell of ['bash', 'zsh', 'fish']) {
    const run = await runCli(['completion', shell]);
    expect(run.code, run.stderr).toBe(0);
    scripts[shell] = run.stdout;
    writeFileSync(join(dir.path, `whcli.${shell}`), run.stdout);
  }
  const help = await runCli(['--help']);
  commands = [...help.stdout.split('Commands:')[1]!.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!);
});
afterAll(() => dir?.remove());

/** Runs a shell with the shim first on PATH. */
async function shell(program: string, args: string[]): Promise<string> {
  const env = { ...process.env, PATH: `${dir.path}:${process.env.PATH}`, WHCLI_HOME: dir.path, NO_COLOR: '1' };
  const { stdout } = await promisify(execFile)(program, args, { cwd: dir.path, env, timeout: 20_000 });
  return stdout;
}

describe('whcli completion', () => {
  it('names every command the program has, in every shell', () => {
    expect(commands).toEqual(expect.arrayContaining(['trigger', 'listen', 'verify', 'init', 'completion']));
    for (const script of Object.values(scripts)) for (const command of commands) expect(script).toContain(command);
  });

  it('refuses an unknown shell: exit 2, one line', async () => {
    const run = await runCli(['completion', 'tcsh']);
    expectOneLineError(run, 2, /tcsh.*bash, zsh, fish/);
  });

  it.skipIf(!has('bash'))('bash: commands, flags, flag values and event names', async () => {
    const lines: [string[], string][] = [
      [['whcli', 'tr'], 'trigger'],
      [['whcli', 'trigger', '--dr'], '--dry-run'],
      [['whcli', 'trigger', 'invoice.p'], 'invoice.paid invoice.payment_failed invoice.payment_made'],
      [['whcli', 'trigger', '-p', 'github', '--dry-run', 'pull_request.'], 'pull_request.closed pull_request.opened pull_request.synchronize'],
      [['whcli', 'trigger', '--provider', 'stri'], 'stripe'],
      [['whcli', 'verify', '--reporter', 'j'], 'json junit'],
      [['whcli', 'completion', 'z'], 'zsh'],
      [['whcli', 'init', '--gen'], '--generate-secret'],
      [['whcli', 'trigger', 'push', 'pu'], ''],
    ];
    const quote = (word: string) => `'${word}'`;
    const program = [
      `source ${quote(join(dir.path, 'whcli.bash'))}`,
      'line() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _whcli; echo "${COMPREPLY[*]}"; }',
      ...lines.map(([words]) => `line ${words.map(quote).join(' ')}`),
    ].join('\n');
    const out = (await shell('bash', ['-c', program])).split('\n');
    lines.forEach(([words, expected], i) => expect(out[i], words.join(' ')).toBe(expected));
  });

  it.skipIf(!has('fish'))('fish: complete -C gives commands, flags and event names', async () => {
    const complete = async (line: string) =>
      (await shell('fish', ['--no-config', '-c', `source ${join(dir.path, 'whcli.fish')}; complete -C '${line}'`]))
        .split('\n')
        .filter(Boolean)
        .map((entry) => entry.split('\t')[0]);
    expect(await complete('whcli tri')).toEqual(['trigger']);
    expect(await complete('whcli trigger --dry')).toEqual(['--dry-run']);
    expect(await complete('whcli trigger -p stripe invoice.p')).toEqual(['invoice.paid', 'invoice.payment_failed']);
    expect(await complete('whcli verify --reporter ')).toEqual(['json', 'junit', 'pretty']);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses and registers _whcli for whcli', async () => {
    const file = join(dir.path, 'whcli.zsh');
    await shell('zsh', ['-n', file]);
    const out = await shell('zsh', ['-fc', `autoload -U compinit && compinit -u -D && source ${file} && print -r -- $_comps[whcli]`]);
    expect(out.trim()).toBe('_whcli');
  });
});
