import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyNameTakenError, newRelaySecret, type AccessKeyRecord, type AccessKeyStore } from '../access-keys.js';

interface KeyFileContent {
  /** base64 */
  secret: string;
  /** Set by the first key created: from then on the relay requires keys, even with none left. */
  required: boolean;
  keys: AccessKeyRecord[];
}

export const KEY_FILE = 'keys.json';

/**
 * The file store's keys: a small JSON file (0600) beside the event log, written whole to a temporary
 * file, synced and renamed over the old one, so a crash leaves the old file or the new one. It is
 * read again on every call: `whcli relay keys` edits it while the relay runs.
 */
export class KeyFile implements AccessKeyStore {
  readonly file: string;

  constructor(dir: string) {
    this.file = join(dir, KEY_FILE);
  }

  async add(record: AccessKeyRecord): Promise<void> {
    const content = await this.read();
    if (content.keys.some((k) => k.name === record.name)) throw new KeyNameTakenError(`a key named "${record.name}" exists`);
    content.keys.push(record);
    content.required = true;
    await this.write(content);
  }

  async list(): Promise<AccessKeyRecord[]> {
    return (await this.read()).keys;
  }

  async remove(idOrName: string): Promise<AccessKeyRecord | undefined> {
    const content = await this.read();
    const found = content.keys.find((k) => k.id === idOrName || k.name === idOrName);
    if (!found) return undefined;
    content.keys = content.keys.filter((k) => k !== found);
    await this.write(content);
    return found;
  }

  async inUse(): Promise<boolean> {
    return (await this.read()).required;
  }

  async secret(): Promise<Buffer> {
    const content = await this.read();
    if (!content.secret) {
      content.secret = newRelaySecret().toString('base64');
      await this.write(content);
    }
    return Buffer.from(content.secret, 'base64');
  }

  private async read(): Promise<KeyFileContent> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { secret: '', required: false, keys: [] };
      throw error;
    }
    let parsed: Partial<KeyFileContent>;
    try {
      parsed = JSON.parse(text) as Partial<KeyFileContent>;
    } catch {
      throw new Error(`${this.file} is not valid JSON: restore it from a backup`);
    }
    const keys = Array.isArray(parsed.keys) ? parsed.keys.filter((k) => k && typeof k.id === 'string' && typeof k.hash === 'string' && typeof k.name === 'string') : [];
    return { secret: typeof parsed.secret === 'string' ? parsed.secret : '', required: parsed.required === true || keys.length > 0, keys };
  }

  private async write(content: KeyFileContent): Promise<void> {
    if (!content.secret) content.secret = newRelaySecret().toString('base64');
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => {});
      throw error;
    }
    await handle.close();
    await rename(temp, this.file);
  }
}
