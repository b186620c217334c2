import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeliveryReport, RelayEvent } from '../relay/protocol.js';

/** One delivered (or failed) event as the listener saw it. */
export interface HistoryEntry {
  id: string;
  seq: number;
  channel: string;
  receivedAt: number;
  deliveredAt: number;
  method: string;
  path: string;
  query: string;
  headers: [string, string][];
  /** base64 of the raw body, so a replay sends the same bytes. */
  body: string;
  provider?: string;
  eventType?: string;
  eventId?: string;
  forward: string;
  report: DeliveryReport;
}

const KEEP = 1000;

/** An append-only NDJSON file of deliveries; trimmed to the last 1,000 when a listener starts. */
export class History {
  readonly file: string;
  private stream: WriteStream | undefined;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'history.ndjson');
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const entries = await this.readRaw();
    if (entries.length > KEEP * 2) {
      const temp = `${this.file}.tmp`;
      await writeFile(temp, entries.slice(-KEEP).join('\n') + '\n', { mode: 0o600 });
      await rename(temp, this.file);
    }
    // Appends are buffered by the stream: no synchronous disk write on the delivery path.
    this.stream = createWriteStream(this.file, { flags: 'a', mode: 0o600 });
  }

  record(event: RelayEvent, extra: Omit<HistoryEntry, 'id' | 'seq' | 'channel' | 'receivedAt' | 'method' | 'path' | 'query' | 'headers' | 'body'>): void {
    const entry: HistoryEntry = {
      id: event.id,
      seq: event.seq,
      channel: event.channel,
      receivedAt: event.receivedAt,
      method: event.method,
      path: event.path,
      query: event.query,
      headers: event.headers,
      body: event.body.toString('base64'),
      ...extra,
    };
    this.stream?.write(`${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }

  /** Newest last. */
  async list(): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    for (const line of await this.readRaw()) {
      try {
        out.push(JSON.parse(line) as HistoryEntry);
      } catch {
        // A line cut short by a crash: skip it.
      }
    }
    return out;
  }

  private async readRaw(): Promise<string[]> {
    try {
      return (await readFile(this.file, 'utf8')).split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }
}
