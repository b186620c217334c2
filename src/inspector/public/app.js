// The inspector page: a live list of exchanges, filters, a detail view and its actions.
import { getExchange, openStream, replay } from './api.js';
import { formatLatency, statusLabel, statusText } from './format.js';
import { detail, eventName, h, row } from './render.js';

const $ = (id) => document.getElementById(id);
const rows = $('rows');
const typeFilter = $('filter-type');
const failedFilter = $('filter-failed');
const detailPane = $('detail');

const state = {
  session: undefined,
  /** Summaries by id, and ids oldest first. */
  exchanges: new Map(),
  order: [],
  capacity: 500,
  selected: undefined,
  /** The detail shown, to re-render after a replay. */
  shown: undefined,
};

function matches(x) {
  if (typeFilter.value && (x.eventType ?? '') !== typeFilter.value) return false;
  if (failedFilter.checked && x.ok) return false;
  return true;
}

function updateCount() {
  const total = state.order.length;
  const shown = rows.children.length;
  $('count').textContent = total === 0 ? '' : shown === total ? `${total} event${total === 1 ? '' : 's'}` : `${shown} of ${total}`;
  $('empty').hidden = total > 0;
  $('no-match').hidden = total === 0 || shown > 0;
}

function markSelected() {
  for (const tr of rows.children) {
    const on = tr.dataset.id === state.selected;
    tr.classList.toggle('selected', on);
    const link = tr.querySelector('.row-link');
    if (on) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
}

function renderRows() {
  const fragment = document.createDocumentFragment();
  for (let i = state.order.length - 1; i >= 0; i -= 1) {
    const x = state.exchanges.get(state.order[i]);
    if (matches(x)) fragment.append(row(x));
  }
  rows.replaceChildren(fragment);
  markSelected();
  updateCount();
}

function renderTypeOptions() {
  const types = [...new Set([...state.exchanges.values()].map((x) => x.eventType).filter(Boolean))].sort();
  const current = typeFilter.value;
  const existing = [...typeFilter.options].slice(1).map((o) => o.value);
  if (existing.join('\n') === types.join('\n')) return;
  typeFilter.replaceChildren(h('option', { value: '' }, 'All types'), ...types.map((t) => h('option', { value: t }, t)));
  typeFilter.value = types.includes(current) ? current : '';
}

function renderSession(session) {
  state.session = session;
  state.capacity = session.capacity ?? state.capacity;
  $('session-url').textContent = session.url;
  $('empty-url').textContent = session.url;
  $('session-forward').textContent = session.forward;
  $('session-signing').textContent = session.resign
    ? `re-signed as ${session.provider}`
    : session.provider
      ? `${session.provider}, signatures passed through`
      : 'passed through (no --provider)';
}

function add(x) {
  state.exchanges.set(x.id, x);
  state.order.push(x.id);
  while (state.order.length > state.capacity) state.exchanges.delete(state.order.shift());
}

let pendingAnnouncements = [];
let announceTimer;
/** Tells screen readers about new rows; a burst becomes one sentence. */
function announce(x) {
  pendingAnnouncements.push(x);
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    const list = pendingAnnouncements;
    pendingAnnouncements = [];
    const last = list[list.length - 1];
    $('announcer').textContent =
      list.length === 1
        ? `New event: ${eventName(last)}, ${statusLabel(last)}${last.attempt > 1 ? `, attempt ${last.attempt}` : ''}`
        : `${list.length} new events, the latest ${eventName(last)}, ${statusLabel(last)}`;
  }, 250);
}

function onExchange(x) {
  add(x);
  renderTypeOptions();
  if (matches(x)) {
    const tr = row(x);
    tr.classList.add('fresh');
    rows.prepend(tr);
    while (rows.children.length > state.capacity) rows.lastElementChild.remove();
    markSelected();
  }
  // Rows that fell out of the ring are gone from the list too.
  for (const tr of [...rows.children]) if (!state.exchanges.has(tr.dataset.id)) tr.remove();
  updateCount();
  announce(x);
}

function onSnapshot({ session, exchanges }) {
  renderSession(session);
  state.exchanges.clear();
  state.order = [];
  for (const x of exchanges) add(x);
  renderTypeOptions();
  renderRows();
}

function onState(value) {
  const el = $('connection');
  el.dataset.state = value;
  $('connection-text').textContent = value === 'live' ? 'Live' : value === 'closed' ? 'Disconnected' : 'Reconnecting…';
}

// ---- detail and actions

function setActionStatus(text, tone, extra) {
  const el = $('action-status');
  if (!el) return;
  el.className = `action-status ${tone ?? ''}`;
  el.replaceChildren(text, ...(extra ? [' ', extra] : []));
}

async function doReplay(id, body) {
  const buttons = detailPane.querySelectorAll('.actions button, .editor button');
  for (const b of buttons) b.disabled = true;
  detailPane.setAttribute('aria-busy', 'true');
  setActionStatus(body === undefined ? 'Replaying…' : 'Sending the edited body…', 'busy');
  try {
    const x = await replay(id, body);
    const outcome = x.status !== undefined ? statusText(x.status) : statusLabel(x);
    setActionStatus(
      `Replayed: ${outcome} in ${formatLatency(x.durationMs)}, attempt ${x.attempt}.`,
      x.ok ? 'ok' : 'fail',
      h('a', { href: `#/e/${x.id}`, id: 'open-replay' }, `Open attempt ${x.attempt}`),
    );
  } catch (error) {
    setActionStatus(`Replay failed: ${error.message}`, 'fail');
  } finally {
    detailPane.removeAttribute('aria-busy');
    for (const b of buttons) b.disabled = b.id === 'edit' && b.title !== '';
  }
}

async function copyCurl(text) {
  try {
    await navigator.clipboard.writeText(text);
    setActionStatus('Copied the curl command to the clipboard.', 'ok');
  } catch {
    // No clipboard permission (some browsers over plain http): show it selected instead.
    const curl = detailPane.querySelector('.curl');
    curl.open = true;
    const pre = $('curl-text');
    getSelection().selectAllChildren(pre);
    pre.focus();
    setActionStatus('The clipboard is not available: the command is selected below, press Ctrl+C (⌘C) to copy it.', 'busy');
  }
}

async function showDetail(id) {
  state.selected = id;
  markSelected();
  if (id === undefined) {
    detailPane.replaceChildren(h('div', { class: 'placeholder' }, h('p', {}, 'Select an event to see the request as received, the headers whcli signed it with, and your handler\u2019s response.')));
    state.shown = undefined;
    return;
  }
  try {
    const x = await getExchange(id);
    if (state.selected !== id) return;
    state.shown = x;
    detailPane.replaceChildren(detail(x, { replay: (body) => doReplay(id, body), copyCurl, status: setActionStatus, resign: state.session?.resign }));
  } catch (error) {
    if (state.selected !== id) return;
    detailPane.replaceChildren(h('div', { class: 'placeholder' }, h('p', {}, `Event #${id}: ${error.message}`)));
  }
}

function route() {
  const match = /^#\/e\/(\d+)$/.exec(location.hash);
  void showDetail(match ? match[1] : undefined);
}

// ---- events

rows.addEventListener('click', (e) => {
  const tr = e.target.closest('tr');
  if (!tr || e.target.closest('a')) return;
  location.hash = `#/e/${tr.dataset.id}`;
});

rows.addEventListener('keydown', (e) => {
  const links = [...rows.querySelectorAll('.row-link')];
  const at = links.indexOf(document.activeElement);
  if (at < 0) return;
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, j: at + 1, k: at - 1, Home: 0, End: links.length - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  links[Math.max(0, Math.min(links.length - 1, to))].focus();
});

detailPane.addEventListener('scroll', () => detailPane.querySelector('.detail-head')?.classList.toggle('stuck', detailPane.scrollTop > 4), { passive: true });
typeFilter.addEventListener('change', renderRows);
failedFilter.addEventListener('change', renderRows);
window.addEventListener('hashchange', route);

openStream({ onSnapshot, onExchange, onSession: renderSession, onState });
route();
