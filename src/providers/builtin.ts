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
import { adyen } from './catalogue/adyen.js';
import { calendly } from './catalogue/calendly.js';
import { chapa } from './catalogue/chapa.js';
import { clerk } from './catalogue/clerk.js';
import { coinbaseCommerce } from './catalogue/coinbase-commerce.js';
import { discord } from './catalogue/discord.js';
import { flutterwave } from './catalogue/flutterwave.js';
import { gitlab } from './catalogue/gitlab.js';
import { hubspot } from './catalogue/hubspot.js';
import { lemonsqueezy } from './catalogue/lemonsqueezy.js';
import { linear } from './catalogue/linear.js';
import { mailgun } from './catalogue/mailgun.js';
import { mailgunRoutes } from './catalogue/mailgun-routes.js';
import { monnify } from './catalogue/monnify.js';
import { mux } from './catalogue/mux.js';
import { paddle } from './catalogue/paddle.js';
import { postmark } from './catalogue/postmark.js';
import { razorpay } from './catalogue/razorpay.js';
import { resend } from './catalogue/resend.js';
import { sanity } from './catalogue/sanity.js';
import { sendgrid } from './catalogue/sendgrid.js';
import { slackInteractivity } from './catalogue/slack-interactivity.js';
import { square } from './catalogue/square.js';
import { twilio } from './catalogue/twilio.js';
import { twitch } from './catalogue/twitch.js';
import { workos } from './catalogue/workos.js';
import { yoco } from './catalogue/yoco.js';
import { zendesk } from './catalogue/zendesk.js';
import { zoom } from './catalogue/zoom.js';
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
  flutterwave,
  monnify,
  chapa,
  yoco,
  razorpay,
  paddle,
  lemonsqueezy,
  coinbaseCommerce,
  adyen,
  square,
  discord,
  sendgrid,
  twilio,
  hubspot,
  mailgun,
  mailgunRoutes,
  gitlab,
  postmark,
  zoom,
  twitch,
  calendly,
  zendesk,
  linear,
  mux,
  sanity,
  workos,
  clerk,
  resend,
  slackInteractivity,
];
