import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { builtinProviders } from '../../../src/providers/builtin.js';
import { Catalogue, nearestNames } from '../../../src/providers/catalogue.js';
import { thrown } from '../../helpers/thrown.js';

const catalogue = new Catalogue(builtinProviders);
const allEvents = [...new Set(builtinProviders.flatMap((p) => p.events.map((e) => e.name)))];

const usageError = (fn: () => unknown) => thrown(UsageError, fn);

describe('nearestNames', () => {
  it('puts the closest name first', () => {
    expect(nearestNames('invoice.pad', allEvents)[0]).toBe('invoice.paid');
    expect(nearestNames('pull_request.open', allEvents)[0]).toBe('pull_request.opened');
    expect(nearestNames('strpe', builtinProviders.map((p) => p.name))).toEqual(['stripe']);
  });

  it('ignores case', () => {
    expect(nearestNames('new_business', allEvents)[0]).toBe('NEW_BUSINESS');
    expect(nearestNames('Invoice.Paid', ['invoice.paid'])).toEqual(['invoice.paid']);
  });

  it('prefers names that contain the input', () => {
    const near = nearestNames('pull_request', allEvents);
    expect(near).toHaveLength(3);
    for (const name of near) expect(name).toMatch(/^pull_request\./);
    // Same edit distance (1) to both: the one containing the input wins.
    expect(nearestNames('order', ['older', 'orders'])).toEqual(['orders', 'older']);
  });

  it('returns at most `limit` names, and nothing for far-off input', () => {
    expect(nearestNames('charge', allEvents, 2)).toHaveLength(2);
    expect(nearestNames('zzzzzzzzzzzzzzzz', allEvents)).toEqual([]);
    expect(nearestNames('x', [])).toEqual([]);
  });

  it('does not reorder the list it is given', () => {
    const names = ['b', 'a', 'c'];
    nearestNames('a', names);
    expect(names).toEqual(['b', 'a', 'c']);
  });
});

describe('Catalogue.provider', () => {
  it('finds a provider case-insensitively', () => {
    expect(catalogue.provider('stripe').name).toBe('stripe');
    expect(catalogue.provider('GitHub').name).toBe('github');
  });

  it('suggests the nearest provider for a typo', () => {
    const error = usageError(() => catalogue.provider('strpe'));
    expect(error.code).toBe('WHCLI_ERR_UNKNOWN_PROVIDER');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('unknown provider "strpe". Did you mean "stripe"?');
  });

  it('lists the known providers when nothing is close', () => {
    const error = usageError(() => catalogue.provider('mailchimp-transactional'));
    expect(error.message).toMatch(/^unknown provider "mailchimp-transactional"\. Known: /);
    for (const p of builtinProviders) expect(error.message).toContain(p.name);
  });
});

describe('Catalogue.resolveEvent', () => {
  it.each([
    ['workflow_run.completed', 'github'],
    ['pull_request.opened', 'github'],
    ['payment_intent.succeeded', 'stripe'],
    ['orders/create', 'shopify'],
    ['app_mention', 'slack'],
    ['NEW_BUSINESS', 'lehjah'],
    ['customer.wallet.balance.updated', 'lava'],
    ['payment.refunded', 'hackmamba'],
    ['transfer.reversed', undefined],
  ])('infers the provider of %s when only one has it', (eventName, owner) => {
    const owners = builtinProviders.filter((p) => p.events.some((e) => e.name === eventName)).map((p) => p.name);
    if (owner === undefined) {
      expect(owners.length).toBeGreaterThan(1);
      return;
    }
    expect(owners).toEqual([owner]);
    const { provider, event } = catalogue.resolveEvent(eventName);
    expect(provider.name).toBe(owner);
    expect(event.name).toBe(eventName);
  });

  it('lists every candidate for an ambiguous event', () => {
    const error = usageError(() => catalogue.resolveEvent('invoice.paid'));
    expect(error.code).toBe('WHCLI_ERR_AMBIGUOUS_EVENT');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('event "invoice.paid" exists for several providers (laabam, standard-webhooks, stripe): pick one with --provider.');
  });

  it('resolves an ambiguous event once the provider is named', () => {
    for (const name of ['laabam', 'standard-webhooks', 'stripe']) {
      expect(catalogue.resolveEvent('invoice.paid', name).provider.name).toBe(name);
    }
  });

  it('suggests nearest names for an unknown event', () => {
    const error = usageError(() => catalogue.resolveEvent('invoice.pad'));
    expect(error.code).toBe('WHCLI_ERR_UNKNOWN_EVENT');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^unknown event "invoice\.pad"\. Did you mean "invoice\.paid"/);
    expect(error.message).toContain('Run "whcli events" to list them.');
  });

  it("suggests among the named provider's events only", () => {
    const error = usageError(() => catalogue.resolveEvent('charge.succes', 'lahza'));
    expect(error.message).toMatch(/^unknown event "charge\.succes" for provider lahza\. Did you mean "charge\.success"/);
    expect(error.message).not.toContain('charge.succeeded');
    expect(error.message).toContain('Run "whcli events --provider lahza"');
  });

  it('is exact about event names (they are case-sensitive ids)', () => {
    expect(() => catalogue.resolveEvent('new_business')).toThrow(/Did you mean "NEW_BUSINESS"/);
  });

  it('fails on an unknown provider before looking at the event', () => {
    expect(usageError(() => catalogue.resolveEvent('push', 'bitbucket')).code).toBe('WHCLI_ERR_UNKNOWN_PROVIDER');
  });
});
