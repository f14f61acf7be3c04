// Agent console (#/agente): sign in, the team queue with SLA badges, the full ticket with its
// history, reply, internal note, assign to me and status changes. Loaded only by staff.
import { h, announce } from '../dom.js';
import { ApiError, catalog, qs, request } from '../api.js';
import { fmtDateTime, fmtShort, pick, t } from '../i18n.js';
import { busy, clearErrors, errorSummary, field, showErrors, statusLine } from '../forms.js';
import { slaState } from '../sla.js';
import { AuthError, accessToken, current, login, logout } from '../auth.js';
import { go } from '../app.js';

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

async function staffRequest(path, options = {}) {
  const token = await accessToken();
  if (!token) throw new ApiError(401, { code: 'token_missing' });
  try {
    return await request(path, { ...options, token });
  } catch (e) {
    if (e.status === 401) { logout(); notice = t('agent.expired'); }
    throw e;
  }
}

function withSession(view) {
  return async (ctx) => {
    const session = current();
    if (!session) return loginView();
    if (!session.groups.some((g) => WORKING_ROLES.includes(g))) {
      return h('section', {}, h('h1', {}, t('agent.title')), h('p', { role: 'alert' }, t('agent.no_role')), logoutButton());
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

function loginView() {
  const values = { username: '', password: '' };
  const status = statusLine();
  const formEl = h('form', { novalidate: true, class: 'narrow', onsubmit: async (e) => {
    e.preventDefault();
    clearErrors(formEl);
    const errors = [];
    if (!values.username.trim()) errors.push({ field: 'username', message: t('val.required') });
    if (!values.password) errors.push({ field: 'password', message: t('val.required') });
    if (errors.length) { showErrors(formEl, errors); return; }
    const button = formEl.querySelector('button');
    busy(button, true);
    status.textContent = t('agent.signing_in');
    try {
      await login(values.username.trim(), values.password);
      notice = '';
      go(location.hash.slice(1) || '/agente');
    } catch (error) {
      busy(button, false);
      status.textContent = '';
      const kind = error instanceof AuthError ? error.kind : 'unknown';
      showErrors(formEl, [{ field: null, message: t(`agent.login_error.${kind}`) }], t('agent.login_failed'));
    }
  } },
  errorSummary(),
  notice && h('p', { class: 'notice', role: 'status' }, notice),
  field({ name: 'username', label: t('agent.username'), required: true, autocomplete: 'username', onInput: (v) => { values.username = v; } }),
  field({ name: 'password', label: t('agent.password'), required: true, autocomplete: 'current-password', onInput: (v) => { values.password = v; } }),
  status,
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('agent.sign_in'))));
  formEl.querySelector('[name=password]').type = 'password';
  return h('section', { class: 'agent' }, h('h1', {}, t('agent.login_title')), h('p', {}, t('agent.login_lead')), formEl);
}

function logoutButton() {
  return h('button', { type: 'button', class: 'btn link', onclick: () => { logout(); notice = t('agent.signed_out'); go('/agente'); } }, t('agent.sign_out'));
}

function whoBar(session) {
  return h('div', { class: 'whobar' },
    h('p', {}, t('agent.signed_in_as', { name: session.name }), ' ', h('span', { class: 'muted' }, `(${session.groups.join(', ')})`)),
    session.groups.some((g) => g === 'supervisor' || g === 'admin') && h('a', { href: '#/agente/tablero' }, t('dash.link')),
    logoutButton());
}

// ---- queue ------------------------------------------------------------------------------------

export const renderQueue = withSession(async ({ query }, session) => {
  const team = query.get('equipo') || '';
  const status = query.get('estado') || '';
  sessionStorage.setItem(LAST_QUEUE, qs({ equipo: team, estado: status }));
  const cat = await catalog();
  const teams = cat.teams || [];
  const typeNames = Object.fromEntries(cat.types.flatMap((ty) => ty.subtypes.map((s) => [`${ty.code}/${s.code}`, `${pick(ty.name)} › ${pick(s.name)}`])));
  let page;
  let problem = '';
  try {
    page = await staffRequest(`/agent/queue?${qs({ team, status, limit: 50 })}`);
  } catch (e) {
    if (e.status === 401) throw e;
    page = { items: [], next_cursor: null };
    problem = e.message;
  }
  const filters = { team, status };
  const filterForm = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    go(`/agente?${qs({ equipo: filters.team, estado: filters.status })}`);
  } },
  field({ name: 'team', kind: 'select', label: t('agent.team'), value: team, options: teams.map((x) => ({ value: x.code, label: pick(x.name) })), onInput: (v) => { filters.team = v; } }),
  field({ name: 'status', kind: 'select', label: t('agent.status'), value: status, options: STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })), onInput: (v) => { filters.status = v; } }),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('agent.apply'))));
  // The empty choice of each select means "my teams" / "all open".
  filterForm.querySelector('[name=team] option[value=""]').textContent = t('agent.my_teams');
  filterForm.querySelector('[name=status] option[value=""]').textContent = t('agent.all_open');
  for (const el of filterForm.querySelectorAll('.opt')) el.remove();

  const tbody = h('tbody');
  const caption = h('caption', {}, t('agent.queue_caption'));
  const table = h('table', { class: 'queue' }, caption,
    h('thead', {}, h('tr', {}, ['number', 'subject', 'status', 'priority', 'team', 'assignee', 'due'].map((c) => h('th', { scope: 'col' }, t(`agent.col.${c}`))))),
    tbody);
  const addRows = (items) => tbody.append(...items.map((it) => row(it, typeNames)));
  addRows(page.items);
  const more = h('button', { type: 'button', class: 'btn', hidden: !page.next_cursor, onclick: async () => {
    busy(more, true);
    const next = await staffRequest(`/agent/queue?${qs({ team, status, limit: 50, cursor: more.dataset.cursor })}`);
    addRows(next.items);
    more.dataset.cursor = next.next_cursor || '';
    more.hidden = !next.next_cursor;
    busy(more, false);
    announce(t('agent.loaded_more', { n: next.items.length }));
  } }, t('agent.more'));
  more.dataset.cursor = page.next_cursor || '';

  return h('section', { class: 'agent' },
    whoBar(session),
    h('h1', {}, t('agent.queue_title')),
    filterForm,
    problem && h('p', { class: 'notice error-notice', role: 'alert' }, problem),
    h('p', { role: 'status' }, t(page.items.length > 1 ? 'agent.count' : page.items.length ? 'agent.count_one' : 'agent.empty', { n: page.items.length })),
    page.items.length > 0 && h('div', { class: 'table-wrap', role: 'region', 'aria-label': t('agent.queue_caption'), tabindex: '0' }, table),
    more);
});

function slaBadge(item) {
  const state = slaState(item);
  if (!state) return null;
  return h('span', { class: `badge sla-${state}` }, t(`sla.${state}`));
}

function row(it, typeNames) {
  return h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/agente/solicitud/${it.number}` }, it.number)),
    h('td', {}, h('span', { class: 'subject' }, it.subject), h('span', { class: 'muted small' }, typeNames[`${it.type_code}/${it.subtype_code}`] || `${it.type_code}/${it.subtype_code}`)),
    h('td', {}, h('span', { class: `badge status-${it.status}` }, t(`status.${it.status}`))),
    h('td', {}, h('span', { class: `prio prio-${it.priority}` }, t(`priority.${it.priority}`))),
    h('td', {}, `${it.team} · ${it.tier}`),
    h('td', {}, it.assignee_name || h('span', { class: 'muted' }, t('agent.unassigned'))),
    h('td', {}, h('time', { datetime: it.expected_response_by }, fmtShort(it.expected_response_by)), ' ', slaBadge(it)));
}

// ---- one ticket -------------------------------------------------------------------------------

export const renderTicket = withSession(async ({ params }, session) => {
  const [number] = params;
  const cat = await catalog();
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
  drawTicket(root, data, session, cat);
  return root;
});

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
      h('span', { class: `prio prio-${tk.priority}` }, t(`priority.${tk.priority}`)), ' ',
      slaBadge(tk)),
    status,
    h('div', { class: 'cols' },
      h('div', { class: 'col-main' },
        h('section', { 'aria-labelledby': 'desc-h' }, h('h2', { id: 'desc-h' }, t('agent.description')), h('div', { class: 'tl-body' }, tk.description)),
        h('section', { 'aria-labelledby': 'hist-h' },
          h('h2', { id: 'hist-h' }, t('agent.history')),
          h('ol', { class: 'timeline staff' }, data.history.map((ev) => historyItem(ev, r.name)))),
        composer),
      h('div', { class: 'col-side' },
        assignBox,
        statusForm,
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
            h('dt', {}, t('request.created')), h('dd', {}, fmtDateTime(tk.created_at)),
            h('dt', {}, t('request.expected')), h('dd', {}, fmtDateTime(tk.expected_response_by)),
            tk.first_response_at && [h('dt', {}, t('agent.first_response')), h('dd', {}, fmtDateTime(tk.first_response_at))],
            h('dt', {}, t('request.resolution_due')), h('dd', {}, fmtDateTime(tk.resolution_due)),
            formRows,
            h('dt', {}, t('agent.seen_articles')), h('dd', {}, (tk.seen_articles || []).length ? h('ul', { class: 'plain' }, tk.seen_articles.map((s) => h('li', {}, h('a', { href: `#/ayuda/${s}` }, s)))) : '—'))))),
  );
}

function historyItem(ev, requesterName) {
  const internal = !ev.public;
  const who = ev.actor.name || (ev.actor.kind === 'citizen' && requesterName) || t(`actor.${ev.actor.kind}`);
  let what = t(`timeline.${ev.action}`);
  if (ev.action === 'status_changed' && ev.data.status) {
    what = ev.data.previous
      ? t('agent.moved', { from: t(`status.${ev.data.previous}`), to: t(`status.${ev.data.status}`) })
      : t('timeline.status', { status: t(`status.${ev.data.status}`) });
  } else if (ev.action === 'assigned') {
    what = ev.data.assignee_name ? t('agent.history_assigned', { name: ev.data.assignee_name, team: ev.data.team }) : t('agent.history_team', { team: ev.data.team });
  }
  return h('li', { class: `tl-${ev.action}${internal ? ' internal' : ''}` },
    h('p', { class: 'tl-head' },
      internal && h('span', { class: 'badge internal-badge' }, ev.action === 'note' ? t('agent.internal_note') : t('agent.internal')), internal && ' ',
      h('strong', {}, who), ' · ', h('time', { datetime: ev.at }, fmtDateTime(ev.at)),
      ev.channel && ev.channel !== 'web' ? ` · ${t(`channel.name.${ev.channel}`)}` : ''),
    h('p', { class: 'tl-what' }, what),
    ev.body && h('div', { class: 'tl-body' }, ev.body));
}
