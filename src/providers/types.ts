import type { SchemeSpec } from '../signing/index.js';

/** One event type a provider sends. */
export interface EventSpec {
  name: string;
  description: string;
}

/** `count` further attempts, each `delay` after the one before it. */
export interface RetryStep {
  delay: string;
  count: number;
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
    /** Where a received request names its event type: a dot path into the body or a header. */
    typeFrom: { path?: string; header?: string; actionPath?: string };
    /** Where a received request carries its event id. */
    idFrom?: { path?: string; header?: string };
    /** How a fresh event id is made, e.g. "evt_{{rand}}" or "{{uuid}}". */
    idTemplate: string;
  };
  /** Extra headers every delivery carries (templated like the body). */
  headers?: Record<string, string>;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs: number;
  /** Retries after a failed first attempt. */
  retries: RetryStep[];
  /** Other retry schedules by mode (e.g. "test"). */
  retryModes?: Record<string, RetryStep[]>;
  events: EventSpec[];
  /** What the provider's doc leaves unsaid and which choice whcli made. */
  notes: string[];
  /** Whether events arrive in the order they happened (default: not guaranteed, see delivery-order.ts). */
  ordering?: { guaranteed: boolean; source: string };
  /** Directory of <event>.json fixtures; defaults to the bundled fixtures/<name>/. */
  fixturesDir?: string;
}
