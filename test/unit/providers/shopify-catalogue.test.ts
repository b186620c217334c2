/**
 * Shopify's mandatory compliance topics carry the bodies Shopify's privacy-law docs publish, and
 * the shop they name is the shop in X-Shopify-Shop-Domain.
 */
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../src/fixtures/load.js';
import { renderEvent } from '../../../src/fixtures/render-event.js';
import { shopify } from '../../../src/providers/catalogue/shopify.js';

const render = async (topic: string) => {
  const rendered = renderEvent(shopify, topic, await loadFixture(shopify, topic));
  return { headers: rendered.headers, body: JSON.parse(rendered.body.toString('utf8')) as Record<string, unknown> };
};

describe('Shopify compliance topics', () => {
  it('are all in the catalogue', () => {
    const names = shopify.events.map((e) => e.name);
    for (const topic of ['customers/data_request', 'customers/redact', 'shop/redact']) expect(names).toContain(topic);
  });

  it.each([
    ['customers/data_request', ['shop_id', 'shop_domain', 'orders_requested', 'customer', 'data_request']],
    ['customers/redact', ['shop_id', 'shop_domain', 'customer', 'orders_to_redact']],
    ['shop/redact', ['shop_id', 'shop_domain']],
  ])('%s: exactly the documented fields', async (topic, keys) => {
    const { headers, body } = await render(topic);
    expect(Object.keys(body)).toEqual(keys);
    expect(typeof body.shop_id).toBe('number');
    expect(body.shop_domain).toBe(headers['X-Shopify-Shop-Domain']);
    expect(headers['X-Shopify-Topic']).toBe(topic);
    if (body.customer) expect(Object.keys(body.customer as object)).toEqual(['id', 'email', 'phone']);
    for (const list of ['orders_requested', 'orders_to_redact']) if (list in body) for (const id of body[list] as unknown[]) expect(typeof id).toBe('number');
    if (body.data_request) expect(typeof (body.data_request as { id: unknown }).id).toBe('number');
  });
});
