import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, findConfigFile } from '../../../src/config/find-config.js';
import { tempDir } from '../../helpers/foundation-cli.js';

let dir: { path: string; remove: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('findConfigFile', () => {
  it('finds whcli.config.json in the directory itself', () => {
    writeFileSync(join(dir.path, CONFIG_FILE_NAME), '{}');
    expect(findConfigFile(dir.path)).toBe(join(dir.path, CONFIG_FILE_NAME));
  });

  it('walks upward to the nearest one', () => {
    writeFileSync(join(dir.path, CONFIG_FILE_NAME), '{}');
    mkdirSync(join(dir.path, 'app', 'src', 'handlers'), { recursive: true });
    writeFileSync(join(dir.path, 'app', CONFIG_FILE_NAME), '{}');
    expect(findConfigFile(join(dir.path, 'app', 'src', 'handlers'))).toBe(join(dir.path, 'app', CONFIG_FILE_NAME));
  });

  it('resolves a relative cwd', () => {
    writeFileSync(join(dir.path, CONFIG_FILE_NAME), '{}');
    mkdirSync(join(dir.path, 'x'));
    expect(findConfigFile(join(dir.path, 'x', '..', 'x'))).toBe(join(dir.path, CONFIG_FILE_NAME));
  });

  it('answers undefined when there is none up to the root', () => {
    mkdirSync(join(dir.path, 'deep', 'er'), { recursive: true });
    expect(findConfigFile(join(dir.path, 'deep', 'er'))).toBeUndefined();
  });
});
