import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from '../paths.js';

export interface ChannelCredentials {
  id: string;
  token: string;
  url: string;
}

/** Channel ids and tokens per relay, so a listener's public URL survives restarts. */
export class CredentialStore {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'channels.json');
  }

  async get(relayKey: string): Promise<ChannelCredentials | undefined> {
    return (await this.readAll())[relayKey];
  }

  async set(relayKey: string, credentials: ChannelCredentials): Promise<void> {
    const all = await this.readAll();
    all[relayKey] = credentials;
    await this.writeAll(all);
  }

  /** Forgets every saved entry for channel `id` (deleted on its relay); true when there was one. */
  async forget(id: string): Promise<boolean> {
    const all = await this.readAll();
    const stale = Object.keys(all).filter((relayKey) => all[relayKey]!.id === id);
    for (const relayKey of stale) delete all[relayKey];
    if (stale.length) await this.writeAll(all);
    return stale.length > 0;
  }

  private async writeAll(all: Record<string, ChannelCredentials>): Promise<void> {
    await ensurePrivateDir(this.dir);
    // Write-then-rename: a crash never leaves a half-written file; 0600 since tokens are secrets.
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
    await rename(temp, this.file);
    await chmod(this.file, 0o600);
  }

  private async readAll(): Promise<Record<string, ChannelCredentials>> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as Record<string, ChannelCredentials>;
    } catch {
      return {};
    }
  }
}
