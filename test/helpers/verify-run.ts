import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { verify, type VerifyDeps, type VerifyOptions } from '../../src/commands/verify.js';
import type { Environment } from '../../src/context.js';
import type { CheckResult, VerifyReport } from '../../src/verify/report.js';
import { startWebhookServer, type TestServer, type WebhookHandler } from './verify-server.js';

/** A working directory with no whcli.config.json above it, and an empty environment. */
export function isolatedEnvironment(): Environment & { cleanup(): void } {
  const cwd = mkdtempSync(join(tmpdir(), 'whcli-verify-'));
  return { cwd, env: {}, cleanup: () => rmSync(cwd, { recursive: true, force: true }) };
}

/** Runs the verify command the way the CLI does, collecting the progress callbacks. */
export async function runVerify(
  environment: Environment,
  options: VerifyOptions,
  deps: Partial<VerifyDeps> = {},
): Promise<{ report: VerifyReport; progress: CheckResult[] }> {
  const progress: CheckResult[] = [];
  const report = await verify(options, {
    environment,
    ...deps,
    onResult: (result, done, total) => {
      progress.push(result);
      deps.onResult?.(result, done, total);
    },
  });
  return { report, progress };
}

/** "event check" of each failed result, for compact assertions. */
export function failedChecks(report: VerifyReport): string[] {
  return report.results.filter((r) => r.status === 'failed').map((r) => `${r.event} ${r.check}`);
}

/**
 * One isolated environment for a test file and one webhook server per test, closed after it:
 * `serve(handler)` starts it and returns its URL; `current()` is the running server.
 */
export function useVerifyFixtures() {
  const environment = isolatedEnvironment();
  afterAll(() => environment.cleanup());
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    environment,
    serve: async (handler: WebhookHandler): Promise<string> => {
      server = await startWebhookServer(handler);
      return server.url;
    },
    current: (): TestServer => server!,
  };
}
