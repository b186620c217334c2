#!/usr/bin/env node
// An example webhook handler, written as a provider's docs say, with nothing from whcli:
// it verifies Stripe-style signatures by hand, rejects bad ones with 400, and answers 200.
//   node examples/handler.mjs [--port 3000] [--secret whsec_demo]
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '3000' }, secret: { type: 'string', default: 'whsec_demo' } },
});
const TOLERANCE_SEC = 300;
const seen = new Set();

function verifyStripeSignature(rawBody, header, secret) {
  if (!header) return 'missing Stripe-Signature';
  const pairs = header.split(',').map((part) => part.split('='));
  const timestamp = Number(pairs.find(([k]) => k === 't')?.[1]);
  const signatures = pairs.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (!timestamp || signatures.length === 0) return 'malformed Stripe-Signature';
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  const match = signatures.some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), Buffer.from(expected)));
  if (!match) return 'signature does not match';
  if (Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SEC) return 'timestamp outside tolerance';
  return undefined;
}

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const problem = verifyStripeSignature(body, req.headers['stripe-signature'], values.secret);
  if (problem) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: problem }));
    return;
  }
  const event = JSON.parse(body.toString('utf8'));
  const duplicate = seen.has(event.id);
  seen.add(event.id);
  console.log(`handler: ${event.type} ${event.id}${duplicate ? ' (duplicate, ignored)' : ''}`);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true }));
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`handler: listening on http://127.0.0.1:${port}/webhooks`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
