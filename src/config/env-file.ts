import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError, WhcliError } from '../errors.js';

/** The variable a provider's handlers conventionally read their signing secret from. */
export function defaultEnvVar(provider: string | undefined): string {
  return provider ? `${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_WEBHOOK_SECRET` : 'WEBHOOK_SECRET';
}

/** A dotenv value: bare when it is safe so, else double-quoted with `\` and `"` escaped. */
function dotenvValue(value: string): string {
  return /^[A-Za-z0-9_./+=:@,-]*$/.test(value) ? value : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Sets `NAME=value` in a dotenv file: the existing `NAME=` (or `export NAME=`) line is replaced in place,
 * else the line is appended; every other byte stays as it was. Written to a temporary file and renamed,
 * mode 0600, so a reader never sees half a file and the secret is not world-readable.
 * Returns whether the file changed.
 */
export async function writeEnvVar(path: string, name: string, value: string): Promise<boolean> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--env-var must be a variable name (letters, digits, _), got "${name}"`);
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new WhcliError('WHCLI_ERR_ENV_FILE', `cannot read ${path}: ${(error as Error).message}`);
  }
  const line = `${name}=${dotenvValue(value)}`;
  const pattern = new RegExp(`^([ \\t]*(?:export[ \\t]+)?)${name}[ \\t]*=.*$`, 'm');
  const match = pattern.exec(text);
  const next = match
    ? text.slice(0, match.index) + match[1] + line + text.slice(match.index + match[0].length)
    : text + (text && !text.endsWith('\n') ? '\n' : '') + `${line}\n`;
  if (next === text) {
    await chmod(path, 0o600).catch(() => {});
    return false;
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, next, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    throw new WhcliError('WHCLI_ERR_ENV_FILE', `cannot write ${path}: ${(error as Error).message}`);
  }
  return true;
}
