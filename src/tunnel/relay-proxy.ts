import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { proxyFor } from '../delivery/send.js';

/** The agent that opens the relay WebSocket through HTTP(S)_PROXY (a CONNECT tunnel), or none. */
export function relaySocketAgent(relay: URL): Agent | undefined {
  const proxy = proxyFor(relay);
  return proxy ? new HttpsProxyAgent(proxy) : undefined;
}
