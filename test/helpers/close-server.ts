import { once } from 'node:events';
import type { Server } from 'node:http';

/** Stops a test's node:http server, cutting its open connections; nothing to do for undefined. */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
}
