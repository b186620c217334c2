/**
 * Property tests for fixture templating (src/fixtures/template.ts) and --set paths
 * (src/fixtures/set-path.ts), and the two together in renderEvent: for arbitrary templates, fixture
 * data, paths and values the result is a JSON document or a UsageError, never another exception; what
 * is rendered and set is exactly what the model below predicts; and no input reaches Object.prototype.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { renderEvent } from '../../src/fixtures/render-event.js';
import { applySet, parsePath, parseValue } from '../../src/fixtures/set-path.js';
import { renderString, renderTemplate, type TemplateContext } from '../../src/fixtures/template.js';
import { builtinProviders } from '../../src/providers/builtin.js';
import { recordFigures } from '../helpers/reliability-report.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);
let inputsTried = 0;

const KNOWN = ['event', 'event.base', 'event.action', 'event_id', 'rand', 'RAND', 'digits', 'uuid', 'timestamp', 'timestamp_ms', 'iso'];

/** Keys that mean something to JavaScript objects: they must stay plain JSON keys. */
const TRICKY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '0', 'length'];

const keyArb = fc.oneof(fc.constantFrom(...TRICKY_KEYS), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));

/** Strings with {{tokens}}: known, unknown, spaced, unbalanced, and plain text around them. */
const templateString = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 10 }),
      fc.constantFrom(...KNOWN).map((t) => `{{${t}}}`),
      fc.tuple(fc.constantFrom(...KNOWN, 'data', 'nope', 'Event'), fc.constantFrom('', ' ', '  ', '\t')).map(([t, s]) => `{{${s}${t}${s}}}`),
      fc.constantFrom('{{', '}}', '{{}}', '{{ data }}', '{{data}}', '{{event', 'event}}', '{{{event}}}'),
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(''));

/** JSON documents whose strings are templates and whose keys include the tricky ones. */
const jsonTemplate: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    templateString,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 4 }).map((entries) => {
      // Built as JSON.parse would build it: "__proto__" is an own key, not the prototype.
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      return out;
    }),
  ),
})).value;

const ctxArb = fc.record({
  event: fc.string({ unit: 'binary', maxLength: 20 }),
  eventId: fc.string({ maxLength: 20 }),
  nowMs: fc.integer({ min: 0, max: 8_640_000_000_000 }),
});

function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, runs = RUNS): void {
  fc.assert(
    fc.property(arb, (value) => {
      inputsTried += 1;
      predicate(value);
    }),
    { numRuns: runs },
  );
}

/** Runs fn: its result, or the UsageError it threw; any other exception fails the property. */
function resultOrUsageError<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: UsageError } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (!(error instanceof UsageError)) throw new Error(`expected a result or a UsageError, got ${(error as Error)?.name}: ${(error as Error)?.message}`);
    expect(error.exitCode).toBe(2);
    expect(error.message).not.toBe('');
    return { ok: false, error };
  }
}

function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

afterEach(() => expectPrototypeUntouched());

/** What renderTemplate must produce, modelled with the token names and nothing else from src/. */
function modelShape(template: unknown, data: unknown, inData = false): unknown {
  if (typeof template === 'string') {
    if (/^\{\{\s*data\s*\}\}$/.test(template)) return inData ? 'string-or-number' : modelShape(data, undefined, true);
    return 'string-or-number';
  }
  if (Array.isArray(template)) return template.map((item) => modelShape(item, data, inData));
  if (template && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, modelShape(v, data, inData)]));
  }
  return template;
}

function shapeOf(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'number') return typeof value === 'number' && !Number.isInteger(value) ? value : 'string-or-number';
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  return value;
}

/** Every string in a JSON value, keys included. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...stringsIn(item)]);
}

/** Every object in a rendered document is a plain object or array: no key became a prototype. */
function expectPlain(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  expect(Object.getPrototypeOf(value)).toBe(Array.isArray(value) ? Array.prototype : Object.prototype);
  for (const item of Object.values(value)) expectPlain(item);
}

describe('fixture templating', () => {
  it('fills every known token in a string, refuses an unknown one, leaves everything else as written', () => {
    check(fc.record({ text: templateString, ctx: ctxArb }), ({ text, ctx }) => {
      const tokens = [...text.matchAll(/(\\?)\{\{\s*([A-Za-z_.]+)\s*\}\}/g)];
      // An unknown token is a mistake in the fixture: named in a UsageError, never sent as written.
      if (tokens.some(([, escaped, name]) => !escaped && name !== 'data' && !KNOWN.includes(name!))) {
        expect(() => renderString(text, ctx as TemplateContext)).toThrow(UsageError);
        return;
      }
      const out = renderString(text, ctx as TemplateContext);
      if (/^\{\{\s*(timestamp|timestamp_ms)\s*\}\}$/.test(text)) {
        expect(out).toBe(text.includes('timestamp_ms') ? ctx.nowMs : Math.floor(ctx.nowMs / 1000));
        return;
      }
      expect(typeof out).toBe('string');
      // {{data}} inside text and plain text survive; known tokens are replaced, so none is left where
      // the template had one (a filled value could itself contain braces only if the context did).
      for (const [whole, escaped, name] of tokens) if (!escaped && name === 'data') expect(out).toContain(whole);
      if (tokens.length === 0) expect(out).toBe(text);
      if (text.includes('{{event_id}}')) expect(out).toContain(ctx.eventId);
    });
  });

  it('renders any JSON template to a JSON document of the same shape, tricky keys kept as plain keys', () => {
    check(fc.record({ template: jsonTemplate, data: jsonTemplate, ctx: ctxArb }), ({ template, data, ctx }) => {
      let out: unknown;
      try {
        out = renderTemplate(template, { ...(ctx as TemplateContext), data });
      } catch (error) {
        // Refused only for an unknown token, which the template or the data then holds.
        expect(error).toBeInstanceOf(UsageError);
        // Matched on the strings themselves: JSON.stringify would write a tab inside braces as "\\t".
        expect(stringsIn([template, data]).some((text) => /\{\{\s*[A-Za-z_.]+\s*\}\}/.test(text))).toBe(true);
        return;
      }
      const text = JSON.stringify(out);
      if (out !== undefined) expect(() => JSON.parse(text)).not.toThrow();
      expect(shapeOf(out)).toEqual(shapeOf(modelShape(template, data)));
      expectPlain(out);
    });
  });
});

/** --set paths: valid ones built from segments, and arbitrary text. */
const segment = fc.oneof(fc.constantFrom(...TRICKY_KEYS, 'data', 'items', 'amount'), fc.stringMatching(/^[A-Za-z0-9_\-$é]{1,8}$/));
const validPath = fc
  .tuple(segment, fc.array(fc.oneof(segment.map((s) => `.${s}`), fc.nat({ max: 3 }).map((n) => `[${n}]`)), { maxLength: 4 }))
  .map(([first, rest]) => first + rest.join(''));
const valueText = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)));
const assignment = fc.oneof(
  fc.tuple(validPath, valueText).map(([p, v]) => `${p}=${v}`),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 12 }), valueText).map(([p, v]) => `${p}=${v}`),
);

/** Reads own properties only, the way a JSON consumer sees the document. */
function readOwn(doc: unknown, parts: (string | number)[]): unknown {
  let node = doc;
  for (const part of parts) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

describe('--set paths', () => {
  it('parses any value text without throwing', () => {
    check(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      const value = parseValue(text);
      expect(value === text || JSON.stringify(value) !== undefined).toBe(true);
    });
  });

  it('applies any assignment to any document, or refuses it with a UsageError; a set value reads back', () => {
    check(fc.record({ doc: jsonTemplate, sets: fc.array(assignment, { minLength: 1, maxLength: 4 }) }), ({ doc, sets }) => {
      const target = structuredClone(doc);
      for (const set of sets) {
        const outcome = resultOrUsageError(() => applySet(target, set));
        if (!outcome.ok) {
          expect(outcome.error.code).toBe('WHCLI_ERR_BAD_SET_PATH');
          continue;
        }
        const eq = set.indexOf('=');
        const parts = parsePath(set.slice(0, eq).trim());
        expect(readOwn(target, parts)).toEqual(parseValue(set.slice(eq + 1)));
      }
      expect(() => JSON.parse(JSON.stringify(target) ?? 'null')).not.toThrow();
      expectPrototypeUntouched();
    });
  });
});

describe('renderEvent: a provider envelope, fixture data and --set together', () => {
  // Form-encoded providers (Twilio, Mailgun routes, Slack interactivity) send no JSON body.
  const providers = builtinProviders.filter((p) => p.envelope.format !== 'form');

  it('gives a JSON body or a UsageError for any fixture and any --set list', () => {
    check(
      fc.record({ provider: fc.constantFrom(...providers), event: fc.string({ maxLength: 20 }), fixture: jsonTemplate, sets: fc.array(assignment, { maxLength: 3 }) }),
      ({ provider, event, fixture, sets }) => {
        const outcome = resultOrUsageError(() => renderEvent(provider, event, fixture, { set: sets, nowMs: 1_700_000_000_000 }));
        if (!outcome.ok) return;
        const rendered = outcome.value;
        expect(Buffer.isBuffer(rendered.body)).toBe(true);
        expect(() => JSON.parse(rendered.body.toString('utf8'))).not.toThrow();
        expect(typeof rendered.eventId).toBe('string');
        for (const value of Object.values(rendered.headers)) expect(typeof value).toBe('string');
      },
    );
    recordFigures('property', 'fixtures', { inputs: inputsTried });
  });
});
