import { KeyNameTakenError, newRelaySecret, type AccessKeyRecord, type AccessKeyStore } from '../access-keys.js';

/** Keys held by one process (the memory store, tests). */
export class MemoryKeyStore implements AccessKeyStore {
  private readonly keys = new Map<string, AccessKeyRecord>();
  private readonly relaySecret = newRelaySecret();
  private used = false;

  async add(record: AccessKeyRecord): Promise<void> {
    if ([...this.keys.values()].some((k) => k.name === record.name)) throw new KeyNameTakenError(`a key named "${record.name}" exists`);
    this.keys.set(record.id, record);
    this.used = true;
  }

  async inUse(): Promise<boolean> {
    return this.used;
  }

  async list(): Promise<AccessKeyRecord[]> {
    return [...this.keys.values()];
  }

  async remove(idOrName: string): Promise<AccessKeyRecord | undefined> {
    const found = [...this.keys.values()].find((k) => k.id === idOrName || k.name === idOrName);
    if (found) this.keys.delete(found.id);
    return found;
  }

  async secret(): Promise<Buffer> {
    return this.relaySecret;
  }
}
