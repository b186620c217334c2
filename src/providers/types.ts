import type { SchemeSpec } from '../signing/index.js';

/** One event type a provider sends. */
export interface EventSpec {
  name: string;
  description: string;
  /** Headers this event carries besides the provider's own (GitLab's X-Gitlab-Event: "Push Hook"). */
  headers?: Record<string, string>;
}

/**
 * How a provider writes the JSON of a delivery's body, byte for byte. Signatures cover these bytes,
 * so a handler that verifies a re-serialized body instead of the raw one fails on the real thing.
 */
export interface JsonLayout {
  /** Spaces per nesting level; 0 is compact (no whitespace at all). */
  indent: number;
  /** The body ends with "\n". */
  trailingNewline?: boolean;
  /** Every non-ASCII character written as a \uXXXX escape (PHP's json_encode, Python's json.dumps). */
  asciiOnly?: boolean;
  /** "/" written as "\/" (PHP's json_encode). */
  escapeSlashes?: boolean;
}

/** `count` further attempts, each `delay` after the one before it. */
export interface RetryStep {
  delay: string;
  count: number;
}

/** An answer that ends a provider's retries of a message: a status, or a header with a value. */
export type RetryStop = { status: number; header?: undefined } | { header: string; value: string; status?: undefined };

/** How a provider marks its retries and how a handler's answer stops them. */
export interface RetrySignals {
  /**
   * Headers every retry carries (never the first attempt). "{{retry_num}}" is 1 on the first retry,
   * "{{retry_reason}}" why the attempt before failed (see src/providers/retry-schedule.ts).
   */
  headers?: Record<string, string>;
  /** Answers after which the provider stops retrying this message. */
  stopOn?: RetryStop[];
}

/**
 * A webhook provider, entirely as data: how it signs, how it wraps an event, what it sends and how
 * it retries. Users write the same shape in whcli.config.json.
 */
export interface ProviderSpec {
  name: string;
  title: string;
  /** Where the provider documents its webhooks. */
  docs?: string;
  scheme: SchemeSpec;
  envelope: {
    /**
     * The JSON body a delivery carries. The string "{{data}}" stands for the event's fixture;
     * other {{tokens}} are filled per send (see src/fixtures/template.ts).
     */
    template: unknown;
    /** How the body is written: JSON (default), or application/x-www-form-urlencoded fields. */
    format?: 'json' | 'form';
    /** Where a received request names its event type: a dot path into the body or a header. */
    typeFrom: {
      path?: string;
      header?: string;
      actionPath?: string;
      /** Read when `path` finds nothing (Twilio: SmsStatus, else CallStatus). */
      fallbackPath?: string;
      /** Maps the value read to whcli's event name (Discord's type 1 is "ping"; Coinbase's "charge:created"). */
      names?: Record<string, string>;
    };
    /** Where a received request carries its event id. */
    idFrom?: { path?: string; header?: string };
    /** How a fresh event id is made, e.g. "evt_{{rand}}" or "{{uuid}}". */
    idTemplate: string;
    /**
     * Where in a fixture `--data` goes, when the fixture holds more than the event's object (a dot
     * path, e.g. "object" for Stripe, whose fixtures also hold previous_attributes). Default: the whole fixture.
     */
    dataPath?: string;
  };
  /** How the body's JSON is laid out; compact when left out. Key order is the template's and fixture's. */
  json?: JsonLayout;
  /** Extra headers every delivery carries (templated like the body). */
  headers?: Record<string, string>;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs: number;
  /** Retries after a failed first attempt. */
  retries: RetryStep[];
  /** Other retry schedules by mode (e.g. "test"). */
  retryModes?: Record<string, RetryStep[]>;
  /** Retry headers and the answers that stop retries, as the provider documents them. */
  retrySignals?: RetrySignals;
  events: EventSpec[];
  /** What the provider's doc leaves unsaid and which choice whcli made. */
  notes: string[];
  /**
   * API versions the fixtures come in: the default's at <fixturesDir>/<event>.json, each other's at
   * <fixturesDir>/<version>/<event>.json. `--api-version` picks one (see api-version.ts), and the
   * envelope names it with {{api_version}}.
   */
  apiVersions?: { default: string; others: readonly string[]; chosen?: string };
  /** Whether events arrive in the order they happened (default: not guaranteed, see delivery-order.ts). */
  ordering?: { guaranteed: boolean; source: string };
  /**
   * The provider's official verifier signs JSON.stringify of the parsed body (WorkOS's constructEvent),
   * so its events are always that output and the raw-body check does not apply; where it says so.
   */
  verifiesReserialized?: { source: string };
  /** Directory of <event>.json fixtures; defaults to the bundled fixtures/<name>/. */
  fixturesDir?: string;
}
