import { github } from './catalogue/github.js';
import { hackmamba } from './catalogue/hackmamba.js';
import { laabam } from './catalogue/laabam.js';
import { lahza } from './catalogue/lahza.js';
import { lava } from './catalogue/lava.js';
import { lehjah } from './catalogue/lehjah.js';
import { paystack } from './catalogue/paystack.js';
import { shopify } from './catalogue/shopify.js';
import { slack } from './catalogue/slack.js';
import { standardWebhooks } from './catalogue/standard-webhooks.js';
import { stripe } from './catalogue/stripe.js';
import type { ProviderSpec } from './types.js';

/** The providers whcli knows without any configuration. */
export const builtinProviders: readonly ProviderSpec[] = [
  laabam,
  lahza,
  lava,
  hackmamba,
  lehjah,
  standardWebhooks,
  stripe,
  github,
  shopify,
  slack,
  paystack,
];
