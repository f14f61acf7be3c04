// The agent's ticket page (#/agente/solicitud/N), a work surface: the conversation newest last with
// the composer under it ("send and set status" in one request), a side panel (requester, articles
// the citizen saw, SLA, assignment to a colleague), presence of other staff on the same request,
// a refresh when the request changes (the citizen replied) that keeps the draft, a stale save shown
// as a conflict with the draft kept, and keyboard shortcuts (j/k r n ?). Loaded only by staff.
import { attachmentsBox } from '../uploads.js';
import { h, announce, mount } from '../dom.js';
import { catalog, config, qs } from '../api.js';
import { fmtDateTime, fmtShort, pick, t } from '../i18n.js';
import {
  busy,
  clearErrors,
  errorSummary,
  field,
  showErrors,
  statusLine,
  bound,
  checkedForm,
  actionButton,
} from '../forms.js';
import { DEFAULT_WARNINGS, slaState } from '../sla.js';
import { go } from '../app.js';
import { staffRequest, whoBar, withSession } from './agent.js';
import { ticketAssetsBox } from './assets.js';
import { proposeArticleBox } from './editor_propose.js';

const PRIORITIES = ['critical', 'high', 'medium', 'low'];
/** "Send and set status": the statuses a reply can move the request to in the same request. */
const SEND_AND_SET = ['waiting_citizen', 'resolved'];
const LAST_QUEUE = 'ventanilla.queue';
/** The queue page may leave its order here (a JSON list of numbers); else j/k read the queue. */
const QUEUE_NUMBERS = 'ventanilla.queue.numbers';
const POLL_MS = 15_000;
const DRAFT = (number) => `ventanilla.draft.${number}`;

/** A status as staff read it ("Esperando al ciudadano", not the citizen's "Esperando su respuesta"). */
export const staffStatus = (s) => t(`ticket.status.${s}`);

async function warnings() {
  try {
    return (await config()).sla_warnings || DEFAULT_WARNINGS;
  } catch {
    return DEFAULT_WARNINGS;
  }
}

function slaBadge(item, now, shares) {
  const state = slaState(item, now, shares);
  return state ? h('span', { class: `badge sla-${state}`, 'data-sla': state }, t(`sla.${state}`)) : null;
}

function backLink() {
  const last = sessionStorage.getItem(LAST_QUEUE);
  return h('p', {}, h('a', { href: `#/agente${last ? `?${last}` : ''}` }, `← ${t('agent.back_to_queue')}`));
}

// ---- the draft: survives a refresh, a conflict and a reload of the page -------------------------

const drafts = {
  read: (number) => {
    try {
      return JSON.parse(sessionStorage.getItem(DRAFT(number)) || '{}');
    } catch {
      return {};
    }
  },
  write: (number, d) => {
    if (d.body && d.body.trim()) sessionStorage.setItem(DRAFT(number), JSON.stringify(d));
    else sessionStorage.removeItem(DRAFT(number));
  },
  clear: (number) => sessionStorage.removeItem(DRAFT(number)),
};

// ---- the page -----------------------------------------------------------------------------------

export const renderTicket = withSession(async ({ params }, session) => {
  const [number] = params;
  const [cat, shares] = await Promise.all([catalog(), warnings()]);
  let data;
  try {
    data = await staffRequest(`/agent/tickets/${number}`);
  } catch (e) {
    if (e.status === 404 || e.status === 403) {
      return h(
        'section',
        { class: 'agent' },
        whoBar(session),
        h('h1', {}, t('agent.ticket_title', { number })),
        h('p', { role: 'alert' }, e.message),
        backLink(),
      );
    }
    throw e;
  }
  if (data.access === 'filer') {
    const root = h('section', { class: 'agent ticket-staff' });
    drawFiled(root, data, session, cat);
    return root;
  }
  const root = h('section', { class: 'agent ticket-staff ticket-desk' });
  const desk = { root, session, cat: { ...cat, shares }, data, others: [], colleagues: null };
  drawTicket(desk);
  startLive(desk);
  return root;
});

/** An internal request the reader filed for a team not theirs: its public conversation, read only. */
function drawFiled(root, data, session, cat) {
  const tk = data.ticket;
  const r = tk.requester || {};
  const assets = h(
    'section',
    { 'aria-labelledby': 'fassets-h', 'data-testid': 'filer-assets' },
    h('h2', { id: 'fassets-h' }, t('assets.ticket_box')),
  );
  staffRequest(`/agent/tickets/${tk.number}/assets`)
    .then(({ items }) => {
      assets.append(
        items.length
          ? h(
              'ul',
              { class: 'plain' },
              items.map((a) =>
                h('li', { 'data-inv': a.inventory_number }, `${a.inventory_number} — ${a.name}`),
              ),
            )
          : h('p', {}, t('assets.ticket_none')),
      );
    })
    .catch(() => assets.remove());
  root.replaceChildren(
    whoBar(session),
    backLink(),
    ...titleLines(tk),
    h(
      'p',
      { class: 'badges' },
      statusBadge(tk, t(`status.${tk.status}`)),
      ' ',
      h('span', { class: 'badge' }, tk.team),
    ),
    h('p', { class: 'notice', 'data-testid': 'filer-view' }, t('agent.filer_view', { team: tk.team })),
    h(
      'section',
      { 'aria-labelledby': 'desc-h' },
      h('h2', { id: 'desc-h' }, t('agent.description')),
      h('div', { class: 'tl-body' }, tk.description),
    ),
    h(
      'section',
      { 'aria-labelledby': 'hist-h' },
      h('h2', { id: 'hist-h' }, t('agent.filer_history')),
      h(
        'ol',
        { class: 'timeline staff' },
        data.history.map((ev) => historyItem(ev, r.name, cat)),
      ),
    ),
    assets,
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('request.created')),
      h('dd', {}, fmtDateTime(tk.created_at)),
      h('dt', {}, t('request.expected')),
      h('dd', {}, fmtDateTime(tk.expected_response_by)),
      h('dt', {}, t('request.resolution_due')),
      h('dd', {}, fmtDateTime(tk.resolution_due)),
    ),
  );
}

/** Presence every POLL_MS (viewing, or replying while a draft is open), and a refresh when the
 * request's version moved (the citizen or a colleague changed it). Stops when the page is left. */
function startLive(desk) {
  const number = desk.data.ticket.number;
  let lastState = '';
  const beat = async (force = false) => {
    if (!desk.root.isConnected) {
      if (desk.shown) stop();
      return;
    }
    desk.shown = true;
    const state = (drafts.read(number).body || '').trim() ? 'replying' : 'viewing';
    if (!force && state === lastState && desk.beatAt && Date.now() - desk.beatAt < POLL_MS - 500) return;
    lastState = state;
    desk.beatAt = Date.now();
    try {
      const p = await staffRequest(`/agent/tickets/${number}/presence`, { method: 'PUT', body: { state } });
      if (!desk.root.isConnected) return;
      desk.others = p.others;
      drawPresence(desk);
      if (p.version > desk.data.ticket.version && !desk.busy) await refresh(desk);
    } catch {
      /* presence is advisory: a failed beat waits for the next */
    }
  };
  const timer = setInterval(() => beat(true), POLL_MS);
  const onKey = (e) => shortcut(e, desk);
  const onVisible = () => {
    if (document.visibilityState === 'visible') beat(true);
  };
  const onHash = () =>
    setTimeout(() => {
      if (!desk.root.isConnected || !location.hash.includes(number)) stop();
    }, 0);
  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    document.removeEventListener('keydown', onKey);
    document.removeEventListener('visibilitychange', onVisible);
    window.removeEventListener('hashchange', onHash);
    staffRequest(`/agent/tickets/${number}/presence`, { method: 'DELETE' }).catch(() => {});
  }
  document.addEventListener('keydown', onKey);
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('hashchange', onHash);
  desk.beat = beat;
  // The router mounts the page after this view returns: the first beat waits for it (a few s at most).
  let tries = 0;
  const first = () => {
    if (desk.root.isConnected) beat(true);
    else if (++tries < 100) setTimeout(first, 50);
    else stop();
  };
  first();
}

/** Read the request again and draw it, keeping the draft, the note/reply mode and the caret. */
async function refresh(desk, message = '', kind = 'ok') {
  const fresh = await staffRequest(`/agent/tickets/${desk.data.ticket.number}`);
  const before = desk.data;
  const area = desk.root.querySelector('textarea[name="body"]');
  const typing = area && document.activeElement === area ? [area.selectionStart, area.selectionEnd] : null;
  desk.data = fresh;
  const news = fresh.history.slice(before.history.length);
  const citizen = news.some((e) => e.actor.kind === 'citizen' && e.action === 'message');
  const text = message || (citizen ? t('ticket.citizen_replied') : t('ticket.updated'));
  drawTicket(desk, text, message ? kind : 'info');
  if (typing) {
    const again = desk.root.querySelector('textarea[name="body"]');
    again.focus();
    again.setSelectionRange(...typing);
  }
  if (!message) announce(text);
}

function drawTicket(desk, message = '', kind = 'ok') {
  const { root, session, cat, data } = desk;
  const tk = data.ticket;
  const status = statusLine();
  status.textContent = kind === 'ok' ? message : '';
  status.setAttribute('tabindex', '-1');
  // A conflict or a change under the agent's feet is not a success: its own box, not green.
  const alertBox = h(
    'p',
    {
      class: `notice desk-${kind}`,
      role: kind === 'conflict' ? 'alert' : 'status',
      'data-testid': 'desk-notice',
      hidden: kind === 'ok' || !message,
      tabindex: '-1',
    },
    kind === 'ok' ? '' : message,
  );

  const act = deskAction(desk);

  const r = tk.requester || {};
  mount(
    root,
    whoBar(session),
    backLink(),
    ticketHeader(tk, cat),
    h('div', { class: 'presence', 'data-testid': 'presence', role: 'status', 'aria-live': 'polite' }),
    status,
    alertBox,
    mergedNotes(tk),
    jumpNav(tk),
    h(
      'div',
      { class: 'cols desk-cols' },
      h(
        'div',
        { class: 'col-main' },
        descriptionBox(tk, cat),
        conversation(data.history, r.name, cat),
        attachmentsBox({
          api: staffRequest,
          base: `/agent/tickets/${tk.number}`,
          canUpload: tk.status !== 'closed',
        }),
        composer(desk, act),
        proposeArticleBox(tk, data.history, staffRequest),
      ),
      h(
        'div',
        { class: 'col-side' },
        requesterBox(tk),
        seenBox(data.seen_articles || []),
        assignBox(desk, act, status),
        statusForm(tk, data.next_statuses || [], act),
        slaPanel(tk),
        ticketAssetsBox(tk.number),
        tk.status === 'closed' || tk.status === 'resolved'
          ? []
          : [
              escalateForm(tk, act),
              tk.legal_kind ? extensionForm(tk, act) : null,
              reclassifyForm(tk, cat, act),
              mergeForm(tk, act),
            ],
        detailsBox(tk, cat),
        shortcutsBox(),
      ),
    ),
  );
  drawPresence(desk);
  for (const el of root.querySelectorAll('#compose-h, #sla-h, #escalate-h, #hist-h, #keys-h'))
    el.setAttribute('tabindex', '-1');
}

/** How every form on the page changes the request: POST with the version read, draw the page
 * again with the answer; a stale version reloads it and says so instead of overwriting. */
function deskAction(desk) {
  const { root } = desk;
  const tk = desk.data.ticket; // the version this page was drawn from
  return async (path, body, done, onSaved = null) => {
    desk.busy = true;
    try {
      const updated = await staffRequest(`/agent/tickets/${tk.number}/${path}`, {
        method: 'POST',
        body: { ...body, version: tk.version },
      });
      if (onSaved) onSaved(); // e.g. the sent draft is forgotten before the page is drawn again
      desk.data = updated;
      drawTicket(desk, done);
      announce(done);
      root.querySelector('.status-line').focus();
      return true;
    } catch (e) {
      if (e.status === 409 && e.problem.code === 'stale_version') {
        await refresh(desk, t('ticket.conflict'), 'conflict');
        root.querySelector('[data-testid="desk-notice"]').focus();
        return false;
      }
      throw e;
    } finally {
      desk.busy = false;
    }
  };
}

/** The request's number as the page heading (focus lands there) and its subject under it. */
const titleLines = (tk) => [
  h('h1', { tabindex: '-1' }, t('agent.ticket_title', { number: tk.number })),
  h('p', { class: 'lead' }, tk.subject),
];

const statusBadge = (tk, label) =>
  h('span', { class: `badge status-${tk.status}`, 'data-testid': 'staff-status' }, label);

function ticketHeader(tk, cat) {
  return [
    ...titleLines(tk),
    h(
      'p',
      { class: 'badges' },
      statusBadge(tk, staffStatus(tk.status)),
      ' ',
      h(
        'span',
        { class: `prio prio-${tk.priority}`, 'data-testid': 'staff-priority' },
        t(`priority.${tk.priority}`),
      ),
      ' ',
      h('span', { class: 'badge', 'data-testid': 'staff-tier' }, `${tk.team} · ${tk.tier}`),
      ' ',
      slaBadge(tk, Date.now(), cat.shares),
    ),
  ];
}

function mergedNotes(tk) {
  return [
    tk.merged_into
      ? h(
          'p',
          { class: 'notice', 'data-testid': 'merged-into' },
          t('agent.merged_into'),
          ' ',
          h('a', { href: `#/agente/solicitud/${tk.merged_into}` }, tk.merged_into),
        )
      : '',
    (tk.merged_from || []).length === 0
      ? ''
      : h(
          'p',
          { class: 'notice', 'data-testid': 'merged-from' },
          t('agent.merged_from'),
          ' ',
          tk.merged_from.map((n, i) => [i ? ', ' : '', h('a', { href: `#/agente/solicitud/${n}` }, n)]),
        ),
  ];
}

function jumpNav(tk) {
  const closedForms = tk.status === 'closed' || tk.status === 'resolved';
  return h(
    'nav',
    { class: 'jump', 'aria-label': t('agent.jump') },
    h(
      'ul',
      {},
      h('li', {}, h('a', { href: '#hist-h', onclick: jump }, t('ticket.conversation'))),
      h('li', {}, h('a', { href: '#compose-h', onclick: jump }, t('agent.compose'))),
      h('li', {}, h('a', { href: '#sla-h', onclick: jump }, t('agent.sla'))),
      !closedForms && h('li', {}, h('a', { href: '#escalate-h', onclick: jump }, t('agent.escalate'))),
      h('li', {}, h('a', { href: '#keys-h', onclick: jump }, t('ticket.keys.title'))),
    ),
  );
}

/** "Ana Rojas está respondiendo": the other staff on this request right now. */
function drawPresence(desk) {
  const box = desk.root.querySelector('[data-testid="presence"]');
  if (!box) return;
  const others = desk.others || [];
  mount(
    box,
    others.length === 0
      ? ''
      : h(
          'p',
          { class: `presence-line${others.some((o) => o.state === 'replying') ? ' replying' : ''}` },
          h('span', { class: 'presence-dot', 'aria-hidden': 'true' }),
          others.map((o, i) => [
            i ? ' · ' : '',
            t(o.state === 'replying' ? 'ticket.presence.replying' : 'ticket.presence.viewing', {
              name: o.name,
            }),
          ]),
        ),
  );
}

function descriptionBox(tk) {
  return h(
    'section',
    { 'aria-labelledby': 'desc-h' },
    h('h2', { id: 'desc-h' }, t('agent.description')),
    h('div', { class: 'tl-body' }, tk.description),
  );
}

/** The conversation, newest last: messages as bubbles (the citizen's, staff replies, internal
 * notes each their own look), the other steps as short lines between them. */
function conversation(history, requesterName, cat) {
  return h(
    'section',
    { 'aria-labelledby': 'hist-h', class: 'conversation' },
    h('h2', { id: 'hist-h' }, t('ticket.conversation')),
    h('p', { class: 'hint' }, t('ticket.conversation_hint')),
    h(
      'ol',
      { class: 'timeline staff', 'data-testid': 'conversation' },
      history.map((ev) => historyItem(ev, requesterName, cat)),
    ),
  );
}

/** The composer under the conversation: one message, sent as a reply, a reply that also sets a
 * status (one request, one notice), or an internal note. The draft is kept per request. */
function composer(desk, act) {
  const tk = desk.data.ticket;
  const draft = { body: '', mode: 'reply', ...drafts.read(tk.number) };
  const save = () => drafts.write(tk.number, draft);
  const closed = tk.status === 'closed';
  const hint = h('p', { class: 'hint', 'data-testid': 'canned-status', hidden: true });
  const modeLine = h('p', { class: 'composer-mode', 'data-testid': 'composer-mode' });
  const setStatusButtons = SEND_AND_SET.filter(
    (s) => s !== tk.status && (desk.data.next_statuses || []).includes(s),
  ).map((s) =>
    h(
      'button',
      { type: 'submit', class: 'btn send-and-set', value: s, 'data-status': s, disabled: closed },
      t(`ticket.send_and.${s}`),
    ),
  );
  const formEl = h(
    'form',
    { novalidate: true, class: 'composer', 'data-testid': 'composer' },
    h('h2', { id: 'compose-h' }, t('agent.compose')),
    errorSummary(),
    modeLine,
    field({
      name: 'body',
      kind: 'textarea',
      label: t('agent.message'),
      required: true,
      rows: 6,
      value: draft.body,
      hint: t('agent.message_hint'),
      onInput: (v) => {
        const wasEmpty = !(draft.body || '').trim();
        draft.body = v;
        save();
        if (wasEmpty && v.trim() && desk.beat) desk.beat(true); // "replying" at once, not in 15 s
      },
    }),
    hint,
    h(
      'div',
      { class: 'actions composer-actions' },
      h(
        'button',
        { type: 'submit', class: 'btn primary', value: 'reply', disabled: closed },
        t('agent.send_reply'),
      ),
      setStatusButtons,
      h('button', { type: 'submit', class: 'btn note', value: 'note' }, t('agent.add_note')),
    ),
  );
  const showMode = () => {
    formEl.classList.toggle('note-mode', draft.mode === 'note');
    modeLine.textContent = draft.mode === 'note' ? t('ticket.mode.note') : t('ticket.mode.reply');
  };
  formEl.setMode = (mode) => {
    draft.mode = mode;
    save();
    showMode();
  };
  showMode();
  addCannedPicker(formEl, tk, draft, { hint, modeLine, showMode, save });
  formEl.addEventListener('submit', (e) => sendComposer(e, formEl, tk, draft, act));
  // Ctrl+Enter sends in the mode chosen (r: reply, n: note).
  formEl.querySelector('textarea').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      formEl.querySelector(draft.mode === 'note' ? 'button[value="note"]' : 'button[value="reply"]').click();
    }
  });
  return formEl;
}

/** Canned responses that fit this ticket, filled in by the API; one may also set a status. */
function addCannedPicker(formEl, tk, draft, { hint, modeLine, showMode, save }) {
  staffRequest(`/agent/tickets/${tk.number}/canned`)
    .then(({ items }) => {
      if (!items.length || !formEl.isConnected) return;
      const picker = field({
        name: 'canned',
        kind: 'select',
        label: t('agent.canned'),
        options: items.map((c) => ({
          value: c.id,
          label: c.status ? `${c.title} → ${staffStatus(c.status)}` : c.title,
        })),
        onInput: (id) => {
          const chosen = items.find((c) => c.id === id);
          if (!chosen) return;
          const area = formEl.querySelector('textarea[name="body"]');
          area.value = chosen.body;
          draft.body = chosen.body;
          draft.mode = 'reply';
          showMode();
          save();
          for (const b of formEl.querySelectorAll('.send-and-set'))
            b.classList.toggle('primary', b.value === chosen.status);
          const button = chosen.status && formEl.querySelector(`.send-and-set[value="${chosen.status}"]`);
          hint.hidden = !chosen.status;
          hint.textContent = chosen.status
            ? t(button ? 'ticket.canned_sets' : 'ticket.canned_sets_not_now', {
                status: staffStatus(chosen.status),
                button: button ? button.textContent : '',
              })
            : '';
          announce(t('agent.canned_inserted', { title: chosen.title }));
          area.focus();
        },
      });
      formEl.insertBefore(picker, modeLine);
    })
    .catch(() => {});
}

/** Send the composer's message as the button pressed says: a note, a reply, or a reply that sets a status. */
async function sendComposer(e, formEl, tk, draft, act) {
  e.preventDefault();
  clearErrors(formEl);
  const how = e.submitter ? e.submitter.value : draft.mode === 'note' ? 'note' : 'reply';
  const body = (draft.body || '').trim();
  if (!body) {
    showErrors(formEl, [{ field: 'body', message: t('val.required') }]);
    return;
  }
  const buttons = formEl.querySelectorAll('button');
  for (const b of buttons) busy(b, true);
  const done =
    how === 'note'
      ? t('agent.note_saved')
      : SEND_AND_SET.includes(how)
        ? t('ticket.sent_and_set', { status: staffStatus(how) })
        : t('agent.reply_sent');
  try {
    const forget = () => drafts.clear(tk.number);
    if (how === 'note') await act('note', { body }, done, forget);
    else await act('reply', SEND_AND_SET.includes(how) ? { body, status: how } : { body }, done, forget);
  } catch (error) {
    for (const b of buttons) busy(b, false);
    showErrors(formEl, error.errors.length ? error.errors : [{ field: null, message: error.message }]);
  }
}

/** ``next``: the moves the API allows now, the usual next step first (GET /agent/tickets/{n}). */
function statusForm(tk, next, act) {
  const change = { status: next[0] || '', body: '' };
  const formEl = h(
    'form',
    { novalidate: true, class: 'status-form' },
    h('h2', {}, t('agent.change_status')),
    errorSummary(),
    next.length === 0
      ? h('p', {}, t('agent.final_status'))
      : [
          field({
            name: 'status',
            kind: 'select',
            label: t('agent.new_status'),
            required: true,
            options: next.map((s) => ({ value: s, label: staffStatus(s) })),
            ...bound(change, 'status'),
          }),
          field({
            name: 'status_body',
            kind: 'textarea',
            rows: 3,
            label: t('agent.status_comment'),
            hint: t('agent.status_comment_hint'),
            ...bound(change, 'body'),
          }),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'submit', class: 'btn' }, t('agent.apply_status')),
          ),
        ],
  );
  formEl.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(formEl);
    if (!change.status) {
      showErrors(formEl, [{ field: 'status', message: t('val.required') }]);
      return;
    }
    const button = formEl.querySelector('button');
    busy(button, true);
    try {
      await act(
        'status',
        { status: change.status, body: change.body.trim() || null },
        t('agent.status_changed', { status: staffStatus(change.status) }),
      );
    } catch (error) {
      busy(button, false);
      showErrors(
        formEl,
        error.errors.length
          ? error.errors.map((x) => ({ ...x, field: x.field === 'body' ? 'status_body' : x.field }))
          : [{ field: null, message: error.message }],
      );
    }
  });
  return formEl;
}

/** Take it, hand it to a colleague of the request's team, or take the name off it. */
function assignBox(desk, act, status) {
  const { session } = desk;
  const tk = desk.data.ticket;
  const mine = tk.assignee === session.sub;
  const open = tk.status !== 'closed';
  const run = (body, done) => async (e) => {
    const button = e.currentTarget;
    busy(button, true);
    try {
      await act('assign', body, done);
    } catch (error) {
      busy(button, false);
      status.textContent = error.message;
    }
  };
  const chosen = { sub: '' };
  const picker = h('div', { class: 'assign-to' });
  const box = h(
    'section',
    { class: 'assign', 'aria-labelledby': 'assign-h', 'data-testid': 'assign-box' },
    h('h2', { id: 'assign-h' }, t('agent.assignment')),
    h('p', {}, tk.assignee_name ? t('agent.assigned_to', { name: tk.assignee_name }) : t('agent.unassigned')),
    open &&
      h(
        'div',
        { class: 'actions' },
        !mine &&
          h(
            'button',
            {
              type: 'button',
              class: 'btn',
              onclick: run({ assignee: session.sub }, t('agent.assigned_to_me')),
            },
            t('agent.assign_me'),
          ),
        tk.assignee &&
          h(
            'button',
            {
              type: 'button',
              class: 'btn',
              onclick: run({ assignee: null, team: tk.team }, t('ticket.unassigned_done')),
            },
            t('ticket.unassign'),
          ),
      ),
    open && picker,
  );
  const fill = (list) => {
    const others = list.items.filter((c) => c.sub !== tk.assignee);
    if (!others.length) return;
    const select = field({
      name: 'assignee',
      kind: 'select',
      label: t('ticket.assign_to'),
      options: others.map((c) => ({
        value: c.sub,
        label: `${c.name}${c.tier ? ` · ${c.tier}` : ''}${c.available ? '' : ` (${t('ticket.not_available')})`}`,
      })),
      ...bound(chosen, 'sub'),
    });
    select.querySelector('.opt')?.remove();
    const go2 = h(
      'button',
      {
        type: 'button',
        class: 'btn',
        onclick: async (e) => {
          if (!chosen.sub) {
            status.textContent = t('ticket.assign_choose');
            return;
          }
          const who = others.find((c) => c.sub === chosen.sub);
          await run(
            { assignee: chosen.sub },
            t('ticket.assigned_to_other', { name: who ? who.name : '' }),
          )(e);
        },
      },
      t('ticket.assign'),
    );
    mount(picker, select, h('div', { class: 'actions' }, go2));
  };
  if (open) {
    if (desk.colleagues) fill(desk.colleagues);
    else
      staffRequest(`/agent/tickets/${tk.number}/colleagues`)
        .then((list) => {
          desk.colleagues = list;
          if (box.isConnected || !box.parentNode) fill(list);
        })
        .catch(() => {});
  }
  return box;
}

function seenBox(seen) {
  return h(
    'section',
    { 'aria-labelledby': 'seen-h' },
    h('h2', { id: 'seen-h' }, t('agent.seen_articles')),
    seen.length === 0
      ? h('p', { 'data-testid': 'seen-articles' }, t('agent.seen_none'))
      : h(
          'ul',
          { class: 'plain', 'data-testid': 'seen-articles' },
          seen.map((a) => h('li', {}, h('a', { href: `#/ayuda/${a.slug}` }, a.title || a.slug))),
        ),
  );
}

function detailsBox(tk, cat) {
  const r = tk.requester || {};
  const type = cat.types.find((x) => x.code === tk.type_code);
  const subtype = type && type.subtypes.find((s) => s.code === tk.subtype_code);
  const fieldDefs = Object.fromEntries(((subtype && subtype.fields) || []).map((f) => [f.name, f]));
  const formRows = Object.entries(tk.form || {}).map(([k, v]) => {
    const def = fieldDefs[k];
    const option = def && def.options && def.options.find((o) => o.value === v);
    return [
      h('dt', {}, def ? pick(def.label) : k),
      h(
        'dd',
        {},
        option ? pick(option.label) : typeof v === 'boolean' ? t(v ? 'common.yes' : 'common.no') : String(v),
      ),
    ];
  });
  return h(
    'section',
    { 'aria-labelledby': 'det-h' },
    h('h2', { id: 'det-h' }, t('agent.details')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('agent.requester')),
      h('dd', {}, r.name, r.kind === 'internal' ? ` (${t('agent.internal_user')})` : ''),
      r.email && [
        h('dt', {}, t('contact.datos.email')),
        h('dd', {}, h('a', { href: `mailto:${r.email}` }, r.email)),
      ],
      r.phone && [h('dt', {}, t('contact.datos.phone')), h('dd', {}, r.phone)],
      h('dt', {}, t('agent.notices')),
      h(
        'dd',
        {},
        (r.channels || []).map((c) => t(`channel.short.${c}`)).join(', ') || '—',
        ` · ${String(r.language || 'es').toUpperCase()}`,
      ),
      h('dt', {}, t('agent.topic')),
      h(
        'dd',
        {},
        type
          ? `${pick(type.name)} › ${subtype ? pick(subtype.name) : tk.subtype_code}`
          : `${tk.type_code}/${tk.subtype_code}`,
      ),
      h('dt', {}, t('agent.col.team')),
      h('dd', {}, `${tk.team} · ${tk.tier}`),
      h('dt', {}, t('agent.channel')),
      h('dd', {}, t(`channel.name.${tk.channel}`)),
      tk.location && [
        h('dt', {}, t('place.title')),
        h('dd', { 'data-testid': 'ticket-place' }, placeText(tk.location)),
      ],
      tk.media_url &&
        /^https?:\/\//.test(tk.media_url) && [
          h('dt', {}, t('agent.media')),
          h(
            'dd',
            {},
            h(
              'a',
              { href: tk.media_url, rel: 'noopener noreferrer nofollow', target: '_blank' },
              tk.media_url,
            ),
          ),
        ],
      h('dt', {}, t('request.created')),
      h('dd', {}, fmtDateTime(tk.created_at)),
      h('dt', {}, t('request.expected')),
      h('dd', {}, fmtDateTime(tk.expected_response_by)),
      tk.first_response_at && [
        h('dt', {}, t('agent.first_response')),
        h('dd', {}, fmtDateTime(tk.first_response_at)),
      ],
      h('dt', {}, t('request.resolution_due')),
      h('dd', {}, fmtDateTime(tk.resolution_due)),
      formRows,
    ),
  );
}

// ---- keyboard shortcuts ------------------------------------------------------------------------

const KEYS = [
  ['j', 'ticket.keys.next'],
  ['k', 'ticket.keys.previous'],
  ['r', 'ticket.keys.reply'],
  ['n', 'ticket.keys.note'],
  ['?', 'ticket.keys.help'],
  ['Ctrl+Enter', 'ticket.keys.send'],
];

function shortcutsBox() {
  return h(
    'section',
    { 'aria-labelledby': 'keys-h', class: 'keys-help', 'data-testid': 'shortcuts' },
    h('h2', { id: 'keys-h' }, t('ticket.keys.title')),
    h(
      'dl',
      { class: 'keys' },
      KEYS.flatMap(([key, label]) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, t(label))]),
    ),
    h('p', { class: 'hint' }, t('ticket.keys.not_in_fields')),
  );
}

function typingIn(target) {
  return target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** j/k next/previous request in the queue's order, r reply, n note, ? the list; never while the
 * agent types in a field or with a modifier key held (those belong to the browser). */
function shortcut(e, desk) {
  if (
    !desk.root.isConnected ||
    e.ctrlKey ||
    e.metaKey ||
    e.altKey ||
    typingIn(e.target) ||
    e.defaultPrevented
  )
    return;
  const form = desk.root.querySelector('form.composer');
  if (e.key === 'r' || e.key === 'n') {
    e.preventDefault();
    form.setMode(e.key === 'n' ? 'note' : 'reply');
    const area = form.querySelector('textarea');
    area.focus();
    area.scrollIntoView({ block: 'center' });
    announce(t(e.key === 'n' ? 'ticket.mode.note' : 'ticket.mode.reply'));
  } else if (e.key === 'j' || e.key === 'k') {
    e.preventDefault();
    neighbour(desk.data.ticket.number, e.key === 'j' ? 1 : -1).then((n) => {
      if (n) go(`/agente/solicitud/${n}`);
      else announce(t(e.key === 'j' ? 'ticket.keys.last' : 'ticket.keys.first'));
    });
  } else if (e.key === '?') {
    e.preventDefault();
    const head = desk.root.querySelector('#keys-h');
    head.scrollIntoView({ block: 'start' });
    head.focus();
  }
}

/** The request before or after this one in the queue the agent came from (its filters and order). */
async function neighbour(number, step) {
  let numbers;
  try {
    numbers = JSON.parse(sessionStorage.getItem(QUEUE_NUMBERS) || 'null');
  } catch {
    numbers = null;
  }
  if (!Array.isArray(numbers) || !numbers.includes(number)) {
    const f = new URLSearchParams(sessionStorage.getItem(LAST_QUEUE) || '');
    const query = qs({
      team: f.get('equipo'),
      status: f.get('estado'),
      priority: f.get('prioridad'),
      overdue: f.get('vencidas') === '1' ? '1' : '',
      order: f.get('orden') || 'due',
      limit: 100,
    });
    try {
      numbers = (await staffRequest(`/agent/queue?${query}`)).items.map((it) => it.number);
    } catch {
      return null;
    }
  }
  const at = numbers.indexOf(number);
  if (at < 0) return numbers[0] || null;
  return numbers[at + step] || null;
}

// ---- the rest of the page (moved from agent.js) -----------------------------------------------

/** The requester's record on demand (each look is written to the citizen's audit log): contacts,
 * their other requests in the agent's teams, and for requests staff entered, linking to an account. */
function requesterBox(tk) {
  const out = h('div', { 'data-testid': 'requester-panel' });
  const status = statusLine();
  const show = (panel) => {
    mount(
      out,
      h('p', {}, panel.has_account ? t('agent.req.has_account') : t('agent.req.no_account')),
      h(
        'ul',
        {},
        panel.contacts.map((c) =>
          h('li', {}, `${c.value} · ${t(c.verified ? 'agent.req.verified' : 'agent.req.unverified')}`),
        ),
      ),
      h('h3', {}, t('agent.req.others')),
      panel.other_requests.length
        ? h(
            'ul',
            {},
            panel.other_requests.map((o) =>
              h(
                'li',
                {},
                h('a', { href: `#/agente/solicitud/${o.number}` }, o.number),
                ` · ${o.subject} · ${t(`status.${o.status}`)}`,
              ),
            ),
          )
        : h('p', {}, t('agent.req.none')),
      panel.hidden_requests > 0 &&
        h('p', { class: 'hint' }, t('agent.req.hidden', { n: panel.hidden_requests })),
    );
  };
  const load = actionButton(
    {
      class: 'btn',
      run: async () => {
        show(await staffRequest(`/agent/tickets/${tk.number}/requester`));
        load.remove();
      },
      fail: (e) => {
        status.textContent = e.message;
      },
      stay: true,
    },
    t('agent.req.show'),
  );
  let link = null;
  if (tk.created_by) {
    const values = { email: '', checked: false };
    const submit = h('button', { type: 'submit', class: 'btn' }, t('agent.req.link'));
    link = checkedForm(
      {
        submit,
        send: async () => {
          show(
            await staffRequest(`/agent/tickets/${tk.number}/link`, {
              method: 'POST',
              body: { email: values.email.trim(), identity_checked: values.checked },
            }),
          );
          status.textContent = t('agent.req.linked');
        },
        fail: (error) => {
          if (error.errors && error.errors.length)
            showErrors(
              link,
              error.errors.map((x) => ({ field: x.field, message: x.message })),
            );
          else status.textContent = error.message;
        },
      },
      errorSummary(),
      field({
        name: 'email',
        kind: 'email',
        label: t('agent.req.email'),
        required: true,
        ...bound(values, 'email'),
      }),
      field({
        name: 'identity_checked',
        kind: 'checkbox',
        label: t('agent.req.identity'),
        required: true,
        ...bound(values, 'checked'),
      }),
      h('div', { class: 'actions' }, submit),
    );
  }
  return h(
    'section',
    { 'aria-labelledby': 'req-h' },
    h('h2', { id: 'req-h' }, t('agent.req.title')),
    h('p', { class: 'hint' }, t('agent.req.audited')),
    load,
    out,
    link,
    status,
  );
}

/** In-page links move the keyboard focus too (not only the scroll position). */
function jump(e) {
  e.preventDefault();
  const target = document.getElementById(e.currentTarget.getAttribute('href').slice(1));
  if (target) {
    target.focus();
    target.scrollIntoView({ block: 'start' });
  }
}

const hours = (seconds) => (seconds == null ? null : Math.round((seconds / 3600) * 10) / 10);

/** Due dates, what was met and when, breaches, pauses, escalation and extension. */
function slaPanel(tk) {
  const breached = tk.breached || [];
  const dueRow = (target, due, met) => [
    h('dt', {}, t(`agent.target.${target}`)),
    h(
      'dd',
      { 'data-testid': `due-${target}` },
      met ? t('agent.met_at', { at: fmtDateTime(met) }) : fmtDateTime(due),
      breached.includes(target) ? [' ', h('span', { class: 'badge sla-breached' }, t('sla.breached'))] : null,
    ),
  ];
  const pauses = tk.pauses || [];
  return h(
    'section',
    { class: 'sla-panel', 'aria-labelledby': 'sla-h' },
    h('h2', { id: 'sla-h' }, t('agent.sla')),
    h(
      'dl',
      { class: 'facts' },
      dueRow('first_response', tk.first_response_due || tk.expected_response_by, tk.first_response_at),
      tk.first_response_business_seconds != null && [
        h('dt', {}, t('agent.business_first')),
        h('dd', {}, t('agent.hours', { n: hours(tk.first_response_business_seconds) })),
      ],
      dueRow('resolution', tk.resolution_due, tk.resolved_at),
      tk.resolution_business_seconds != null && [
        h('dt', {}, t('agent.business_resolution')),
        h('dd', {}, t('agent.hours', { n: hours(tk.resolution_business_seconds) })),
      ],
      tk.legal_kind && dueRow('legal', tk.legal_due, null),
      tk.legal_kind && [
        h('dt', {}, t('agent.legal_kind')),
        h(
          'dd',
          {},
          tk.legal_kind,
          tk.extensions_used ? ` · ${t('agent.extended_days', { n: tk.legal_extension_days })}` : '',
        ),
      ],
      h('dt', {}, t('agent.escalation_level')),
      h('dd', { 'data-testid': 'escalation-level' }, String(tk.escalation_level || 0)),
      h('dt', {}, t('agent.pauses')),
      h(
        'dd',
        {},
        pauses.length
          ? h(
              'ul',
              { class: 'plain' },
              pauses.map((p) =>
                h(
                  'li',
                  {},
                  p.end
                    ? t('agent.pause_range', { from: fmtShort(p.start), to: fmtShort(p.end) })
                    : t('agent.pause_open', { from: fmtShort(p.start) }),
                ),
              ),
            )
          : '—',
      ),
      tk.csat_score && [
        h('dt', {}, t('agent.csat')),
        h(
          'dd',
          { 'data-testid': 'csat' },
          t('agent.csat_value', { score: tk.csat_score }),
          tk.csat_comment ? ` — «${tk.csat_comment}»` : '',
        ),
      ],
    ),
  );
}

/** One small action form: its errors in its own summary, fields named as the API names them. */
function actionForm({ id, title, lead, fields, submit, validate, send }) {
  const formEl = checkedForm(
    {
      class: 'action-form',
      check: validate,
      submit: true,
      send,
      fail: (error) => {
        showErrors(
          formEl,
          error.errors && error.errors.length ? error.errors : [{ field: null, message: error.message }],
        );
      },
      stay: true,
    },
    h('h2', { id }, title),
    lead && h('p', { class: 'hint' }, lead),
    errorSummary(),
    fields,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, submit)),
  );
  return formEl;
}

const TIERS = ['L1', 'L2', 'L3'];

function escalateForm(tk, act) {
  const higher = TIERS.slice(TIERS.indexOf(tk.tier) + 1);
  const v = { reason: '', to_tier: '' };
  if (!higher.length) {
    return h(
      'section',
      { 'aria-labelledby': 'escalate-h' },
      h('h2', { id: 'escalate-h' }, t('agent.escalate')),
      h('p', {}, t('agent.top_tier')),
    );
  }
  const tierField = field({
    name: 'to_tier',
    kind: 'select',
    label: t('agent.to_tier'),
    hint: t('agent.to_tier_hint'),
    options: higher.map((x) => ({ value: x, label: x })),
    ...bound(v, 'to_tier'),
  });
  tierField.control.querySelector('option[value=""]').textContent = t('agent.next_tier', { tier: higher[0] });
  return actionForm({
    id: 'escalate-h',
    title: t('agent.escalate'),
    submit: t('agent.escalate_submit'),
    fields: [
      field({
        name: 'reason',
        kind: 'textarea',
        rows: 3,
        required: true,
        label: t('agent.escalate_reason'),
        hint: t('agent.escalate_reason_hint'),
        ...bound(v, 'reason'),
      }),
      tierField,
    ],
    validate: () =>
      v.reason.trim().length < 3
        ? [{ field: 'reason', message: t(v.reason.trim() ? 'val.min_length' : 'val.required', { n: 3 }) }]
        : [],
    send: () =>
      act(
        'escalate',
        { reason: v.reason.trim(), to_tier: v.to_tier || null },
        t('agent.escalated', { tier: v.to_tier || higher[0] }),
      ),
  });
}

function extensionForm(tk, act) {
  if (tk.extensions_used) {
    return h(
      'section',
      { 'aria-labelledby': 'extension-h' },
      h('h2', { id: 'extension-h' }, t('agent.extension')),
      h('p', {}, t('agent.extension_used', { n: tk.legal_extension_days })),
    );
  }
  const v = { days: '', justification: '' };
  return actionForm({
    id: 'extension-h',
    title: t('agent.extension'),
    lead: t('agent.extension_lead'),
    submit: t('agent.extension_submit'),
    fields: [
      field({
        name: 'days',
        kind: 'number',
        required: true,
        label: t('agent.extension_days'),
        ...bound(v, 'days'),
      }),
      field({
        name: 'justification',
        kind: 'textarea',
        rows: 3,
        required: true,
        label: t('agent.justification'),
        hint: t('agent.justification_hint'),
        ...bound(v, 'justification'),
      }),
    ],
    validate: () => {
      const errors = [];
      const days = Number(v.days);
      if (!v.days.trim()) errors.push({ field: 'days', message: t('val.required') });
      else if (!Number.isInteger(days) || days < 1)
        errors.push({ field: 'days', message: t('agent.days_positive') });
      const text = v.justification.trim();
      if (text.length < 10)
        errors.push({
          field: 'justification',
          message: t(text ? 'val.min_length' : 'val.required', { n: 10 }),
        });
      return errors;
    },
    send: () =>
      act('extension', { days: Number(v.days), justification: v.justification.trim() }, t('agent.extended')),
  });
}

function reclassifyForm(tk, cat, act) {
  const v = { type: tk.type_code, subtype: tk.subtype_code, priority: tk.priority };
  const types = cat.types;
  const subtypeOptions = (code) =>
    (types.find((x) => x.code === code) || { subtypes: [] }).subtypes.map((s) => ({
      value: s.code,
      label: pick(s.name),
    }));
  const typeField = field({
    name: 'type',
    kind: 'select',
    label: t('agent.type'),
    value: v.type,
    options: types.map((x) => ({ value: x.code, label: pick(x.name) })),
    onInput: (x) => {
      v.type = x;
      const select = subField.control;
      select.replaceChildren(
        h('option', { value: '' }, t('form.choose')),
        ...subtypeOptions(x).map((o) => h('option', { value: o.value }, o.label)),
      );
      v.subtype = '';
    },
  });
  const subField = field({
    name: 'subtype',
    kind: 'select',
    label: t('agent.subtype'),
    options: subtypeOptions(v.type),
    ...bound(v, 'subtype'),
  });
  const prioField = field({
    name: 'priority',
    kind: 'select',
    label: t('agent.new_priority'),
    options: PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })),
    ...bound(v, 'priority'),
  });
  for (const f of [typeField, subField, prioField]) f.querySelector('.opt')?.remove();
  return actionForm({
    id: 'reclassify-h',
    title: t('agent.reclassify'),
    lead: t('agent.reclassify_lead'),
    submit: t('agent.reclassify_submit'),
    fields: [typeField, subField, prioField],
    validate: () => {
      if (!v.type) return [{ field: 'type', message: t('val.required') }];
      if (!v.subtype) return [{ field: 'subtype', message: t('val.choose_subtype') }];
      if (v.type === tk.type_code && v.subtype === tk.subtype_code && v.priority === tk.priority)
        return [{ field: 'priority', message: t('agent.nothing_changed') }];
      return [];
    },
    send: () => {
      const body = {};
      if (v.type !== tk.type_code || v.subtype !== tk.subtype_code)
        Object.assign(body, { type: v.type, subtype: v.subtype });
      if (v.priority && v.priority !== tk.priority) body.priority = v.priority;
      return act('reclassify', body, t('agent.reclassified'));
    },
  });
}

/** "Fusionar": merge this request into another one (the survivor) by its number. */
function mergeForm(tk, act) {
  const v = { into: '' };
  return actionForm({
    id: 'merge-h',
    title: t('agent.merge'),
    lead: t('agent.merge_lead'),
    submit: t('agent.merge_submit'),
    fields: [
      field({
        name: 'into',
        label: t('agent.merge_into'),
        required: true,
        hint: t('agent.merge_into_hint'),
        ...bound(v, 'into'),
      }),
    ],
    validate: () => {
      const n = v.into.trim();
      if (!n) return [{ field: 'into', message: t('val.required') }];
      if (!/^\d{4}-\d{6}$/.test(n)) return [{ field: 'into', message: t('val.ticket_number') }];
      if (n === tk.number) return [{ field: 'into', message: t('agent.merge_itself') }];
      return [];
    },
    send: () => act('merge', { into: v.into.trim() }, t('agent.merged', { number: v.into.trim() })),
  });
}

function historyItem(ev, requesterName, cat) {
  const internal = !ev.public;
  const who = ev.actor.name || (ev.actor.kind === 'citizen' && requesterName) || t(`actor.${ev.actor.kind}`);
  const what = describeEvent(ev, cat);
  // Messages (a reply, a note, the citizen's words, a status change that carried a message) read
  // as the conversation; the other steps stay short lines between them.
  const said =
    Boolean(ev.body) &&
    ['message', 'note', 'status_changed', 'created', 'merged_message'].includes(ev.action);
  const side = internal ? ' msg-internal' : ev.actor.kind === 'citizen' ? ' msg-citizen' : ' msg-staff';
  return h(
    'li',
    {
      class: `tl-${ev.action}${internal ? ' internal' : ''}${said ? ` msg${side}` : ' step'}`,
      'data-event': ev.event_id,
    },
    h(
      'p',
      { class: 'tl-head' },
      internal &&
        h(
          'span',
          { class: 'badge internal-badge' },
          ev.action === 'note' ? t('agent.internal_note') : t('agent.internal'),
        ),
      internal && ' ',
      h('strong', {}, who),
      ' · ',
      h('time', { datetime: ev.at }, fmtDateTime(ev.at)),
      ev.channel && ev.channel !== 'web' ? ` · ${t(`channel.name.${ev.channel}`)}` : '',
    ),
    h('p', { class: 'tl-what' }, what),
    ev.action === 'created' && ev.data && ev.data.unverified_sender && unverifiedFlag(ev.data),
    ev.body && h('div', { class: 'tl-body' }, ev.body),
    ev.channel === 'email' && ev.data && ev.data.mail && emailSource(ev),
  );
}

/** A mail whose sender SES could not verify: filed for review, never added to a request. */
function unverifiedFlag(d) {
  const v = d.unverified_sender;
  return h(
    'div',
    { class: 'tl-flag', role: 'note' },
    h(
      'p',
      {},
      h('span', { class: 'badge unverified-badge' }, t('agent.unverified_sender')),
      ' ',
      t('agent.unverified_sender_detail', { dmarc: v.dmarc, spf: v.spf, dkim: v.dkim }),
    ),
    d.sender_note === 'fixed_text' && h('p', {}, t('agent.unverified_note_sent')),
    d.claims_reply_to && h('p', {}, t('agent.unverified_claims', { number: d.claims_reply_to })),
    d.named_other_request && h('p', {}, t('agent.unverified_other')),
  );
}

/** "Original del correo": the mail's headers and a short-lived link to the raw message, on request. */
function emailSource(ev) {
  const box = h('div', { class: 'tl-source', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'btn-link' }, t('agent.email_source'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const src = await staffRequest(`/agent/tickets/${ev.number}/events/${ev.event_id}/source`);
      mount(
        box,
        h(
          'details',
          { open: true },
          h('summary', {}, t('agent.email_headers')),
          h(
            'dl',
            { class: 'mail-headers' },
            src.headers.flatMap((x) => [h('dt', {}, x.name), h('dd', {}, x.value)]),
          ),
          h('p', {}, h('a', { href: src.url, download: '' }, t('agent.email_download'))),
        ),
      );
    } catch (e) {
      mount(box, h('p', { class: 'error', role: 'alert' }, e.message || t('error.generic')));
      button.disabled = false;
    }
  });
  return h('div', {}, button, box);
}

const typeLabel = (cat, type, subtype) => {
  const ty = cat.types.find((x) => x.code === type);
  const st = ty && ty.subtypes.find((x) => x.code === subtype);
  return ty ? `${pick(ty.name)} › ${st ? pick(st.name) : subtype}` : `${type}/${subtype}`;
};

/** What one history event says, with its data (targets, tiers, priorities, days...). */
function describeEvent(ev, cat) {
  const d = ev.data || {};
  const target = d.target ? t(`agent.target.${d.target}`) : '';
  switch (ev.action) {
    case 'status_changed':
      if (!d.status) break;
      return d.previous
        ? t('agent.moved', { from: staffStatus(d.previous), to: staffStatus(d.status) })
        : t('timeline.status', { status: staffStatus(d.status) });
    case 'assigned':
      return d.assignee_name
        ? t('agent.history_assigned', { name: d.assignee_name, team: d.team })
        : t('agent.history_team', { team: d.team });
    case 'sla_paused':
      return t('agent.h.paused');
    case 'sla_resumed':
      return d.paused_seconds != null
        ? t('agent.h.resumed', { h: hours(d.paused_seconds) })
        : t('timeline.sla_resumed');
    case 'sla_warning':
      return t('agent.h.warning', {
        target,
        share: String(d.kind || '').replace(/\D/g, '') || '?',
        due: fmtShort(d.due),
      });
    case 'sla_breached':
      return t('agent.h.breached', { target, due: fmtShort(d.due) });
    case 'escalated':
      return t(String(d.cause || '').startsWith('breach') ? 'agent.h.escalated_auto' : 'agent.h.escalated', {
        from: d.previous_tier,
        to: d.tier,
        level: d.level,
      });
    case 'extension':
      return t('agent.h.extension', { days: d.days, due: fmtDateTime(d.legal_due), law: d.law || '' });
    case 'reclassified':
      return (
        t('agent.h.reclassified', { from: d.previous_type || '', to: typeLabel(cat, d.type, d.subtype) }) +
        (d.priority
          ? ` · ${t('agent.h.priority', { from: t(`priority.${d.previous_priority}`), to: t(`priority.${d.priority}`) })}`
          : '')
      );
    case 'priority_changed':
      return t('agent.h.priority', {
        from: t(`priority.${d.previous_priority}`),
        to: t(`priority.${d.priority}`),
      });
    case 'survey':
      return t('agent.h.survey', { score: d.score });
    case 'linked': // to another request (links), or to the requester's citizen account
      return d.other ? `${t('timeline.linked_request')}: ${d.other} (${d.kind})` : t('timeline.linked');
    case 'unlinked':
      return `${t('timeline.unlinked')}: ${d.other}`;
    case 'merged':
      return d.into
        ? t('agent.h.merged_into', { number: d.into })
        : t('agent.h.merged_from', { number: d.from, messages: d.messages ?? 0, files: d.files ?? 0 });
    case 'merged_message':
      return t('agent.h.merged_message', { number: d.from });
    case 'attachment':
      return d.outcome === 'rejected'
        ? `${t('upload.status.rejected')} (${d.reason})`
        : t('timeline.attachment');
    case 'access_locked':
      return t('agent.h.access_locked', { attempts: d.attempts, minutes: d.minutes });
    case 'notification': {
      // What happened to the notice, not only that there was one: an opted-out or failed notice
      // reached no one, and the agent may need another way to reach the person.
      const outcome = ['sent', 'opted_out', 'suppressed'].includes(d.outcome) ? d.outcome : 'failed';
      return t(`agent.h.notice_${outcome}`, {
        channel: t(`channel.short.${ev.channel}`),
        to: d.to ? ` (${d.to})` : '',
      });
    }
    default:
      break;
  }
  return t(`timeline.${ev.action}`);
}

/** A request's place as one line: address, point (5 decimals, about 1 m), sector. */
function placeText(place) {
  const parts = [];
  if (place.address) parts.push(place.address);
  if (place.lat != null && place.long != null)
    parts.push(`${Number(place.lat).toFixed(5)}, ${Number(place.long).toFixed(5)}`);
  if (place.sector) parts.push(`${t('place.sector')} ${place.sector}`);
  return parts.join(' · ');
}
