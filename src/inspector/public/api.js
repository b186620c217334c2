// The page's only network access: its own origin, with the session token the HTML was served with.

const token = document.querySelector('meta[name="whcli-token"]')?.getAttribute('content') ?? '';

async function call(path, init = {}) {
  const response = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'X-Whcli-Token': token, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

/** The full record of one exchange. */
export function getExchange(id) {
  return call(`/api/exchanges/${encodeURIComponent(id)}`);
}

/** Sends an exchange's event to the handler again, freshly signed; `body` replaces the bytes when given. */
export function replay(id, body) {
  return call(`/api/exchanges/${encodeURIComponent(id)}/replay`, { method: 'POST', body: JSON.stringify(body === undefined ? {} : { body }) });
}

/** The live feed: a snapshot on every (re)connection, then each new exchange. */
export function openStream({ onSnapshot, onExchange, onSession, onState }) {
  const source = new EventSource(`/api/stream?token=${encodeURIComponent(token)}`);
  source.addEventListener('open', () => onState('live'));
  source.addEventListener('error', () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  source.addEventListener('snapshot', (e) => onSnapshot(JSON.parse(e.data)));
  source.addEventListener('exchange', (e) => onExchange(JSON.parse(e.data)));
  source.addEventListener('session', (e) => onSession(JSON.parse(e.data)));
  return source;
}
