// Tiny DOM helpers: no framework, no innerHTML for data.

/** Build an element: h('p', {class: 'x', onclick: fn}, 'text', child, [more]). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let ids = 0;
/** A page-unique id for label/aria wiring. */
export const uid = (prefix = 'id') => `${prefix}-${++ids}`;

/** Replace the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * A data table: a caption (null for none), a header row of `columns` (texts, or header cells the
 * caller builds), then `rows` (the <tr>s, or a <tbody> the caller keeps adding to). Options: `attrs`
 * of the <table>; `hideCaption` (read out, not shown); `region`, the name of a scrollable region
 * reachable by keyboard to wrap it in (class `regionClass`), for tables wider than a phone.
 */
export function dataTable(caption, columns, rows, opts = {}) {
  const { attrs = {}, hideCaption = false, region = null, regionClass = 'table-wrap' } = opts;
  const table = h(
    'table',
    attrs,
    caption != null && h('caption', { class: hideCaption ? 'visually-hidden' : null }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => (c instanceof Node ? c : h('th', { scope: 'col' }, c))),
      ),
    ),
    rows instanceof Node && rows.tagName === 'TBODY' ? rows : h('tbody', {}, rows),
  );
  if (region == null) return table;
  return h('div', { class: regionClass, role: 'region', 'aria-label': region, tabindex: '0' }, table);
}

/** A small button in a table row; `who` (its aria-label) says what it does to which row, since
 * every row has the same visible label. */
export const rowButton = (label, who, onclick) =>
  h('button', { type: 'button', class: 'btn small', 'aria-label': who, onclick }, label);

/** Say something to screen readers (polite) without moving focus. */
export function announce(text) {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  setTimeout(() => {
    live.textContent = text;
  }, 30);
}

/** HTML from the server (help articles) reduced to a safe subset; snippets keep only <mark>. */
const ALLOWED = new Set([
  'P',
  'H2',
  'H3',
  'H4',
  'UL',
  'OL',
  'LI',
  'STRONG',
  'EM',
  'B',
  'I',
  'A',
  'MARK',
  'BLOCKQUOTE',
  'CODE',
  'PRE',
  'TABLE',
  'THEAD',
  'TBODY',
  'TR',
  'TH',
  'TD',
  'BR',
  'HR',
  'SPAN',
]);

export function safeHtml(html, allowed = ALLOWED) {
  const tpl = document.createElement('template');
  tpl.innerHTML = String(html || '');
  const out = document.createDocumentFragment();
  const copy = (src, dst) => {
    for (const node of src.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) dst.append(node.textContent);
      else if (node.nodeType === Node.ELEMENT_NODE) {
        if (!allowed.has(node.tagName)) {
          copy(node, dst);
          continue;
        }
        const el = document.createElement(node.tagName.toLowerCase());
        if (node.tagName === 'A') {
          const href = node.getAttribute('href') || '';
          if (/^(https?:|mailto:|tel:|#|\/)/i.test(href)) el.setAttribute('href', href);
          if (/^https?:/i.test(href)) el.setAttribute('rel', 'noopener');
        }
        copy(node, el);
        dst.append(el);
      }
    }
  };
  copy(tpl.content, out);
  return out;
}

export const snippet = (html) => safeHtml(html, new Set(['MARK']));
