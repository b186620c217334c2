import type { ProviderSpec } from '../types.js';

const event = (name: string, description: string) => ({ name, description });

export const lehjah: ProviderSpec = {
  name: 'lehjah',
  title: 'Lehjah',
  docs: 'shared/seeds/lehjah-webhooks.txt',
  scheme: { type: 'hmac', algorithm: 'sha256', encoding: 'hex', header: 'x-lehjah-signature' },
  envelope: {
    template: { event: '{{event}}', data: '{{data}}' },
    typeFrom: { path: 'event' },
    idFrom: { path: 'data.id' },
    idTemplate: '{{uuid}}',
  },
  timeoutMs: 30_000,
  retries: [
    { delay: '1m', count: 1 },
    { delay: '5m', count: 1 },
    { delay: '30m', count: 1 },
    { delay: '2h', count: 1 },
    { delay: '5h', count: 1 },
  ],
  events: [
    event('NEW_BUSINESS', 'A new business is registered or created'),
    event('NEW_SUBSCRIPTION', 'A business subscribes to a plan'),
    event('SUBSCRIPTION_REQUEST', 'A business requests to be subscribed to a plan'),
    event('SUBSCRIPTION_EXPIRED', "A business's subscription expires"),
    event('NEW_TRANSACTION_CREATED', 'A new single bank transaction is created'),
    event('TRANSACTION_UPDATED', 'A single bank transaction is updated'),
    event('TRANSACTION_DELETED', 'A single bank transaction is deleted'),
    event('RECORD_CREATED', 'A new record (invoice, bill, restock) is created'),
    event('RECORD_UPDATED', 'A record is updated'),
    event('RECORD_DELETED', 'A record is deleted'),
    event('INVENTORY_ITEM_CREATED', 'A new inventory item (e.g. a product) is created'),
    event('INVENTORY_ITEM_UPDATED', 'An inventory item is updated'),
    event('INVENTORY_ITEM_DELETED', 'An inventory item is deleted'),
  ],
  notes: [
    'The doc names neither a signature header nor a scheme: whcli sends x-lehjah-signature with lower-case hex HMAC-SHA256 of the raw body, as the sibling providers do. Override with a "lehjah" provider in whcli.config.json.',
    'The doc promises "industry-standard" retries without a schedule or timeout: whcli assumes 1m, 5m, 30m, 2h, 5h and 30 s.',
  ],
};
