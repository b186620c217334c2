/**
 * Every Stripe event as whcli renders it, type-checked against the `stripe` package's own types:
 * a generated .ts file assigns each rendered event to `Extract<Stripe.Event, { type }>`, and tsc
 * must accept it. A wrong field type, a missing required field, an unknown field or a data.object
 * of the wrong kind fails here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../src/fixtures/load.js';
import { renderEvent } from '../../src/fixtures/render-event.js';
import { stripe } from '../../src/providers/catalogue/stripe.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'whcli-stripe-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The event type per name, as it travels: the SDK types decimal fields as its Decimal class, which
 * JSON carries as a string ("2000"), so Wire<> reads Decimal as string and keeps the rest as is.
 */
const HEADER = `import type Stripe from 'stripe';
type Wire<T> = T extends string | number | boolean | null | undefined ? T : T extends Stripe.Decimal ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
type E<T extends Stripe.Event['type']> = Wire<Extract<Stripe.Event, { type: T }>>;`;

/** The type errors tsc reports for a file of rendered events, one "file(line,col): error" per line. */
function typeErrors(source: string): string[] {
  writeFileSync(join(dir, 'events.ts'), source);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: [],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        baseUrl: dir,
        paths: { stripe: [join(ROOT, 'node_modules/stripe/esm/stripe.esm.node.d.ts')] },
      },
      files: ['events.ts'],
    }),
  );
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    return [];
  } catch (error) {
    return String((error as { stdout?: string }).stdout).split('\n').filter((line) => line.includes('error'));
  }
}

async function renderedEvents(): Promise<string> {
  const lines = [HEADER];
  for (const [index, event] of stripe.events.entries()) {
    const rendered = renderEvent(stripe, event.name, await loadFixture(stripe, event.name));
    lines.push(`// ${event.name}`, `export const e${index}: E<${JSON.stringify(event.name)}> = ${rendered.body.toString('utf8')};`);
  }
  return `${lines.join('\n')}\n`;
}

describe('Stripe fixtures against the stripe package types', () => {
  it('renders every event the package lists, each assignable to its Stripe.Event type', { timeout: 300_000 }, async () => {
    const source = await renderedEvents();
    const errors = typeErrors(source);
    // Name the event of each error: the line above the failing assignment says which.
    const lines = source.split('\n');
    const named = errors.map((error) => {
      const line = Number(/\((\d+),/.exec(error)?.[1] ?? 0);
      let at = line - 1;
      while (at > 0 && !lines[at]!.startsWith('// ')) at--;
      return `${lines[at]} ${error.replace(/^[^:]*: /, '')}`;
    });
    expect(named).toEqual([]);
  });

  it('fails on a wrong shape: the check is real', { timeout: 120_000 }, () => {
    const errors = typeErrors(
      [
        HEADER,
        "export const bad: E<'invoice.paid'>['data'] = { object: { id: 'in_1', object: 'charge', amount_due: '1000' } };",
      ].join('\n'),
    );
    expect(errors.length).toBeGreaterThan(0);
  });
});
