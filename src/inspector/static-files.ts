import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { standaloneBinary } from '../standalone.js';

/** The page's files: src/inspector/public, copied to dist/inspector/public by `npm run build`. */
export const publicDir = fileURLToPath(new URL('./public/', import.meta.url));
// In a checkout built by a bare `tsc` (no copy step), dist/inspector/ has no public/: use the sources.
const checkoutDir = fileURLToPath(new URL('../../src/inspector/public/', import.meta.url));

/** Every file the page is made of, with its type. Only these are ever served: no paths from requests touch the disk. */
export const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'render.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export interface Asset {
  type: string;
  body: Buffer;
}

/** Reads the page's files once, at start: they are small, and a request never waits on the disk. */
export async function loadAssets(dir?: string): Promise<Map<string, Asset>> {
  const sea = dir === undefined ? standaloneBinary() : undefined;
  dir ??= existsSync(publicDir) || !existsSync(checkoutDir) ? publicDir : checkoutDir;
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(ASSETS)) {
    const body = sea ? Buffer.from(sea.getAsset(`inspector/${name}`)) : await readFile(join(dir, name));
    assets.set(name, { type, body });
  }
  return assets;
}
