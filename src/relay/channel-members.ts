const NONE: readonly never[] = [];

/**
 * Members (listener sockets, sessions) grouped by channel. Nearly every channel has one listener,
 * so a lone member is held as itself and a Set is made only for a second one: an idle relay holds
 * thousands of channels, and an empty Set alone costs more than the member. Members must not be Sets.
 */
export class ChannelMembers<T extends object> {
  private readonly groups = new Map<string, T | Set<T>>();

  add(channel: string, member: T): void {
    const group = this.groups.get(channel);
    if (group === undefined) this.groups.set(channel, member);
    else if (group instanceof Set) group.add(member);
    else if (group !== member) this.groups.set(channel, new Set([group, member]));
  }

  delete(channel: string, member: T): void {
    const group = this.groups.get(channel);
    if (group === member) this.groups.delete(channel);
    else if (group instanceof Set && group.delete(member) && group.size <= 1) {
      const [last] = group;
      if (last === undefined) this.groups.delete(channel);
      else this.groups.set(channel, last);
    }
  }

  /** The channel's members; none for a channel without any. */
  members(channel: string): Iterable<T> {
    const group = this.groups.get(channel);
    return group === undefined ? NONE : group instanceof Set ? group : [group];
  }

  /** How many members the channel has. */
  count(channel: string): number {
    const group = this.groups.get(channel);
    return group === undefined ? 0 : group instanceof Set ? group.size : 1;
  }

  /** Channels with at least one member. */
  channels(): IterableIterator<string> {
    return this.groups.keys();
  }

  /** Members over all channels. */
  get size(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group instanceof Set ? group.size : 1;
    return n;
  }
}
