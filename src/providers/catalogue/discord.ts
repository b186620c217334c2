import type { ProviderSpec } from '../types.js';

export const discord: ProviderSpec = {
  name: 'discord',
  title: 'Discord (interactions endpoint)',
  docs: 'https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers',
  scheme: {
    type: 'asymmetric',
    algorithm: 'ed25519',
    header: 'X-Signature-Ed25519',
    timestampHeader: 'X-Signature-Timestamp',
    payload: '{timestamp}{body}',
    encoding: 'hex',
    publicKeyFormat: 'raw-hex',
  },
  envelope: {
    template: '{{data}}',
    typeFrom: { path: 'type', names: { 1: 'PING', 2: 'APPLICATION_COMMAND', 3: 'MESSAGE_COMPONENT', 4: 'APPLICATION_COMMAND_AUTOCOMPLETE', 5: 'MODAL_SUBMIT' } },
    idFrom: { path: 'id' },
    idTemplate: '{{digits}}{{digits}}',
  },
  headers: { 'User-Agent': 'Discord-Interactions/1.0 (+https://discord.com)' },
  timeoutMs: 3_000,
  retries: [],
  events: [
    { name: 'PING', description: 'Type 1: the endpoint check Discord sends when the URL is saved (answer {"type": 1})' },
    { name: 'APPLICATION_COMMAND', description: 'A slash command was used (type 2)' },
    { name: 'MESSAGE_COMPONENT', description: 'A button or select menu was used (type 3)' },
    { name: 'APPLICATION_COMMAND_AUTOCOMPLETE', description: 'A command option is being typed (type 4)' },
    { name: 'MODAL_SUBMIT', description: 'A modal was submitted (type 5)' },
  ],
  notes: [
    'Signed with Ed25519 over timestamp + body; the handler holds the application public key. whcli signs with its own key pair: give the handler `whcli keys show discord` (hex) as its public key.',
    'Discord sends the body as the interaction itself; the event name is the interaction type as Discord\'s InteractionType names it ("type": 1 is PING).',
    'Discord needs an answer within 3 seconds (the initial response) and does not retry an interaction.',
    'When the URL is saved Discord sends a PING and also one request with a bad signature, which must be refused (`whcli verify` covers both).',
  ],
};
