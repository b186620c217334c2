/**
 * Listener sockets and sessions grouped by channel: one member is held as itself, a Set only from a
 * second, and what callers see (members, counts, channels) is the same either way.
 */
import { describe, expect, it } from 'vitest';
import { ChannelMembers } from '../../../src/relay/channel-members.js';

const a = { name: 'a' };
const b = { name: 'b' };
const c = { name: 'c' };

describe('ChannelMembers', () => {
  it('holds one member per channel, and several on one channel', () => {
    const members = new ChannelMembers<{ name: string }>();
    members.add('one', a);
    members.add('two', b);
    members.add('two', c);
    expect([...members.members('one')]).toEqual([a]);
    expect([...members.members('two')]).toEqual([b, c]);
    expect([members.count('one'), members.count('two'), members.count('none')]).toEqual([1, 2, 0]);
    expect([...members.members('none')]).toEqual([]);
    expect([...members.channels()]).toEqual(['one', 'two']);
    expect(members.size).toBe(3);
  });

  it('adds a member once however often it is added', () => {
    const members = new ChannelMembers<{ name: string }>();
    members.add('one', a);
    members.add('one', a);
    expect(members.count('one')).toBe(1);
    members.add('one', b);
    members.add('one', b);
    expect(members.count('one')).toBe(2);
  });

  it('forgets a channel once its last member goes, in any order, and ignores members it does not hold', () => {
    const members = new ChannelMembers<{ name: string }>();
    members.add('one', a);
    members.add('one', b);
    members.add('one', c);
    members.delete('one', c);
    members.delete('one', a);
    expect([...members.members('one')]).toEqual([b]);
    members.delete('one', a);
    members.delete('other', b);
    expect(members.count('one')).toBe(1);
    members.delete('one', b);
    expect(members.count('one')).toBe(0);
    expect([...members.channels()]).toEqual([]);
    expect(members.size).toBe(0);
    // A channel emptied and joined again works as a new one.
    members.add('one', c);
    members.add('one', a);
    expect([...members.members('one')]).toEqual([c, a]);
  });
});
