/**
 * Takes personal data and credentials out of a recorded event before it becomes a fixture file:
 * secrets and tokens, emails, phone numbers and card numbers. Replacements are stable within one
 * scrub, so an email that appears twice still names the same (fake) person.
 */

const SCRUBBED = '[scrubbed]';

/** Keys whose string values are credentials whatever they look like. */
const SECRET_KEY = /(secret|token|passw(or)?d|api[_-]?key|access[_-]?key|private[_-]?key|authorization$|^auth$|cookie|signature|^cvc$|^cvv$|^pin$|^ssn$|^iban$|account_number|routing_number)/i;
const PHONE_KEY = /(phone|mobile|msisdn|^tel$|telephone|whatsapp)/i;

/** Credentials recognisable by their shape, anywhere in a string. */
const TOKEN_PATTERNS = [
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}\b/g,
  /\bwhsec_[A-Za-z0-9+/=]{8,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bshp(?:ss|at|ca|pa)_[A-Fa-f0-9]{16,}\b/g,
];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/**
 * 13-19 digits starting as card networks do (2-6), optionally grouped by spaces or dashes; replaced
 * only when the Luhn check passes, so millisecond timestamps and most references stay.
 */
const CARD = /\b[2-6](?:[ -]?\d){12,18}\b/g;
/** An international number: + then 7 or more digits, with the usual separators. */
const PHONE = /\+\d[\d ().-]{6,}\d/g;

/** Whether a digit string passes the Luhn check card numbers carry. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** What one scrub replaced, by kind. */
export interface ScrubCounts {
  secrets: number;
  emails: number;
  phones: number;
  cards: number;
}

/** A scrubber with its own stable replacement tables. */
export class Scrubber {
  readonly counts: ScrubCounts = { secrets: 0, emails: 0, phones: 0, cards: 0 };
  private readonly emails = new Map<string, string>();
  private readonly phones = new Map<string, string>();

  /** The total of values replaced. */
  get total(): number {
    const { secrets, emails, phones, cards } = this.counts;
    return secrets + emails + phones + cards;
  }

  /** A scrubbed copy of a parsed JSON value. */
  value(value: unknown, key = ''): unknown {
    if (typeof value === 'string') return this.string(value, key);
    if (Array.isArray(value)) return value.map((item) => this.value(item, key));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, k, { value: this.value(v, k), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return value;
  }

  /** A scrubbed copy of one string; `key` is the name it was found under, when known. */
  string(text: string, key = ''): string {
    if (text === '') return text;
    if (SECRET_KEY.test(key)) {
      this.counts.secrets += 1;
      return SCRUBBED;
    }
    if (PHONE_KEY.test(key) && (text.match(/\d/g)?.length ?? 0) >= 7) return this.phone(text);
    let out = text;
    for (const pattern of TOKEN_PATTERNS) {
      out = out.replace(pattern, () => {
        this.counts.secrets += 1;
        return SCRUBBED;
      });
    }
    out = out.replace(EMAIL, (email) => this.email(email));
    out = out.replace(CARD, (match) => {
      const digits = match.replace(/\D/g, '');
      if (!luhnValid(digits)) return match;
      this.counts.cards += 1;
      // The test card every gateway documents: still a card number to a handler that checks one.
      return '4242424242424242';
    });
    out = out.replace(PHONE, (phone) => this.phone(phone));
    return out;
  }

  private email(email: string): string {
    let fake = this.emails.get(email.toLowerCase());
    if (!fake) {
      fake = `user${this.emails.size + 1}@example.com`;
      this.emails.set(email.toLowerCase(), fake);
    }
    this.counts.emails += 1;
    return fake;
  }

  private phone(phone: string): string {
    let fake = this.phones.get(phone);
    if (!fake) {
      // +1 555 01xx: numbers reserved for fiction.
      fake = `+1555010${String(this.phones.size % 100).padStart(2, '0')}`;
      this.phones.set(phone, fake);
    }
    this.counts.phones += 1;
    return fake;
  }
}
