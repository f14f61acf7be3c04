// Agent console (#/agente): sign in, the team queue with SLA badges, the full ticket with its
// history, reply, internal note, assign to me and status changes. Loaded only by staff.
import { attachmentsBox } from '../uploads.js';
import { h, announce, mount } from '../dom.js';
import { ApiError, catalog, config, optional, qs, request } from '../api.js';
import { fmtDateTime, fmtShort, getLang, pick, t } from '../i18n.js';
import { busy, clearErrors, errorSummary, field, showErrors, statusLine } from '../forms.js';
import { DEFAULT_WARNINGS, nextTarget, slaState } from '../sla.js';
import { AuthError, accessToken, confirmForgotPassword, current, forgotPassword, login, logout, signOut } from '../auth.js';
import { passwordField } from '../password_field.js';
import { forgotPasswordView } from './forgot_password.js';
import { go } from '../app.js';
import { newPasswordView } from './new-password.js';
import { consoleMenu } from './console_kit.js';
import { ticketAssetsBox } from './assets.js';
import { proposeArticleBox } from './editor_propose.js';

const STATUSES = ['received', 'assigned', 'in_progress', 'waiting_citizen', 'resolved', 'closed', 'reopened'];
const WORKING_ROLES = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'admin'];
const WORKING = ['assigned', 'in_progress', 'waiting_citizen', 'resolved'];
/** Mirrors ventanilla.rules.state_machine.TRANSITIONS (the API has the last word). */
const TRANSITIONS = {
  received: [...WORKING, 'closed'],
  assigned: WORKING.filter((s) => s !== 'assigned'),
  in_progress: ['waiting_citizen', 'resolved', 'assigned'],
  waiting_citizen: ['in_progress', 'resolved', 'closed'],
  resolved: ['closed', 'reopened'],
  reopened: WORKING,
  closed: [],
};
const LAST_QUEUE = 'ventanilla.queue';
let notice = '';

export async function staffRequest(path, options = {}) {
  const token = await accessToken();
  if (!token) throw new ApiError(401, { code: 'token_missing' });
  try {
    return await request(path, { ...options, token });
  } catch (e) {
    if (e.status === 401) { logout(); notice = t('agent.expired'); }
    throw e;
  }
}

export function withSession(view) {
  return async (ctx) => {
    const session = current();
    if (!session) return loginView();
    if (!session.groups.some((g) => WORKING_ROLES.includes(g))) {
      return h('section', {}, h('h1', {}, t('agent.title')), h('p', { role: 'alert' }, t('agent.no_role')),
        session.groups.includes('inventory') && h('p', {}, h('a', { href: '#/agente/activos' }, t('assets.list_title'))),
        h('p', {}, h('a', { href: '#/agente/mi-equipo' }, t('assets.mine_title'))), logoutButton());
    }
    try {
      return await view(ctx, session);
    } catch (e) {
      if (e.status === 401) return loginView();
      throw e;
    }
  };
}

// ---- sign in ----------------------------------------------------------------------------------

/** The staff pool's password policy (template.yaml, StaffPool); Cognito has the last word. */
const STAFF_MIN_LENGTH = 12;

export function loginView(username = '') {
  const values = { username, password: '' };
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('agent.sign_in'));
  const forgot = (codeSent = false) => {
    const view = forgotPasswordView({
      auth: { forgotPassword, confirmForgotPassword },
      who: { label: t('agent.username'), kind: 'text', autocomplete: 'username' },
      policy: t('agent.login_error.weak_password'),
      minLength: STAFF_MIN_LENGTH,
      username: values.username.trim(),
      codeSent,
      className: 'agent',
      back: () => h('a', { href: '#/agente', class: 'btn link', onclick: (e) => { e.preventDefault(); notice = ''; view.replaceWith(loginView(values.username.trim())); document.querySelector('main h1').focus(); } }, t('reset.back')),
      done: (name) => { notice = t('reset.changed'); const next = loginView(name); view.replaceWith(next); next.querySelector('h1').focus(); },
    });
    formEl.closest('section').replaceWith(view);
    view.querySelector('h1').focus();
  };
  const formEl = h('form', { novalidate: true, class: 'narrow', 'data-staff-login': '', onsubmit: async (e) => {
    e.preventDefault();
    clearErrors(formEl);
    const errors = [];
    if (!values.username.trim()) errors.push({ field: 'username', message: t('val.required') });
    if (!values.password) errors.push({ field: 'password', message: t('val.required') });
    if (errors.length) { showErrors(formEl, errors); return; }
    busy(submit, true);
    status.textContent = t('agent.signing_in');
    try {
      await login(values.username.trim(), values.password);
      notice = '';
      go(location.hash.slice(1) || '/agente');
    } catch (error) {
      busy(submit, false);
      status.textContent = '';
      const kind = error instanceof AuthError ? error.kind : 'unknown';
      if (kind === 'new_password' && error.challenge) {
        const view = newPasswordView(error.challenge, () => { notice = ''; go(location.hash.slice(1) || '/agente'); });
        formEl.closest('section').replaceWith(view);
        view.querySelector('h1').focus();
        return;
      }
      // An administrator reset the password: Cognito already emailed a code.
      if (kind === 'reset') { forgot(true); return; }
      showErrors(formEl, [{ field: null, message: t(`agent.login_error.${kind}`) }], t('agent.login_failed'));
    }
  } },
  errorSummary(),
  notice && h('p', { class: 'notice', role: 'status' }, notice),
  field({ name: 'username', label: t('agent.username'), required: true, value: username, autocomplete: 'username', onInput: (v) => { values.username = v; } }),
  passwordField({ name: 'password', label: t('agent.password'), required: true, autocomplete: 'current-password', onInput: (v) => { values.password = v; } }),
  status,
  h('div', { class: 'actions' }, submit,
    h('button', { type: 'button', class: 'btn link', onclick: () => forgot() }, t('reset.link'))));
  return h('section', { class: 'agent' }, h('h1', {}, t('agent.login_title')), h('p', {}, t('agent.login_lead')), formEl,
    h('p', { class: 'hint' }, t('agent.one_sign_in')));
}

export function logoutButton() {
  return h('button', { type: 'button', class: 'btn link', onclick: async () => { await signOut(); notice = t('agent.signed_out'); go('/agente'); } }, t('agent.sign_out'));
}

function whoBar(session) {
  return h('div', { class: 'whobar' },
    h('p', {}, t('agent.signed_in_as', { name: session.name }), ' ', h('span', { class: 'muted' }, `(${session.groups.join(', ')})`)),
    session.groups.some((g) => g === 'supervisor' || g === 'admin') && h('a', { href: '#/agente/tablero' }, t('dash.link')),
    h('a', { href: '#/agente/nueva' }, t('entry.link')),
    h('a', { href: '#/agente/activos' }, t('assets.list_title')),
    h('a', { href: '#/agente/mi-equipo' }, t('assets.mine_title')),
    logoutButton(),
    consoleMenu(session));
}

// ---- shared by the queue and the ticket pages ---------------------------------------------

const PRIORITIES = ['critical', 'high', 'medium', 'low'];

async function warnings() {
  try { return (await config()).sla_warnings || DEFAULT_WARNINGS; } catch { return DEFAULT_WARNINGS; }
}

// The queue (#/agente) is in agent_queue.js.

function slaBadge(item, now = Date.now(), shares = DEFAULT_WARNINGS) {
  const state = slaState(item, now, shares);
  if (!state) return null;
  return h('span', { class: `badge sla-${state}`, 'data-sla': state }, t(`sla.${state}`));
}

// ---- one ticket -------------------------------------------------------------------------------

export const renderTicket = withSession(async ({ params }, session) => {
  const [number] = params;
  const [cat, shares] = await Promise.all([catalog(), warnings()]);
  let data;
  try {
    data = await staffRequest(`/agent/tickets/${number}`);
  } catch (e) {
    if (e.status === 404 || e.status === 403) {
      return h('section', { class: 'agent' }, whoBar(session), h('h1', {}, t('agent.ticket_title', { number })),
        h('p', { role: 'alert' }, e.message), backLink());
    }
    throw e;
  }
  const root = h('section', { class: 'agent ticket-staff' });
  if (data.access === 'filer') drawFiled(root, data, session, cat);
  else drawTicket(root, data, session, { ...cat, shares });
  return root;
});

/** An internal request the reader filed for a team not theirs: its public conversation, read only. */
function drawFiled(root, data, session, cat) {
  const tk = data.ticket;
  const r = tk.requester || {};
  const assets = h('section', { 'aria-labelledby': 'fassets-h', 'data-testid': 'filer-assets' }, h('h2', { id: 'fassets-h' }, t('assets.ticket_box')));
  staffRequest(`/agent/tickets/${tk.number}/assets`).then(({ items }) => {
    assets.append(items.length
      ? h('ul', { class: 'plain' }, items.map((a) => h('li', { 'data-inv': a.inventory_number }, `${a.inventory_number} — ${a.name}`)))
      : h('p', {}, t('assets.ticket_none')));
  }).catch(() => assets.remove());
  root.replaceChildren(
    whoBar(session),
    backLink(),
    h('h1', { tabindex: '-1' }, t('agent.ticket_title', { number: tk.number })),
    h('p', { class: 'lead' }, tk.subject),
    h('p', { class: 'badges' },
      h('span', { class: `badge status-${tk.status}`, 'data-testid': 'staff-status' }, t(`status.${tk.status}`)), ' ',
      h('span', { class: 'badge' }, tk.team)),
    h('p', { class: 'notice', 'data-testid': 'filer-view' }, t('agent.filer_view', { team: tk.team })),
    h('section', { 'aria-labelledby': 'desc-h' }, h('h2', { id: 'desc-h' }, t('agent.description')), h('div', { class: 'tl-body' }, tk.description)),
    h('section', { 'aria-labelledby': 'hist-h' },
      h('h2', { id: 'hist-h' }, t('agent.filer_history')),
      h('ol', { class: 'timeline staff' }, data.history.map((ev) => historyItem(ev, r.name, cat)))),
    assets,
    h('dl', { class: 'facts' },
      h('dt', {}, t('request.created')), h('dd', {}, fmtDateTime(tk.created_at)),
      h('dt', {}, t('request.expected')), h('dd', {}, fmtDateTime(tk.expected_response_by)),
      h('dt', {}, t('request.resolution_due')), h('dd', {}, fmtDateTime(tk.resolution_due))));
}

function backLink() {
  const last = sessionStorage.getItem(LAST_QUEUE);
  return h('p', {}, h('a', { href: `#/agente${last ? `?${last}` : ''}` }, `← ${t('agent.back_to_queue')}`));
}

function drawTicket(root, data, session, cat, message = '') {
  const tk = data.ticket;
  const type = cat.types.find((x) => x.code === tk.type_code);
  const subtype = type && type.subtypes.find((s) => s.code === tk.subtype_code);
  const fieldDefs = Object.fromEntries(((subtype && subtype.fields) || []).map((f) => [f.name, f]));
  const status = statusLine();
  status.textContent = message;
  status.setAttribute('tabindex', '-1');

  const act = async (path, body, done) => {
    try {
      const updated = await staffRequest(`/agent/tickets/${tk.number}/${path}`, { method: 'POST', body: { ...body, version: tk.version } });
      drawTicket(root, updated, session, cat, done);
      announce(done);
      root.querySelector('.status-line').focus();
      return true;
    } catch (e) {
      if (e.status === 409 && e.problem.code === 'stale_version') {
        const fresh = await staffRequest(`/agent/tickets/${tk.number}`);
        drawTicket(root, fresh, session, cat, t('agent.stale'));
        root.querySelector('.status-line').focus();
        return false;
      }
      throw e;
    }
  };

  // Composer: public reply or internal note.
  const text = { body: '' };
  const composer = h('form', { novalidate: true, class: 'composer' },
    h('h2', {}, t('agent.compose')),
    errorSummary(),
    field({ name: 'body', kind: 'textarea', label: t('agent.message'), required: true, rows: 6, hint: t('agent.message_hint'), onInput: (v) => { text.body = v; } }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary', value: 'reply', disabled: tk.status === 'closed' }, t('agent.send_reply')),
      h('button', { type: 'submit', class: 'btn note', value: 'note' }, t('agent.add_note'))));
  // Canned responses that fit this ticket, filled in by the API; picking one fills the message.
  staffRequest(`/agent/tickets/${tk.number}/canned`).then(({ items }) => {
    if (!items.length) return;
    const picker = field({
      name: 'canned', kind: 'select', label: t('agent.canned'),
      options: items.map((c) => ({ value: c.id, label: c.title })),
      onInput: (id) => {
        const chosen = items.find((c) => c.id === id);
        if (!chosen) return;
        const area = composer.querySelector('textarea[name="body"]');
        area.value = chosen.body;
        text.body = chosen.body;
        announce(t('agent.canned_inserted', { title: chosen.title }));
        area.focus();
      },
    });
    composer.insertBefore(picker, composer.querySelector('.field, div'));
  }).catch(() => {});
  composer.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(composer);
    const kind = e.submitter && e.submitter.value === 'note' ? 'note' : 'reply';
    const body = text.body.trim();
    if (!body) { showErrors(composer, [{ field: 'body', message: t('val.required') }]); return; }
    for (const b of composer.querySelectorAll('button')) busy(b, true);
    try {
      await act(kind, { body }, t(kind === 'note' ? 'agent.note_saved' : 'agent.reply_sent'));
    } catch (error) {
      for (const b of composer.querySelectorAll('button')) busy(b, false);
      showErrors(composer, error.errors.length ? error.errors : [{ field: null, message: error.message }]);
    }
  });

  // Status change.
  const next = TRANSITIONS[tk.status] || [];
  const change = { status: next[0] || '', body: '' };
  const statusForm = h('form', { novalidate: true, class: 'status-form' },
    h('h2', {}, t('agent.change_status')),
    errorSummary(),
    next.length === 0 ? h('p', {}, t('agent.final_status')) : [
      field({ name: 'status', kind: 'select', label: t('agent.new_status'), required: true, value: change.status, options: next.map((s) => ({ value: s, label: t(`status.${s}`) })), onInput: (v) => { change.status = v; } }),
      field({ name: 'status_body', kind: 'textarea', rows: 3, label: t('agent.status_comment'), hint: t('agent.status_comment_hint'), onInput: (v) => { change.body = v; } }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('agent.apply_status'))),
    ]);
  statusForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(statusForm);
    if (!change.status) { showErrors(statusForm, [{ field: 'status', message: t('val.required') }]); return; }
    const button = statusForm.querySelector('button');
    busy(button, true);
    try {
      await act('status', { status: change.status, body: change.body.trim() || null }, t('agent.status_changed', { status: t(`status.${change.status}`) }));
    } catch (error) {
      busy(button, false);
      showErrors(statusForm, error.errors.length ? error.errors.map((x) => ({ ...x, field: x.field === 'body' ? 'status_body' : x.field })) : [{ field: null, message: error.message }]);
    }
  });

  const mine = tk.assignee === session.sub;
  const assignBox = h('div', { class: 'assign' },
    h('h2', {}, t('agent.assignment')),
    h('p', {}, tk.assignee_name ? t('agent.assigned_to', { name: tk.assignee_name }) : t('agent.unassigned')),
    !mine && tk.status !== 'closed' && h('button', { type: 'button', class: 'btn', onclick: async (e) => {
      const button = e.currentTarget;
      busy(button, true);
      try {
        await act('assign', { assignee: session.sub }, t('agent.assigned_to_me'));
      } catch (error) {
        busy(button, false);
        status.textContent = error.message;
      }
    } }, t('agent.assign_me')));

  const slaForms = tk.status === 'closed' || tk.status === 'resolved' ? [] : [
    escalateForm(tk, act), tk.legal_kind ? extensionForm(tk, act) : null, reclassifyForm(tk, cat, act), mergeForm(tk, act)];

  const r = tk.requester || {};
  const formRows = Object.entries(tk.form || {}).map(([k, v]) => {
    const def = fieldDefs[k];
    const option = def && def.options && def.options.find((o) => o.value === v);
    return [h('dt', {}, def ? pick(def.label) : k), h('dd', {}, option ? pick(option.label) : typeof v === 'boolean' ? t(v ? 'common.yes' : 'common.no') : String(v))];
  });

  root.replaceChildren(
    whoBar(session),
    backLink(),
    h('h1', { tabindex: '-1' }, t('agent.ticket_title', { number: tk.number })),
    h('p', { class: 'lead' }, tk.subject),
    h('p', { class: 'badges' },
      h('span', { class: `badge status-${tk.status}`, 'data-testid': 'staff-status' }, t(`status.${tk.status}`)), ' ',
      h('span', { class: `prio prio-${tk.priority}`, 'data-testid': 'staff-priority' }, t(`priority.${tk.priority}`)), ' ',
      h('span', { class: 'badge', 'data-testid': 'staff-tier' }, `${tk.team} · ${tk.tier}`), ' ',
      slaBadge(tk, Date.now(), cat.shares)),
    status,
    tk.merged_into ? h('p', { class: 'notice', 'data-testid': 'merged-into' }, t('agent.merged_into'), ' ',
      h('a', { href: `#/agente/solicitud/${tk.merged_into}` }, tk.merged_into)) : '',
    (tk.merged_from || []).length === 0 ? '' : h('p', { class: 'notice', 'data-testid': 'merged-from' }, t('agent.merged_from'), ' ',
      tk.merged_from.map((n, i) => [i ? ', ' : '', h('a', { href: `#/agente/solicitud/${n}` }, n)])),
    h('nav', { class: 'jump', 'aria-label': t('agent.jump') }, h('ul', {},
      h('li', {}, h('a', { href: '#hist-h', onclick: jump }, t('agent.history'))),
      h('li', {}, h('a', { href: '#compose-h', onclick: jump }, t('agent.compose'))),
      h('li', {}, h('a', { href: '#sla-h', onclick: jump }, t('agent.sla'))),
      slaForms.length > 0 && h('li', {}, h('a', { href: '#escalate-h', onclick: jump }, t('agent.escalate'))))),
    h('div', { class: 'cols' },
      h('div', { class: 'col-main' },
        h('section', { 'aria-labelledby': 'desc-h' }, h('h2', { id: 'desc-h' }, t('agent.description')), h('div', { class: 'tl-body' }, tk.description)),
        h('section', { 'aria-labelledby': 'hist-h' },
          h('h2', { id: 'hist-h' }, t('agent.history')),
          h('ol', { class: 'timeline staff' }, data.history.map((ev) => historyItem(ev, r.name, cat)))),
        attachmentsBox({ api: staffRequest, base: `/agent/tickets/${tk.number}`, canUpload: tk.status !== 'closed' }),
        composer,
        proposeArticleBox(tk, data.history, staffRequest)),
      h('div', { class: 'col-side' },
        slaPanel(tk),
        ticketAssetsBox(tk.number),
        assignBox,
        statusForm,
        slaForms,
        h('section', { 'aria-labelledby': 'det-h' },
          h('h2', { id: 'det-h' }, t('agent.details')),
          h('dl', { class: 'facts' },
            h('dt', {}, t('agent.requester')), h('dd', {}, r.name, r.kind === 'internal' ? ` (${t('agent.internal_user')})` : ''),
            r.email && [h('dt', {}, t('contact.datos.email')), h('dd', {}, h('a', { href: `mailto:${r.email}` }, r.email))],
            r.phone && [h('dt', {}, t('contact.datos.phone')), h('dd', {}, r.phone)],
            h('dt', {}, t('agent.notices')), h('dd', {}, (r.channels || []).map((c) => t(`channel.short.${c}`)).join(', ') || '—', ` · ${String(r.language || 'es').toUpperCase()}`),
            h('dt', {}, t('agent.topic')), h('dd', {}, type ? `${pick(type.name)} › ${subtype ? pick(subtype.name) : tk.subtype_code}` : `${tk.type_code}/${tk.subtype_code}`),
            h('dt', {}, t('agent.col.team')), h('dd', {}, `${tk.team} · ${tk.tier}`),
            h('dt', {}, t('agent.channel')), h('dd', {}, t(`channel.name.${tk.channel}`)),
            tk.location && [h('dt', {}, t('place.title')), h('dd', { 'data-testid': 'ticket-place' }, placeText(tk.location))],
            tk.media_url && /^https?:\/\//.test(tk.media_url) && [h('dt', {}, t('agent.media')), h('dd', {}, h('a', { href: tk.media_url, rel: 'noopener noreferrer nofollow', target: '_blank' }, tk.media_url))],
            h('dt', {}, t('request.created')), h('dd', {}, fmtDateTime(tk.created_at)),
            h('dt', {}, t('request.expected')), h('dd', {}, fmtDateTime(tk.expected_response_by)),
            tk.first_response_at && [h('dt', {}, t('agent.first_response')), h('dd', {}, fmtDateTime(tk.first_response_at))],
            h('dt', {}, t('request.resolution_due')), h('dd', {}, fmtDateTime(tk.resolution_due)),
            formRows,
            h('dt', {}, t('agent.seen_articles')), h('dd', { 'data-testid': 'seen-articles' }, seenArticles(tk.seen_articles || [])))),
        requesterBox(tk))),
  );
  composer.querySelector('h2').id = 'compose-h';
  for (const el of root.querySelectorAll('#compose-h, #sla-h, #escalate-h, #hist-h')) el.setAttribute('tabindex', '-1');
}

/** The requester's record on demand (each look is written to the citizen's audit log): contacts,
 * their other requests in the agent's teams, and for requests staff entered, linking to an account. */
function requesterBox(tk) {
  const out = h('div', { 'data-testid': 'requester-panel' });
  const status = statusLine();
  const show = (panel) => {
    mount(out,
      h('p', {}, panel.has_account ? t('agent.req.has_account') : t('agent.req.no_account')),
      h('ul', {}, panel.contacts.map((c) => h('li', {}, `${c.value} · ${t(c.verified ? 'agent.req.verified' : 'agent.req.unverified')}`))),
      h('h3', {}, t('agent.req.others')),
      panel.other_requests.length
        ? h('ul', {}, panel.other_requests.map((o) => h('li', {}, h('a', { href: `#/agente/solicitud/${o.number}` }, o.number), ` · ${o.subject} · ${t(`status.${o.status}`)}`)))
        : h('p', {}, t('agent.req.none')),
      panel.hidden_requests > 0 && h('p', { class: 'hint' }, t('agent.req.hidden', { n: panel.hidden_requests })));
  };
  const load = h('button', { type: 'button', class: 'btn', onclick: async () => {
    busy(load, true);
    try { show(await staffRequest(`/agent/tickets/${tk.number}/requester`)); load.remove(); } catch (e) { status.textContent = e.message; busy(load, false); }
  } }, t('agent.req.show'));
  let link = null;
  if (tk.created_by) {
    const values = { email: '', checked: false };
    const submit = h('button', { type: 'submit', class: 'btn' }, t('agent.req.link'));
    link = h('form', { novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      clearErrors(link);
      busy(submit, true);
      try {
        show(await staffRequest(`/agent/tickets/${tk.number}/link`, { method: 'POST', body: { email: values.email.trim(), identity_checked: values.checked } }));
        status.textContent = t('agent.req.linked');
      } catch (error) {
        if (error.errors && error.errors.length) showErrors(link, error.errors.map((x) => ({ field: x.field, message: x.message })));
        else status.textContent = error.message;
      } finally {
        busy(submit, false);
      }
    } },
    errorSummary(),
    field({ name: 'email', kind: 'email', label: t('agent.req.email'), required: true, onInput: (v) => { values.email = v; } }),
    field({ name: 'identity_checked', kind: 'checkbox', label: t('agent.req.identity'), required: true, onInput: (v) => { values.checked = v; } }),
    h('div', { class: 'actions' }, submit));
  }
  return h('section', { 'aria-labelledby': 'req-h' }, h('h2', { id: 'req-h' }, t('agent.req.title')),
    h('p', { class: 'hint' }, t('agent.req.audited')), load, out, link, status);
}

/** In-page links move the keyboard focus too (not only the scroll position). */
function jump(e) {
  e.preventDefault();
  const target = document.getElementById(e.currentTarget.getAttribute('href').slice(1));
  if (target) { target.focus(); target.scrollIntoView({ block: 'start' }); }
}

/** The articles the citizen was shown before writing, with their titles when the help API answers. */
function seenArticles(slugs) {
  if (!slugs.length) return t('agent.seen_none');
  const list = h('ul', { class: 'plain' });
  for (const slug of slugs) {
    const link = h('a', { href: `#/ayuda/${slug}` }, slug);
    list.append(h('li', {}, link));
    optional(`/help/articles/${encodeURIComponent(slug)}?${qs({ lang: getLang() })}`)
      .then((a) => { if (a && a.title) link.textContent = a.title; }).catch(() => {});
  }
  return list;
}

const hours = (seconds) => (seconds == null ? null : Math.round((seconds / 3600) * 10) / 10);

/** Due dates, what was met and when, breaches, pauses, escalation and extension. */
function slaPanel(tk) {
  const breached = tk.breached || [];
  const dueRow = (target, due, met) => [
    h('dt', {}, t(`agent.target.${target}`)),
    h('dd', { 'data-testid': `due-${target}` },
      met ? t('agent.met_at', { at: fmtDateTime(met) }) : fmtDateTime(due),
      breached.includes(target) ? [' ', h('span', { class: 'badge sla-breached' }, t('sla.breached'))] : null)];
  const pauses = tk.pauses || [];
  return h('section', { class: 'sla-panel', 'aria-labelledby': 'sla-h' },
    h('h2', { id: 'sla-h' }, t('agent.sla')),
    h('dl', { class: 'facts' },
      dueRow('first_response', tk.first_response_due || tk.expected_response_by, tk.first_response_at),
      tk.first_response_business_seconds != null && [h('dt', {}, t('agent.business_first')), h('dd', {}, t('agent.hours', { n: hours(tk.first_response_business_seconds) }))],
      dueRow('resolution', tk.resolution_due, tk.resolved_at),
      tk.resolution_business_seconds != null && [h('dt', {}, t('agent.business_resolution')), h('dd', {}, t('agent.hours', { n: hours(tk.resolution_business_seconds) }))],
      tk.legal_kind && dueRow('legal', tk.legal_due, null),
      tk.legal_kind && [h('dt', {}, t('agent.legal_kind')), h('dd', {}, tk.legal_kind, tk.extensions_used ? ` · ${t('agent.extended_days', { n: tk.legal_extension_days })}` : '')],
      h('dt', {}, t('agent.escalation_level')), h('dd', { 'data-testid': 'escalation-level' }, String(tk.escalation_level || 0)),
      h('dt', {}, t('agent.pauses')), h('dd', {}, pauses.length
        ? h('ul', { class: 'plain' }, pauses.map((p) => h('li', {}, p.end ? t('agent.pause_range', { from: fmtShort(p.start), to: fmtShort(p.end) }) : t('agent.pause_open', { from: fmtShort(p.start) }))))
        : '—'),
      tk.csat_score && [h('dt', {}, t('agent.csat')), h('dd', { 'data-testid': 'csat' }, t('agent.csat_value', { score: tk.csat_score }), tk.csat_comment ? ` — «${tk.csat_comment}»` : '')]));
}

/** One small action form: its errors in its own summary, fields named as the API names them. */
function actionForm({ id, title, lead, fields, submit, validate, send }) {
  const formEl = h('form', { novalidate: true, class: 'action-form' },
    h('h2', { id }, title), lead && h('p', { class: 'hint' }, lead), errorSummary(), fields,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, submit)));
  formEl.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(formEl);
    const errors = validate();
    if (errors.length) { showErrors(formEl, errors); return; }
    const button = formEl.querySelector('button[type=submit]');
    busy(button, true);
    try {
      await send();
    } catch (error) {
      busy(button, false);
      showErrors(formEl, error.errors && error.errors.length ? error.errors : [{ field: null, message: error.message }]);
    }
  });
  return formEl;
}

const TIERS = ['L1', 'L2', 'L3'];

function escalateForm(tk, act) {
  const higher = TIERS.slice(TIERS.indexOf(tk.tier) + 1);
  const v = { reason: '', to_tier: '' };
  if (!higher.length) {
    return h('section', { 'aria-labelledby': 'escalate-h' }, h('h2', { id: 'escalate-h' }, t('agent.escalate')), h('p', {}, t('agent.top_tier')));
  }
  const tierField = field({ name: 'to_tier', kind: 'select', label: t('agent.to_tier'), hint: t('agent.to_tier_hint'), options: higher.map((x) => ({ value: x, label: x })), onInput: (x) => { v.to_tier = x; } });
  tierField.control.querySelector('option[value=""]').textContent = t('agent.next_tier', { tier: higher[0] });
  return actionForm({
    id: 'escalate-h', title: t('agent.escalate'), submit: t('agent.escalate_submit'),
    fields: [
      field({ name: 'reason', kind: 'textarea', rows: 3, required: true, label: t('agent.escalate_reason'), hint: t('agent.escalate_reason_hint'), onInput: (x) => { v.reason = x; } }),
      tierField],
    validate: () => (v.reason.trim().length < 3 ? [{ field: 'reason', message: t(v.reason.trim() ? 'val.min_length' : 'val.required', { n: 3 }) }] : []),
    send: () => act('escalate', { reason: v.reason.trim(), to_tier: v.to_tier || null }, t('agent.escalated', { tier: v.to_tier || higher[0] })),
  });
}

function extensionForm(tk, act) {
  if (tk.extensions_used) {
    return h('section', { 'aria-labelledby': 'extension-h' }, h('h2', { id: 'extension-h' }, t('agent.extension')), h('p', {}, t('agent.extension_used', { n: tk.legal_extension_days })));
  }
  const v = { days: '', justification: '' };
  return actionForm({
    id: 'extension-h', title: t('agent.extension'), lead: t('agent.extension_lead'), submit: t('agent.extension_submit'),
    fields: [
      field({ name: 'days', kind: 'number', required: true, label: t('agent.extension_days'), onInput: (x) => { v.days = x; } }),
      field({ name: 'justification', kind: 'textarea', rows: 3, required: true, label: t('agent.justification'), hint: t('agent.justification_hint'), onInput: (x) => { v.justification = x; } })],
    validate: () => {
      const errors = [];
      const days = Number(v.days);
      if (!v.days.trim()) errors.push({ field: 'days', message: t('val.required') });
      else if (!Number.isInteger(days) || days < 1) errors.push({ field: 'days', message: t('agent.days_positive') });
      const text = v.justification.trim();
      if (text.length < 10) errors.push({ field: 'justification', message: t(text ? 'val.min_length' : 'val.required', { n: 10 }) });
      return errors;
    },
    send: () => act('extension', { days: Number(v.days), justification: v.justification.trim() }, t('agent.extended')),
  });
}

function reclassifyForm(tk, cat, act) {
  const v = { type: tk.type_code, subtype: tk.subtype_code, priority: tk.priority };
  const types = cat.types;
  const subtypeOptions = (code) => ((types.find((x) => x.code === code) || { subtypes: [] }).subtypes).map((s) => ({ value: s.code, label: pick(s.name) }));
  const typeField = field({ name: 'type', kind: 'select', label: t('agent.type'), value: v.type, options: types.map((x) => ({ value: x.code, label: pick(x.name) })), onInput: (x) => {
    v.type = x;
    const select = subField.control;
    select.replaceChildren(h('option', { value: '' }, t('form.choose')), ...subtypeOptions(x).map((o) => h('option', { value: o.value }, o.label)));
    v.subtype = '';
  } });
  const subField = field({ name: 'subtype', kind: 'select', label: t('agent.subtype'), value: v.subtype, options: subtypeOptions(v.type), onInput: (x) => { v.subtype = x; } });
  const prioField = field({ name: 'priority', kind: 'select', label: t('agent.new_priority'), value: v.priority, options: PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })), onInput: (x) => { v.priority = x; } });
  for (const f of [typeField, subField, prioField]) f.querySelector('.opt')?.remove();
  return actionForm({
    id: 'reclassify-h', title: t('agent.reclassify'), lead: t('agent.reclassify_lead'), submit: t('agent.reclassify_submit'),
    fields: [typeField, subField, prioField],
    validate: () => {
      if (!v.type) return [{ field: 'type', message: t('val.required') }];
      if (!v.subtype) return [{ field: 'subtype', message: t('val.choose_subtype') }];
      if (v.type === tk.type_code && v.subtype === tk.subtype_code && v.priority === tk.priority) return [{ field: 'priority', message: t('agent.nothing_changed') }];
      return [];
    },
    send: () => {
      const body = {};
      if (v.type !== tk.type_code || v.subtype !== tk.subtype_code) Object.assign(body, { type: v.type, subtype: v.subtype });
      if (v.priority && v.priority !== tk.priority) body.priority = v.priority;
      return act('reclassify', body, t('agent.reclassified'));
    },
  });
}

/** "Fusionar": merge this request into another one (the survivor) by its number. */
function mergeForm(tk, act) {
  const v = { into: '' };
  return actionForm({
    id: 'merge-h', title: t('agent.merge'), lead: t('agent.merge_lead'), submit: t('agent.merge_submit'),
    fields: [field({ name: 'into', label: t('agent.merge_into'), required: true, hint: t('agent.merge_into_hint'), onInput: (x) => { v.into = x; } })],
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
  return h('li', { class: `tl-${ev.action}${internal ? ' internal' : ''}` },
    h('p', { class: 'tl-head' },
      internal && h('span', { class: 'badge internal-badge' }, ev.action === 'note' ? t('agent.internal_note') : t('agent.internal')), internal && ' ',
      h('strong', {}, who), ' · ', h('time', { datetime: ev.at }, fmtDateTime(ev.at)),
      ev.channel && ev.channel !== 'web' ? ` · ${t(`channel.name.${ev.channel}`)}` : ''),
    h('p', { class: 'tl-what' }, what),
    ev.action === 'created' && ev.data && ev.data.unverified_sender && unverifiedFlag(ev.data),
    ev.body && h('div', { class: 'tl-body' }, ev.body),
    ev.channel === 'email' && ev.data && ev.data.mail && emailSource(ev));
}

/** A mail whose sender SES could not verify: filed for review, never added to a request. */
function unverifiedFlag(d) {
  const v = d.unverified_sender;
  return h('div', { class: 'tl-flag', role: 'note' },
    h('p', {}, h('span', { class: 'badge unverified-badge' }, t('agent.unverified_sender')), ' ',
      t('agent.unverified_sender_detail', { dmarc: v.dmarc, spf: v.spf, dkim: v.dkim })),
    d.sender_note === 'fixed_text' && h('p', {}, t('agent.unverified_note_sent')),
    d.claims_reply_to && h('p', {}, t('agent.unverified_claims', { number: d.claims_reply_to })),
    d.named_other_request && h('p', {}, t('agent.unverified_other')));
}

/** "Original del correo": the mail's headers and a short-lived link to the raw message, on request. */
function emailSource(ev) {
  const box = h('div', { class: 'tl-source', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'btn-link' }, t('agent.email_source'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const src = await staffRequest(`/agent/tickets/${ev.number}/events/${ev.event_id}/source`);
      mount(box, h('details', { open: true },
        h('summary', {}, t('agent.email_headers')),
        h('dl', { class: 'mail-headers' }, src.headers.flatMap((x) => [h('dt', {}, x.name), h('dd', {}, x.value)])),
        h('p', {}, h('a', { href: src.url, download: '' }, t('agent.email_download')))));
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
        ? t('agent.moved', { from: t(`status.${d.previous}`), to: t(`status.${d.status}`) })
        : t('timeline.status', { status: t(`status.${d.status}`) });
    case 'assigned':
      return d.assignee_name ? t('agent.history_assigned', { name: d.assignee_name, team: d.team }) : t('agent.history_team', { team: d.team });
    case 'sla_paused':
      return t('agent.h.paused');
    case 'sla_resumed':
      return d.paused_seconds != null ? t('agent.h.resumed', { h: hours(d.paused_seconds) }) : t('timeline.sla_resumed');
    case 'sla_warning':
      return t('agent.h.warning', { target, share: String(d.kind || '').replace(/\D/g, '') || '?', due: fmtShort(d.due) });
    case 'sla_breached':
      return t('agent.h.breached', { target, due: fmtShort(d.due) });
    case 'escalated':
      return t(String(d.cause || '').startsWith('breach') ? 'agent.h.escalated_auto' : 'agent.h.escalated', { from: d.previous_tier, to: d.tier, level: d.level });
    case 'extension':
      return t('agent.h.extension', { days: d.days, due: fmtDateTime(d.legal_due), law: d.law || '' });
    case 'reclassified':
      return t('agent.h.reclassified', { from: d.previous_type || '', to: typeLabel(cat, d.type, d.subtype) })
        + (d.priority ? ` · ${t('agent.h.priority', { from: t(`priority.${d.previous_priority}`), to: t(`priority.${d.priority}`) })}` : '');
    case 'priority_changed':
      return t('agent.h.priority', { from: t(`priority.${d.previous_priority}`), to: t(`priority.${d.priority}`) });
    case 'survey':
      return t('agent.h.survey', { score: d.score });
    case 'linked':  // to another request (links), or to the requester's citizen account
      return d.other ? `${t('timeline.linked_request')}: ${d.other} (${d.kind})` : t('timeline.linked');
    case 'unlinked':
      return `${t('timeline.unlinked')}: ${d.other}`;
    case 'merged':
      return d.into ? t('agent.h.merged_into', { number: d.into }) : t('agent.h.merged_from', { number: d.from, messages: d.messages ?? 0, files: d.files ?? 0 });
    case 'merged_message':
      return t('agent.h.merged_message', { number: d.from });
    case 'attachment':
      return d.outcome === 'rejected' ? `${t('upload.status.rejected')} (${d.reason})` : t('timeline.attachment');
    case 'access_locked':
      return t('agent.h.access_locked', { attempts: d.attempts, minutes: d.minutes });
    default:
      break;
  }
  return t(`timeline.${ev.action}`);
}

/** A request's place as one line: address, point (5 decimals, about 1 m), sector. */
function placeText(place) {
  const parts = [];
  if (place.address) parts.push(place.address);
  if (place.lat != null && place.long != null) parts.push(`${Number(place.lat).toFixed(5)}, ${Number(place.long).toFixed(5)}`);
  if (place.sector) parts.push(`${t('place.sector')} ${place.sector}`);
  return parts.join(' · ');
}
