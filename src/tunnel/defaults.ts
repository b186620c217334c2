/**
 * Deliveries `whcli listen` keeps in flight by default. No well-known provider delivers in order
 * (src/providers/delivery-order.ts), and a provider sends a burst concurrently, so one at a time would
 * make the tunnel slower than the provider itself; `--ordered` is there for handlers that need order.
 */
export const DEFAULT_LISTEN_CONCURRENCY = 32;
