/** Counters the relay exposes at /metrics, in Prometheus text format. */
export class RelayMetrics {
  received = 0;
  delivered = 0;
  rejected = { tooLarge: 0, full: 0, relayFull: 0, unknownChannel: 0, unauthorized: 0, rateLimited: 0 };
  protocolErrors = 0;
  /** WebSocket upgrades refused because the channel already had --max-listeners. */
  listenersRefused = 0;
  /** Channel creations refused: over the per-address rate, or the relay at its channel cap. */
  channelsRefused = 0;
  /** Channels deleted after --channel-idle with no activity. */
  channelsExpired = 0;
  /** Channels deleted by their owner (`whcli channels rm`). */
  channelsDeleted = 0;
  /** Times sending to a listener stopped because its socket held too many unsent bytes. */
  listenerPauses = 0;

  render(gauges: { pending: number; stored: number; listeners: number; channels: number; expired: number }): string {
    const lines = [
      ['whcli_relay_events_received_total', 'counter', 'Events accepted at ingress', this.received],
      ['whcli_relay_events_delivered_total', 'counter', 'Events acknowledged by a listener', this.delivered],
      ['whcli_relay_events_pending', 'gauge', 'Events stored and not yet acknowledged', gauges.pending],
      ['whcli_relay_events_stored', 'gauge', 'Events held, acknowledged or not', gauges.stored],
      ['whcli_relay_events_expired_total', 'counter', 'Unacknowledged events dropped at the end of retention', gauges.expired],
      ['whcli_relay_listeners', 'gauge', 'Connected listeners', gauges.listeners],
      ['whcli_relay_channels', 'gauge', 'Known channels', gauges.channels],
      ['whcli_relay_protocol_errors_total', 'counter', 'Listener sockets closed for protocol errors', this.protocolErrors],
      ['whcli_relay_listeners_refused_total', 'counter', 'Listener connections refused: the channel had --max-listeners', this.listenersRefused],
      ['whcli_relay_channels_refused_total', 'counter', 'Channel creations refused (rate per address, or --max-channels)', this.channelsRefused],
      ['whcli_relay_channels_expired_total', 'counter', 'Channels deleted after --channel-idle without activity', this.channelsExpired],
      ['whcli_relay_channels_deleted_total', 'counter', 'Channels deleted by the access key that owns them', this.channelsDeleted],
      ['whcli_relay_listener_pauses_total', 'counter', 'Times sending to a slow listener paused until its socket drained', this.listenerPauses],
    ] as const;
    const out: string[] = [];
    for (const [name, type, help, value] of lines) out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    out.push('# HELP whcli_relay_ingress_rejected_total Ingress requests refused', '# TYPE whcli_relay_ingress_rejected_total counter');
    for (const [reason, value] of Object.entries(this.rejected)) out.push(`whcli_relay_ingress_rejected_total{reason="${reason}"} ${value}`);
    return `${out.join('\n')}\n`;
  }
}
