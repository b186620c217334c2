import { readFileSync } from 'node:fs';

declare const WHCLI_BUNDLED_VERSION: string | undefined;

/** The package version; a bundled binary has it compiled in. */
export function whcliVersion(): string {
  if (typeof WHCLI_BUNDLED_VERSION === 'string') return WHCLI_BUNDLED_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
