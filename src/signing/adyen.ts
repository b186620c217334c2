import { createHmac } from 'node:crypto';
import { safeEqual } from './compare.js';
import type { Signer } from './types.js';

type Item = {
  pspReference?: string;
  originalReference?: string;
  merchantAccountCode?: string;
  merchantReference?: string;
  amount?: { value?: number; currency?: string };
  eventCode?: string;
  success?: string;
  additionalData?: Record<string, unknown>;
};

/** Adyen's signed string: eight item fields joined by ":" (empty when absent). */
function signedString(item: Item): string {
  return [
    item.pspReference,
    item.originalReference,
    item.merchantAccountCode,
    item.merchantReference,
    item.amount?.value,
    item.amount?.currency,
    item.eventCode,
    item.success,
  ]
    .map((value) => (value === undefined || value === null ? '' : String(value)))
    .join(':');
}

/** The HMAC key is the hex string from the Customer Area, decoded. */
function digest(secret: string, item: Item): string {
  return createHmac('sha256', Buffer.from(secret, 'hex')).update(signedString(item)).digest('base64');
}

function items(body: Uint8Array): Item[] | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { notificationItems?: { NotificationRequestItem?: Item }[] };
    const list = parsed.notificationItems?.map((entry) => entry.NotificationRequestItem).filter((item): item is Item => !!item);
    return list?.length ? list : undefined;
  } catch {
    return undefined;
  }
}

/** Adyen standard notifications: each item carries its own additionalData.hmacSignature. */
export function adyenSigner(): Signer {
  return {
    headerNames: [],
    toleranceSec: undefined,
    sign: () => ({}),
    signBody: ({ body, secret }) => {
      const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { notificationItems?: { NotificationRequestItem?: Item }[] };
      for (const entry of parsed.notificationItems ?? []) {
        const item = entry.NotificationRequestItem;
        if (item) item.additionalData = { ...item.additionalData, hmacSignature: digest(secret, item) };
      }
      return Buffer.from(JSON.stringify(parsed));
    },
    verify: ({ body, secret }) => {
      const list = items(body);
      if (!list) return { ok: false, reason: 'the body has no notificationItems' };
      for (const item of list) {
        const received = item.additionalData?.hmacSignature;
        if (typeof received !== 'string') return { ok: false, reason: 'a notification item has no additionalData.hmacSignature' };
        if (!safeEqual(received, digest(secret, item))) return { ok: false, reason: 'additionalData.hmacSignature does not match' };
      }
      return { ok: true };
    },
  };
}
