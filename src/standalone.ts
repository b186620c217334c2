import { createRequire } from 'node:module';

declare const WHCLI_STANDALONE: boolean | undefined;

type Sea = typeof import('node:sea');
let sea: Sea | undefined | null = null;

/**
 * node:sea when whcli runs as the standalone binary (its assets hold the fixtures and the inspector's
 * page), else undefined. Only the binary's build (scripts/build-binary.mjs) defines WHCLI_STANDALONE:
 * elsewhere node:sea is not even loaded, which took a few ms of every command reading a fixture.
 */
export function standaloneBinary(): Sea | undefined {
  if (typeof WHCLI_STANDALONE === 'undefined' || !WHCLI_STANDALONE) return undefined;
  if (sea === null) {
    const module = createRequire(import.meta.url)('node:sea') as Sea;
    sea = module.isSea() ? module : undefined;
  }
  return sea;
}
