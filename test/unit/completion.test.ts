/**
 * The completion spec is read from the commander program itself, so a command added anywhere
 * completes in every shell without touching the completion code.
 */
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { completionSpec } from '../../src/cli-setup.js';
import { completionScript, SHELLS } from '../../src/commands/completion.js';

const program = () => buildProgram({ signal: new AbortController().signal });

describe('completionSpec', () => {
  it('reads commands, flags, value kinds and choices from the program', () => {
    const spec = completionSpec(program());
    const trigger = spec.commands.find((c) => c.name === 'trigger')!;
    expect(trigger.argument).toBe('event');
    expect(trigger.options.find((o) => o.long === '--provider')).toMatchObject({ short: '-p', value: 'provider' });
    expect(trigger.options.find((o) => o.long === '--dry-run')).toMatchObject({ value: 'none' });
    expect(trigger.options.find((o) => o.long === '--config')).toMatchObject({ value: 'file' });
    const verify = spec.commands.find((c) => c.name === 'verify')!;
    expect(verify.options.find((o) => o.long === '--reporter')!.value).toEqual({ choices: ['pretty', 'json', 'junit'] });
    expect(spec.commands.find((c) => c.name === 'completion')!.argument).toEqual({ choices: ['bash', 'zsh', 'fish', 'powershell'] });
    expect(spec.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--help', '--version']));
  });

  it('includes a command added to the program, with its flags, in every shell', () => {
    const extended = program();
    extended.command('brand-new').description("a command nobody told completion about, it's new").option('--shiny <level>', 'how [very] shiny');
    const spec = completionSpec(extended);
    for (const shell of SHELLS) {
      const script = completionScript(shell, spec);
      expect(script, shell).toContain('brand-new');
      expect(script, shell).toMatch(/--shiny|-l shiny/);
    }
  });
});
