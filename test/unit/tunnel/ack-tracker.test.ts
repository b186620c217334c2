/**
 * The listener's record of acknowledged seqs: the resume point advances over acks in any order and
 * over gaps the relay passed (events expired at the relay), so neither the resume point stalls nor
 * the set of out-of-order acks grows for the rest of the run.
 */
import { describe, expect, it } from 'vitest';
import { AckTracker } from '../../../src/tunnel/relay-link.js';

describe('AckTracker', () => {
  it('advances the resume point over out-of-order acks', () => {
    const acked = new AckTracker();
    acked.begin(10);
    for (const seq of [12, 13, 11]) acked.mark(seq);
    expect(acked.through).toBe(13);
    expect(acked.has(11) && acked.has(13) && !acked.has(14)).toBe(true);
  });

  it('passes over a gap the relay skipped, once everything before it is acknowledged', () => {
    const acked = new AckTracker();
    acked.begin(0);
    acked.mark(2);
    acked.skip(3, 1_000_000); // events 3..1e6 expired at the relay: it sent 1e6+1 next
    expect(acked.through).toBe(0); // 1 is still being delivered
    acked.mark(1_000_001);
    acked.mark(1);
    expect(acked.through).toBe(1_000_001);
    expect(acked.has(1)).toBe(true);
  });

  it('keeps memory flat over a long run with a gap at its start', () => {
    const acked = new AckTracker();
    acked.begin(100);
    acked.skip(101, 150);
    for (let seq = 151; seq <= 10_000; seq++) acked.mark(seq);
    expect(acked.through).toBe(10_000);
    expect((acked as unknown as { above: Set<number> }).above.size).toBe(0);
  });

  it('ignores a skip behind the resume point, and starts where the first ack says without begin()', () => {
    const acked = new AckTracker();
    acked.mark(5);
    acked.skip(1, 3);
    expect(acked.through).toBe(5);
    acked.begin(0);
    expect(acked.through).toBe(5);
  });
});
