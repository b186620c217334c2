/**
 * `whcli completion bash|zsh|fish|powershell` through the real CLI, and the scripts run by the real shells:
 * bash computes COMPREPLY for typed lines, fish answers `complete -C`, zsh parses and registers it.
 * PowerShell (not packaged by Debian) is checked by the script's structure, and run when `pwsh` exists.
 * Provider and event names come from a `whcli` on PATH, as they would for a user.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectOneLineError, runCli, tempDir } from '../helpers/foundation-cli.js';
import { stripe } from '../../src/providers/catalogue/stripe.js';

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
  for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
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
      [['whcli', 'trigger', 'invoice.payment_s'], 'invoice.payment_succeeded'],
      [['whcli', 'trigger', '-p', 'github', '--dry-run', 'pull_request.re'], 'pull_request.ready_for_review pull_request.reopened pull_request.review_request_removed pull_request.review_requested'],
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
    expect(await complete('whcli trigger -p stripe invoice.payment_')).toEqual(
      stripe.events.map((e) => e.name).filter((name) => name.startsWith('invoice.payment_')).sort(),
    );
    expect(await complete('whcli verify --reporter ')).toEqual(['json', 'junit', 'pretty']);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses and registers _whcli for whcli', async () => {
    const file = join(dir.path, 'whcli.zsh');
    await shell('zsh', ['-n', file]);
    const out = await shell('zsh', ['-fc', `autoload -U compinit && compinit -u -D && source ${file} && print -r -- $_comps[whcli]`]);
    expect(out.trim()).toBe('_whcli');
  });

  describe('powershell', () => {
    /** The delimiters of a PowerShell script, outside strings and comments, must pair up. */
    function unbalanced(script: string): string | undefined {
      const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
      const stack: string[] = [];
      for (let i = 0; i < script.length; i++) {
        const ch = script[i]!;
        if (ch === '#') i = script.indexOf('\n', i) < 0 ? script.length : script.indexOf('\n', i);
        else if (ch === "'") {
          // '' inside a single-quoted string is a quote.
          for (i++; i < script.length && !(script[i] === "'" && script[i + 1] !== "'"); i += script[i] === "'" ? 2 : 1);
        } else if (ch === '"') for (i++; i < script.length && script[i] !== '"'; i++);
        else if ('({['.includes(ch)) stack.push(ch);
        else if (pairs[ch] && stack.pop() !== pairs[ch]) return `unexpected ${ch} at offset ${i}`;
      }
      return stack.length ? `unclosed ${stack.join('')}` : undefined;
    }

    /** The block of one command in the script's table. */
    const block = (command: string) => {
      const start = scripts.powershell!.indexOf(`  '${command}' = @{`);
      expect(start, command).toBeGreaterThan(0);
      return scripts.powershell!.slice(start, scripts.powershell!.indexOf('\n  }', start));
    };

    it('registers a native completer for whcli, with balanced delimiters', () => {
      const script = scripts.powershell!;
      expect(script).toContain('Register-ArgumentCompleter -Native -CommandName whcli -ScriptBlock {');
      expect(script).toContain('param($wordToComplete, $commandAst, $cursorPosition)');
      expect(script).toContain('[System.Management.Automation.CompletionResult]::new(');
      expect(unbalanced(script)).toBeUndefined();
      // The checker itself: a quoted delimiter does not count, an unclosed one does.
      expect(unbalanced("@('it''s)', (1)")).toBe('unclosed (');
    });

    it('lists every command with every flag the CLI has, and what each value completes to', async () => {
      for (const command of commands.filter((c) => c !== 'help')) {
        const help = await runCli([command, '--help']);
        const flags = [...help.stdout.matchAll(/^ {2}(?:(-\w), )?(--[a-z-]+)/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean) as string[];
        const text = block(command);
        for (const flag of flags) expect(text, `${command} ${flag}`).toContain(`'${flag}'`);
      }
      expect(block('trigger')).toContain("Argument = 'event'");
      expect(block('trigger')).toContain("@{ Flags = @('-p', '--provider'); Value = 'provider';");
      expect(block('completion')).toContain("Argument = @('bash', 'zsh', 'fish', 'powershell')");
      expect(block('verify')).toContain("@{ Flags = @('--reporter'); Value = @('pretty', 'json', 'junit');");
      // Provider and event names are asked of whcli itself, so a config file's providers complete too.
      expect(scripts.powershell).toContain("$arguments = @('events', '--json')");
      expect(scripts.powershell).toContain('& whcli @arguments 2>$null | Out-String | ConvertFrom-Json');
    });

    it.skipIf(!has('pwsh'))('pwsh: TabExpansion2 completes commands and event names', async () => {
      const file = join(dir.path, 'whcli.powershell');
      const complete = async (line: string) =>
        (await shell('pwsh', ['-NoProfile', '-Command', `. '${file}'; (TabExpansion2 -inputScript '${line}' -cursorColumn ${line.length}).CompletionMatches.CompletionText`]))
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean);
      expect(await complete('whcli tri')).toEqual(['trigger']);
      expect(await complete('whcli trigger -p stripe invoice.p')).toEqual(['invoice.paid', 'invoice.payment_failed']);
    });
  });
});
