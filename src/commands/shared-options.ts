import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** "--header 'X-Env: test'" -> ["X-Env", "test"]. */
export function parseHeaderFlag(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`invalid --header "${text}": expected "Name: value"`);
  }
  return [name, text.slice(colon + 1).trim()];
}

/** --data takes inline JSON or a path to a JSON file. */
export async function readDataFlag(text: string): Promise<unknown> {
  const inline = /^\s*[[{"]/.test(text);
  let source = text;
  if (!inline) {
    try {
      source = await readFile(text, 'utf8');
    } catch {
      throw new UsageError(`--data "${text}" is neither JSON nor a readable file`);
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new UsageError(`--data ${inline ? 'value' : `file ${text}`} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A positive whole number of milliseconds from a flag. */
export function parsePositiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${text}"`);
  return value;
}
