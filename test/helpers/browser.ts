/**
 * Headless Chromium for the inspector's end-to-end tests: Debian's /usr/bin/chromium driven by
 * playwright-core (which never downloads a browser). In CI (env CI set) a missing Chromium fails the
 * run; on a developer machine without it the tests are skipped with a loud warning. Every browser
 * started here is tracked, so `closeAllBrowsers()` in `afterEach` ends what a failing test left.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WHCLI_CHROMIUM ?? '/usr/bin/chromium';

/** How long any single wait in the page may take. */
export const PAGE_WAIT_MS = 10_000;

// Without the background-networking flags Chromium keeps dialling Google's hosts, which a closed
// network refuses many times a second.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the browser tests can run; throws in CI when Chromium is missing. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`);
  console.warn(`\n*** SKIPPING the inspector browser tests: ${CHROMIUM} not found (apt-get install chromium) ***\n`);
  return false;
}

interface Running {
  context: BrowserContext;
  profile: string;
}

const running = new Set<Running>();

/** A fresh headless Chromium with its own empty profile; `permissions` e.g. ['clipboard-read']. */
export async function launchBrowser(options: { permissions?: string[]; viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'whcli-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: 30_000,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    permissions: options.permissions,
  });
  context.setDefaultTimeout(PAGE_WAIT_MS);
  running.add({ context, profile });
  return context;
}

/** A new page whose script errors fail the test that reads `errors`. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  return { page, errors };
}

/** Closes every browser still open and removes its profile. For `afterEach`. */
export async function closeAllBrowsers(): Promise<void> {
  await Promise.all(
    [...running].map(async (entry) => {
      running.delete(entry);
      await entry.context.close().catch(() => {});
      await rm(entry.profile, { recursive: true, force: true });
    }),
  );
}
