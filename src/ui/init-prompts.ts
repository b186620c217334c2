import { checkbox, confirm, input, password, select } from '@inquirer/prompts';
import type { InitPrompter, SecretAnswer } from '../commands/init.js';
import { WhcliError } from '../errors.js';
import { describeScheme } from '../signing/index.js';

/**
 * `whcli init`'s questions as inquirer prompts on the terminal. Ctrl-C (or the program's abort
 * signal) at any of them becomes a clean "interrupted" exit, 130, with nothing written.
 */
export function createInitPrompter(options: { signal?: AbortSignal; output?: NodeJS.WritableStream } = {}): InitPrompter {
  const context = { signal: options.signal, output: options.output };

  async function ask<T>(prompt: Promise<T>): Promise<T> {
    try {
      return await prompt;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError') {
        throw new WhcliError('WHCLI_ERR_INTERRUPTED', 'init cancelled: nothing written', 130);
      }
      throw error;
    }
  }

  return {
    overwrite: (path) => ask(confirm({ message: `${path} exists. Overwrite it?`, default: false }, context)),

    provider: (providers, current) =>
      ask(
        select(
          {
            message: 'Provider',
            choices: providers.map((p) => ({
              value: p.name,
              name: p.title && p.title !== p.name ? `${p.name} (${p.title})` : p.name,
              description: `${describeScheme(p.scheme)}, ${p.events.length} events`,
            })),
            default: current,
            pageSize: 12,
          },
          context,
        ),
      ),

    forward: (suggested, check) =>
      ask(
        input(
          {
            message: 'Your handler (port, host:port/path or URL)',
            default: suggested,
            validate: (text) => check(text) ?? true,
          },
          context,
        ),
      ),

    events: async (provider, current) => {
      const which = await ask(
        select(
          {
            message: 'Events',
            choices: [
              { value: 'all', name: `all ${provider.events.length} event types` },
              { value: 'some', name: 'choose some' },
            ],
            default: current ? 'some' : 'all',
          },
          context,
        ),
      );
      if (which === 'all') return 'all';
      return ask(
        checkbox(
          {
            message: 'Which events? (space selects, enter confirms)',
            choices: provider.events.map((e) => ({ value: e.name, name: e.name, checked: current?.includes(e.name) ?? false })),
            required: true,
            pageSize: 14,
          },
          context,
        ),
      );
    },

    secret: async (provider): Promise<SecretAnswer> => {
      const how = await ask(
        select(
          {
            message: 'Signing secret',
            choices: [
              { value: 'generate', name: 'generate a random one', description: 'then give it to your handler as its webhook secret' },
              { value: 'paste', name: `paste the one ${provider.title || provider.name} gave you` },
            ],
          },
          context,
        ),
      );
      if (how === 'generate') return { generate: true };
      const secret = await ask(
        password({ message: 'Secret', mask: true, validate: (text) => (text.trim() ? true : 'the secret is empty') }, context),
      );
      return { generate: false, secret: secret.trim() };
    },
  };
}
