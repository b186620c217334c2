// Builds the page's DOM from exchange JSON. Every value goes in as text, never as HTML.
import {
  base64Bytes,
  formatBytes,
  formatLatency,
  formatTime,
  hexDump,
  jsonTokens,
  prettyJson,
  statusLabel,
  statusText,
  statusTone,
} from './format.js';

/** createElement with attributes and children; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false || value === null) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) el.append(child);
  return el;
}

/** What a row calls an event: its type, or the request line when the provider's envelope has none. */
export function eventName(x) {
  return x.eventType ?? `${x.method} ${x.path}`;
}

function statusPill(x) {
  return h('span', { class: `pill ${statusTone(x)}` }, statusLabel(x));
}

/** One row of the list. The link is the row's keyboard stop; a click anywhere on the row opens it. */
export function row(x) {
  // The request line only says something when it is not the usual POST to the channel itself.
  const line = x.eventType && (x.method !== 'POST' || x.path !== '/') ? `${x.method} ${x.path}` : undefined;
  const sub = [x.route ? `route ${x.route}` : undefined, x.providerEventId ?? x.eventId, line].filter(Boolean).join(' · ');
  return h(
    'tr',
    { dataset: { id: x.id, type: x.eventType ?? '', ok: String(x.ok) }, class: `row ${x.ok ? '' : 'failed'}` },
    h('td', { class: 'time mono' }, formatTime(x.sentAt)),
    h(
      'td',
      { class: 'event' },
      h('a', { href: `#/e/${x.id}`, class: 'row-link' }, eventName(x)),
      h('span', { class: 'sub mono' }, sub),
    ),
    h('td', {}, statusPill(x)),
    h('td', { class: 'num mono' }, formatLatency(x.durationMs)),
    h(
      'td',
      { class: 'num' },
      h('span', { class: x.attempt > 1 ? 'attempt replay' : 'attempt', title: x.attempt > 1 ? `replay${x.edited ? ' with an edited body' : ''} of #${x.replayOf}` : 'delivery' }, String(x.attempt)),
      x.edited ? h('span', { class: 'edited', title: 'sent with an edited body' }, 'edited') : undefined,
    ),
  );
}

function headersTable(pairs, signed = [], caption) {
  const marked = new Set(signed);
  return h(
    'details',
    { class: 'headers', open: true },
    h('summary', {}, `${caption} (${pairs.length})`),
    pairs.length === 0
      ? h('p', { class: 'muted' }, 'none')
      : h(
          'table',
          {},
          h('caption', { class: 'visually-hidden' }, caption),
          h('colgroup', {}, h('col', { class: 'name' }), h('col')),
          h('tbody', {}, ...pairs.map(([name, value]) =>
            h(
              'tr',
              { class: marked.has(name.toLowerCase()) ? 'signed' : undefined },
              h('th', { scope: 'row', class: 'mono' }, name, marked.has(name.toLowerCase()) ? h('span', { class: 'badge' }, 'signed') : undefined),
              h('td', { class: 'mono' }, value),
            ),
          )),
        ),
  );
}

const HIGHLIGHT_LIMIT = 200_000;

function codeBlock(text, json) {
  const pre = h('pre', { class: 'code', tabindex: '0' });
  if (json && text.length <= HIGHLIGHT_LIMIT) {
    for (const [piece, cls] of jsonTokens(text)) pre.append(cls ? h('span', { class: cls }, piece) : piece);
  } else pre.textContent = text;
  return pre;
}

/** A body: JSON pretty-printed (with a toggle to the exact bytes), other text raw, binary as hex. */
export function bodyView(body, label) {
  const meta = [formatBytes(body.size), body.contentType].filter(Boolean).join(' · ');
  const head = h('div', { class: 'body-head' }, h('h4', {}, label), h('span', { class: 'muted' }, meta));
  if (body.size === 0) return h('div', { class: 'body' }, head, h('p', { class: 'muted' }, 'empty body'));
  if (body.text === undefined) {
    return h('div', { class: 'body' }, head, h('p', { class: 'muted' }, 'Binary body, shown as hex.'), codeBlock(hexDump(base64Bytes(body.base64)), false));
  }
  if (!body.json) return h('div', { class: 'body' }, head, codeBlock(body.text, false));
  const pretty = codeBlock(prettyJson(body.text), true);
  const raw = codeBlock(body.text, false);
  raw.hidden = true;
  const toggle = h('button', { type: 'button', class: 'small', 'aria-pressed': 'false' }, 'Show raw bytes');
  toggle.addEventListener('click', () => {
    const showRaw = raw.hidden;
    raw.hidden = !showRaw;
    pretty.hidden = showRaw;
    toggle.setAttribute('aria-pressed', String(showRaw));
    toggle.textContent = showRaw ? 'Show pretty JSON' : 'Show raw bytes';
  });
  head.append(toggle);
  return h('div', { class: 'body' }, head, pretty, raw);
}

function fact(term, ...value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, ...value));
}

/** The detail view of one exchange; `actions` are the button handlers. */
export function detail(x, actions) {
  const received = x.received;
  const requestLine = `${received.method} ${received.path}${received.query ? `?${received.query}` : ''}`;
  const answer = x.response.status !== undefined ? statusText(x.response.status) : (x.response.error?.message ?? 'no answer');
  const editable = received.body.text !== undefined;
  const title = x.eventType ?? requestLine;

  const status = h('p', { id: 'action-status', class: 'action-status', role: 'status', 'aria-live': 'polite' });
  const textarea = h('textarea', { id: 'edit-body', class: 'mono', spellcheck: 'false', rows: '14' });
  textarea.value = received.body.text ?? '';
  const editor = h(
    'form',
    { id: 'editor', class: 'editor', hidden: true, 'aria-labelledby': 'editor-title' },
    h('h3', { id: 'editor-title' }, 'Replay with an edited body'),
    h('p', { class: 'muted', id: 'editor-hint' }, actions.resign === false ? 'Sent with the original signature headers: this listener does not re-sign.' : 'whcli signs exactly these bytes with a fresh signature.'),
    h('label', { for: 'edit-body', class: 'visually-hidden' }, 'Body to send'),
    textarea,
    h(
      'div',
      { class: 'editor-actions' },
      h('button', { type: 'submit', class: 'primary', id: 'send-edited' }, 'Send edited body'),
      h('button', { type: 'button', id: 'cancel-edit' }, 'Cancel'),
      received.body.json ? h('button', { type: 'button', id: 'format-json', title: 'Re-indent the JSON: this changes the bytes sent' }, 'Format JSON') : undefined,
    ),
  );
  textarea.setAttribute('aria-describedby', 'editor-hint');

  const replayButton = h('button', { type: 'button', class: 'primary', id: 'replay' }, 'Replay');
  const editButton = h('button', { type: 'button', id: 'edit', 'aria-expanded': 'false', 'aria-controls': 'editor', disabled: !editable, title: editable ? undefined : 'Binary bodies cannot be edited here' }, 'Edit & replay');
  const copyButton = h('button', { type: 'button', id: 'copy-curl' }, 'Copy as curl');
  replayButton.addEventListener('click', () => actions.replay());
  editButton.addEventListener('click', () => {
    editor.hidden = !editor.hidden;
    editButton.setAttribute('aria-expanded', String(!editor.hidden));
    if (!editor.hidden) {
      textarea.focus();
      textarea.setSelectionRange(0, 0);
      textarea.scrollTop = 0;
    }
  });
  editor.querySelector('#format-json')?.addEventListener('click', () => {
    try {
      textarea.value = prettyJson(textarea.value);
    } catch (error) {
      actions.status(`Not valid JSON: ${error.message}`, 'fail');
    }
  });
  editor.querySelector('#cancel-edit').addEventListener('click', () => {
    editor.hidden = true;
    editButton.setAttribute('aria-expanded', 'false');
    editButton.focus();
  });
  editor.addEventListener('submit', (e) => {
    e.preventDefault();
    actions.replay(textarea.value);
  });
  copyButton.addEventListener('click', () => actions.copyCurl(x.curl));

  const origin = x.attempt > 1
    ? h('span', {}, `replay of `, h('a', { href: `#/e/${x.replayOf}` }, `#${x.replayOf}`), x.edited ? ' with an edited body' : '')
    : 'delivery';

  return h(
    'article',
    { class: 'detail', 'aria-labelledby': 'detail-title' },
    h(
      'header',
      { class: 'detail-head' },
      h(
        'div',
        {},
        h('h2', { id: 'detail-title' }, title, ' ', statusPill(x)),
        h('p', { class: 'muted mono ids' }, [x.providerEventId, x.eventId].filter(Boolean).join(' · ')),
      ),
      h('div', { class: 'actions' }, replayButton, editButton, copyButton),
      status,
    ),
    h(
      'dl',
      { class: 'facts' },
      fact('Received', formatTime(x.receivedAt)),
      fact('Sent', formatTime(x.sentAt)),
      fact('Latency', formatLatency(x.durationMs)),
      fact('Attempt', `${x.attempt} · `, origin),
    ),
    editor,
    h(
      'section',
      { class: 'block', 'aria-labelledby': 'received-title' },
      h('h3', { id: 'received-title' }, 'Request received'),
      h('p', { class: 'req-line mono' }, requestLine),
      headersTable(received.headers, [], 'Headers'),
      bodyView(received.body, 'Body'),
    ),
    h(
      'section',
      { class: 'block', 'aria-labelledby': 'sent-title' },
      h('h3', { id: 'sent-title' }, 'Signed and forwarded'),
      h('p', { class: 'req-line mono' }, `${x.sent.method} ${x.sent.url}`),
      headersTable(x.sent.headers, x.sent.signed, 'Headers sent'),
      x.sent.body ? bodyView(x.sent.body, 'Edited body sent') : h('p', { class: 'muted note' }, 'Body: the bytes received, unchanged.'),
    ),
    h(
      'section',
      { class: 'block', 'aria-labelledby': 'response-title' },
      h('h3', { id: 'response-title' }, 'Handler response'),
      h('p', { class: `req-line mono tone-${statusTone(x)}` }, `${answer} · ${formatLatency(x.response.durationMs)}`),
      x.response.status !== undefined ? headersTable(x.response.headers, [], 'Headers') : undefined,
      x.response.status !== undefined
        ? bodyView(responseBody(x.response), x.response.bodyBytes > (x.response.body ?? '').length ? `Body (first ${formatBytes(new TextEncoder().encode(x.response.body ?? '').length)})` : 'Body')
        : undefined,
    ),
    h(
      'details',
      { class: 'block curl' },
      h('summary', {}, 'curl command'),
      h('p', { class: 'muted' }, 'Repeats this exact request. Signatures with a timestamp expire after the provider\u2019s tolerance (5 minutes for Stripe).'),
      h('pre', { class: 'code', id: 'curl-text', tabindex: '0' }, x.curl),
    ),
  );
}

function responseBody(response) {
  const text = response.body ?? '';
  const contentType = response.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  let json = false;
  try {
    JSON.parse(text);
    json = text.trim() !== '';
  } catch {
    // shown raw
  }
  return { size: response.bodyBytes ?? text.length, contentType, text, json };
}
