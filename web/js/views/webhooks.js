// Outbound webhooks for admins (#/agente/webhooks): the endpoints, a new one with its secret shown
// once, each endpoint's delivery log a page at a time, and the dead letters with their redrive.
import { h, announce, dataTable, rowButton } from '../dom.js';
import { fmtDateTime, t } from '../i18n.js';
import {
  busy,
  errorSummary,
  field,
  statusLine,
  bound,
  checkedForm,
  actionButton,
  confirmThen,
} from '../forms.js';
import { staffRequest } from './agent.js';
import { checkGroup, guarded, page, showApiError, trackChanges, saveOrCancel } from './console_kit.js';

const ADMINS = ['admin'];
export const EVENTS = [
  'TicketCreated',
  'TicketStatusChanged',
  'TicketAssigned',
  'NoteAdded',
  'AgentReplied',
  'CitizenReplied',
  'SlaWarning',
  'SlaBreached',
  'TicketEscalated',
  'LegalDeadlineExtended',
  'SurveyAnswered',
];
const eventLabel = (name) => `${t(`webhooks.event.${name}`)} (${name})`;

function newForm(done, showSecret) {
  const v = { name: '', url: '', secret: '', active: true };
  const events = checkGroup(
    'events',
    t('webhooks.field.events'),
    EVENTS.map((e) => ({ value: e, label: eventLabel(e) })),
    ['TicketCreated', 'TicketStatusChanged'],
  );
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'webhook-new-h',
      send: async () => {
        const body = { name: v.name.trim(), url: v.url.trim(), events: events.values(), active: v.active };
        if (v.secret) body.secret = v.secret;
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          const created = await staffRequest('/admin/webhooks', { method: 'POST', body });
          tracker.saved();
          showSecret(created);
        } catch (err) {
          busy(button, false);
          if (err.status === 401) throw err;
          showApiError(form, err);
        }
      },
    },
    h('h2', { id: 'webhook-new-h' }, t('webhooks.new_title')),
    errorSummary(),
    field({ name: 'name', label: t('webhooks.field.name'), required: true, ...bound(v, 'name') }),
    field({
      name: 'url',
      label: t('webhooks.field.url'),
      required: true,
      hint: t('webhooks.url_hint'),
      inputmode: 'url',
      ...bound(v, 'url'),
    }),
    events,
    field({
      name: 'secret',
      label: t('webhooks.field.secret'),
      hint: t('webhooks.secret_hint'),
      autocomplete: 'off',
      ...bound(v, 'secret'),
    }),
    field({
      name: 'active',
      kind: 'checkbox',
      label: t('webhooks.field.active'),
      value: true,
      onInput: (x) => {
        v.active = x;
      },
    }),
    saveOrCancel(t('webhooks.create'), () => {
      tracker.saved();
      done();
    }),
  );
  const tracker = trackChanges(form);
  return form;
}

/** The secret of a new endpoint, once: the admin copies it to the receiver now. */
function secretPanel(created, done) {
  return h(
    'section',
    {
      class: 'card secret-once',
      'aria-labelledby': 'webhook-secret-h',
      'data-testid': 'webhook-secret-panel',
    },
    h('h2', { id: 'webhook-secret-h', tabindex: '-1' }, t('webhooks.secret_title', { name: created.name })),
    h('p', {}, t('webhooks.secret_once')),
    h('p', {}, h('code', { 'data-testid': 'webhook-secret' }, created.secret)),
    h('p', { class: 'hint' }, t('webhooks.secret_how')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn primary', onclick: done }, t('webhooks.secret_done')),
    ),
  );
}

const KNOWN_ERRORS = [
  'connection_failed',
  'timeout',
  'tls',
  'webhook_url_private',
  'webhook_url_unresolvable',
  'secret_unreadable',
];

function outcomeText(d) {
  const base = t(`webhooks.outcome.${d.outcome}`);
  if (d.status_code) return `${base} (HTTP ${d.status_code})`;
  if (!d.error) return base;
  return `${base} (${KNOWN_ERRORS.includes(d.error) ? t(`webhooks.error.${d.error}`) : d.error})`;
}

async function deliveryLog(hook) {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'btn', hidden: true }, t('webhooks.log_more'));
  const empty = h('p', { hidden: true }, t('webhooks.log_empty'));
  let cursor = null;
  const load = async () => {
    const q = new URLSearchParams({ limit: '25' });
    if (cursor) q.set('cursor', cursor);
    const pageData = await staffRequest(`/admin/webhooks/${hook.id}/deliveries?${q}`);
    body.append(
      ...pageData.items.map((d) =>
        h(
          'tr',
          { class: `outcome-${d.outcome}` },
          h('td', {}, fmtDateTime(d.at)),
          h('td', {}, d.event),
          h('td', {}, d.number || '—'),
          h('td', {}, String(d.attempt)),
          h('th', { scope: 'row' }, outcomeText(d)),
          h('td', {}, `${d.duration_ms} ms`),
        ),
      ),
    );
    cursor = pageData.next;
    more.hidden = !cursor;
    empty.hidden = body.children.length > 0;
  };
  more.addEventListener('click', async () => {
    busy(more, true);
    await load();
    busy(more, false);
  });
  await load();
  const caption = t('webhooks.log_caption', { name: hook.name });
  return h(
    'section',
    { class: 'delivery-log', 'aria-labelledby': 'webhook-log-h', 'data-testid': 'webhook-log' },
    h('h2', { id: 'webhook-log-h', tabindex: '-1' }, caption),
    empty,
    dataTable(
      caption,
      ['at', 'event', 'number', 'attempt', 'outcome', 'duration'].map((c) => t(`webhooks.log_col.${c}`)),
      body,
      { attrs: { class: 'queue' }, region: caption },
    ),
    more,
  );
}

function deadLetters(list, rerender) {
  const status = statusLine();
  const redrive = actionButton(
    {
      class: 'btn',
      disabled: list.total === 0,
      run: async () => {
        const out = await staffRequest('/admin/webhook-dead-letters/redrive', {
          method: 'POST',
          body: { limit: 1000 },
        });
        sessionStorage.setItem(FLASH, t('webhooks.redriven', { count: out.moved }));
        rerender();
      },
      fail: (err) => {
        status.textContent = err.message;
      },
      stay: true,
    },
    t('webhooks.redrive'),
  );
  return h(
    'section',
    { class: 'dead-letters', 'aria-labelledby': 'webhook-dlq-h' },
    h('h2', { id: 'webhook-dlq-h' }, t('webhooks.dlq_title')),
    h('p', { 'data-testid': 'webhook-dlq-count' }, t('webhooks.dlq_count', { count: list.total })),
    list.items.length
      ? h(
          'ul',
          {},
          list.items.map((d) =>
            h(
              'li',
              {},
              t('webhooks.dlq_item', {
                event: d.event,
                number: d.number || '—',
                receives: d.receives,
                hook: d.webhook_id,
              }),
            ),
          ),
        )
      : null,
    h('div', { class: 'actions' }, redrive),
    status,
  );
}

const FLASH = 'ventanilla.webhooks.flash';
function flashOnce() {
  const text = sessionStorage.getItem(FLASH);
  sessionStorage.removeItem(FLASH);
  return text ? h('p', { class: 'flash', role: 'status' }, text) : null;
}

export const render = guarded(ADMINS, 'webhooks.title', async (ctx, session) => {
  const [list, dead] = await Promise.all([
    staffRequest('/admin/webhooks'),
    staffRequest('/admin/webhook-dead-letters?limit=20'),
  ]);
  const slot = h('div', { class: 'editor-slot' });
  const logSlot = h('div', { class: 'log-slot' });
  const status = statusLine();
  const done = () => ctx.rerender();
  const openNew = () => {
    slot.replaceChildren(
      newForm(done, (created) => {
        slot.replaceChildren(secretPanel(created, done));
        listArea.hidden = true;
        slot.querySelector('h2').focus();
        announce(t('webhooks.created', { name: created.name }));
      }),
    );
    slot.querySelector('input').focus();
  };
  const showLog = async (hook, button) => {
    busy(button, true);
    try {
      logSlot.replaceChildren(await deliveryLog(hook));
      logSlot.querySelector('h2').focus();
    } finally {
      busy(button, false);
    }
  };
  const toggle = (hook, button) =>
    confirmThen(null, button, status, async () => {
      await staffRequest(`/admin/webhooks/${hook.id}`, {
        method: 'PUT',
        body: { name: hook.name, url: hook.url, events: hook.events, active: !hook.active },
      });
      sessionStorage.setItem(
        FLASH,
        t(hook.active ? 'webhooks.paused' : 'webhooks.resumed', { name: hook.name }),
      );
      done();
    });
  const remove = (hook, button) =>
    confirmThen(t('webhooks.delete_confirm', { name: hook.name }), button, status, async () => {
      await staffRequest(`/admin/webhooks/${hook.id}`, { method: 'DELETE' });
      sessionStorage.setItem(FLASH, t('webhooks.deleted', { name: hook.name }));
      done();
    });
  const rows = list.items.map((w) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, w.name),
      h('td', { class: 'url' }, h('code', {}, w.url)),
      h('td', {}, w.events.join(', ')),
      h('td', {}, w.active ? t('webhooks.active') : t('webhooks.paused_state')),
      h('td', {}, h('code', {}, `…${w.secret_last4}`)),
      h(
        'td',
        { class: 'row-actions' },
        rowButton(t('webhooks.log'), t('webhooks.log_who', { name: w.name }), (e) =>
          showLog(w, e.currentTarget),
        ),
        rowButton(
          t(w.active ? 'webhooks.pause' : 'webhooks.resume'),
          t(w.active ? 'webhooks.pause_who' : 'webhooks.resume_who', { name: w.name }),
          (e) => toggle(w, e.currentTarget),
        ),
        rowButton(t('admin.delete'), t('webhooks.delete_who', { name: w.name }), (e) =>
          remove(w, e.currentTarget),
        ),
      ),
    ),
  );
  const listArea = h(
    'div',
    {},
    list.items.length
      ? dataTable(
          t('webhooks.caption'),
          ['name', 'url', 'events', 'state', 'secret', 'actions'].map((c) => t(`webhooks.col.${c}`)),
          rows,
          { attrs: { class: 'queue' }, region: t('webhooks.caption') },
        )
      : h('p', {}, t('webhooks.none')),
    logSlot,
    deadLetters(dead, done),
  );
  return page(
    session,
    '/agente/webhooks',
    'webhooks.title',
    flashOnce(),
    h('p', {}, t('webhooks.lead')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn primary', onclick: openNew }, t('webhooks.new')),
    ),
    slot,
    status,
    listArea,
  );
});
