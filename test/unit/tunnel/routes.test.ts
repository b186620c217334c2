import { describe, expect, it } from 'vitest';
import { builtinProviders } from '../../../src/providers/builtin.js';
import type { RelayEvent } from '../../../src/relay/protocol.js';
import { describeUnrouted, matchRoute, parseRouteFlag, type Route } from '../../../src/tunnel/routes.js';

const stripe = builtinProviders.find((p) => p.name === 'stripe')!;
const github = builtinProviders.find((p) => p.name === 'github')!;

function event(path: string, body: unknown, headers: [string, string][] = []): RelayEvent {
  return { seq: 1, id: 'e1', channel: 'c', receivedAt: 0, method: 'POST', path, query: '', headers, body: Buffer.from(JSON.stringify(body)) };
}

const route = (name: string, extra: Partial<Route>): Route => ({ name, forward: new URL('http://127.0.0.1:3000/'), resign: false, ...extra });

describe('parseRouteFlag', () => {
  it('reads name, path, event globs, forward and provider', () => {
    expect(parseRouteFlag('stripe:/stripe=3000/webhooks/stripe@stripe')).toEqual({ name: 'stripe', path: '/stripe', events: undefined, forward: '3000/webhooks/stripe', provider: 'stripe' });
    expect(parseRouteFlag('billing::invoice.*, charge.*=http://localhost:4000/b')).toEqual({ name: 'billing', path: undefined, events: ['invoice.*', 'charge.*'], forward: 'http://localhost:4000/b', provider: undefined });
    expect(parseRouteFlag('gh:/github/:push=4000@github')).toMatchObject({ path: '/github', events: ['push'], provider: 'github' });
  });

  it('keeps an @ that is part of the URL', () => {
    expect(parseRouteFlag('a:/a=http://user@host:3000/x')).toMatchObject({ forward: 'http://user@host:3000/x', provider: undefined });
  });

  it('says what is wrong', () => {
    expect(parseRouteFlag('stripe')).toMatch(/^expected NAME:/);
    expect(parseRouteFlag('bad name:/x=3000')).toMatch(/route name/);
    expect(parseRouteFlag('a:stripe=3000')).toMatch(/must start with "\/"/);
    expect(parseRouteFlag('a:/x=')).toMatch(/forward target/);
    expect(parseRouteFlag('a=3000')).toMatch(/path prefix, event globs or both/);
    expect(parseRouteFlag('a:/x:y:z=3000')).toMatch(/too many ":"/);
  });
});

describe('matchRoute', () => {
  const routes = [
    route('paid', { events: ['invoice.*'], provider: stripe }),
    route('stripe', { path: '/stripe', provider: stripe }),
    route('gh', { path: '/github', events: ['pull_request.*'], provider: github }),
  ];

  it('takes the first match, in order, and strips the path prefix', () => {
    expect(matchRoute(routes, event('/stripe', { type: 'invoice.paid' }))?.route.name).toBe('paid');
    const m = matchRoute(routes, event('/stripe/extra', { id: 'evt_1', type: 'customer.created' }))!;
    expect([m.route.name, m.event.path, m.info]).toEqual(['stripe', '/extra', { type: 'customer.created', eventId: 'evt_1' }]);
  });

  it('matches whole path segments only', () => {
    expect(matchRoute(routes, event('/stripes', { type: 'customer.created' }))).toBeUndefined();
  });

  it("reads the event type through the route's provider envelope", () => {
    const pr = event('/github', { action: 'opened' }, [['X-GitHub-Event', 'pull_request']]);
    expect(matchRoute(routes, pr)?.route.name).toBe('gh');
    expect(matchRoute(routes, event('/github', {}, [['X-GitHub-Event', 'push']]))).toBeUndefined();
  });

  it('says why nothing matched', () => {
    expect(describeUnrouted(routes, event('/paypal', { type: 'x.y' }))).toBe('no route matches path /paypal and event type x.y (routes: paid, stripe, gh)');
  });
});
