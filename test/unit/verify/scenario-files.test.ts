import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findScenario, listScenarios, renderScenario } from '../../../src/fixtures/scenario.js';
import { laabam } from '../../../src/providers/catalogue/laabam.js';

const root = mkdtempSync(join(tmpdir(), 'whcli-scenarios-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Laabam with its fixtures copied next to a scenarios folder of the test's own. */
function providerWith(files: Record<string, unknown>) {
  const dir = mkdtempSync(join(root, 'p-'));
  mkdirSync(join(dir, 'scenarios'));
  for (const event of laabam.events) writeFileSync(join(dir, `${event.name}.json`), JSON.stringify({ invoice_id: 'inv_{{rand}}', amount: 500 }));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, 'scenarios', name), typeof content === 'string' ? content : JSON.stringify(content));
  return { ...laabam, fixturesDir: dir };
}

describe('scenario files', () => {
  it('links copy values from earlier steps, set writes fixed ones, and "123" stays a string', async () => {
    const provider = providerWith({
      'flow.json': {
        name: 'flow',
        steps: [
          { event: 'invoice.created', as: 'a', set: { 'data.ref': '123' } },
          { event: 'invoice.paid', link: { 'data.invoice_id': 'a.data.invoice_id', 'data.ref': 'a.data.ref' }, set: { 'data.amount': 700 } },
        ],
      },
    });
    const steps = await renderScenario(await findScenario('flow', provider), provider);
    const [first, second] = steps.map((s) => JSON.parse(s.rendered.body.toString()));
    expect(second.data.invoice_id).toBe(first.data.invoice_id);
    expect(second.data).toMatchObject({ ref: '123', amount: 700 });
    expect(steps[0]!.rendered.eventId).not.toBe(steps[1]!.rendered.eventId);
  });

  it.each([
    ['a name unlike its file', { 'x.json': { name: 'y', steps: [{ event: 'invoice.paid' }] } }, 'x', /name "y" differs from the file name/],
    ['an unknown event', { 'x.json': { name: 'x', steps: [{ event: 'invoice.payed' }] } }, 'x', /step 1: laabam has no event "invoice\.payed" \(did you mean "invoice\.paid"\?\)/],
    ['an unknown key', { 'x.json': { name: 'x', steps: [{ event: 'invoice.paid', links: {} }] } }, 'x', /scenario .*x\.json: steps\.0: Unrecognized key/],
    ['bad JSON', { 'x.json': '{' }, 'x', /scenario .*x\.json: /],
  ])('%s is a clear error naming the file', async (_what, files, name, message) => {
    const provider = providerWith(files);
    await expect(findScenario(name, provider)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });

  it('a provider without a scenarios folder has none, and says where to add one', async () => {
    expect(await listScenarios({ ...laabam, fixturesDir: join(root, 'none') })).toEqual([]);
    await expect(findScenario('x', { ...laabam, fixturesDir: join(root, 'none') })).rejects.toMatchObject({
      message: expect.stringMatching(/laabam has no scenarios \(add .*none\/scenarios\/x\.json\)\.$/),
    });
  });
});
