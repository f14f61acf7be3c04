// Agent console (#/agente): sign in and the team queue with SLA badges (the ticket page is
// agent_ticket.js). Loaded only by staff.
import { h, announce } from '../dom.js';
import { ApiError, catalog, config, qs, request } from '../api.js';
import { fmtShort, pick, t } from '../i18n.js';
import { busy, clearErrors, errorSummary, field, showErrors, statusLine } from '../forms.js';
import { DEFAULT_WARNINGS, nextTarget, slaState } from '../sla.js';
import { AuthError, accessToken, current, login, logout, signOut } from '../auth.js';
import { go } from '../app.js';
import { newPasswordView } from './new-password.js';
import { consoleMenu } from './console_kit.js';

const STATUSES = ['received', 'assigned', 'in_progress', 'waiting_citizen', 'resolved', 'closed', 'reopened'];
const WORKING_ROLES = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'admin'];
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

export function loginView() {
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
      if (kind === 'new_password' && error.challenge) {
        const view = newPasswordView(error.challenge, () => { notice = ''; go(location.hash.slice(1) || '/agente'); });
        formEl.closest('section').replaceWith(view);
        view.querySelector('h1').focus();
        return;
      }
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

export function logoutButton() {
  return h('button', { type: 'button', class: 'btn link', onclick: async () => { await signOut(); notice = t('agent.signed_out'); go('/agente'); } }, t('agent.sign_out'));
}

export function whoBar(session) {
  return h('div', { class: 'whobar' },
    h('p', {}, t('agent.signed_in_as', { name: session.name }), ' ', h('span', { class: 'muted' }, `(${session.groups.join(', ')})`)),
    session.groups.some((g) => g === 'supervisor' || g === 'admin') && h('a', { href: '#/agente/tablero' }, t('dash.link')),
    h('a', { href: '#/agente/nueva' }, t('entry.link')),
    h('a', { href: '#/agente/activos' }, t('assets.list_title')),
    h('a', { href: '#/agente/mi-equipo' }, t('assets.mine_title')),
    logoutButton(),
    consoleMenu(session));
}

// ---- queue ----------------------------------------------------------------------------------

const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const SORTS = ['due', 'priority'];

async function warnings() {
  try { return (await config()).sla_warnings || DEFAULT_WARNINGS; } catch { return DEFAULT_WARNINGS; }
}

export const renderQueue = withSession(async ({ query }, session) => {
  const f = {
    team: query.get('equipo') || '', status: query.get('estado') || '', priority: query.get('prioridad') || '',
    breached: query.get('vencidas') === '1', sort: SORTS.includes(query.get('orden')) ? query.get('orden') : 'due',
  };
  const asQuery = (x) => qs({ equipo: x.team, estado: x.status, prioridad: x.priority, vencidas: x.breached ? '1' : '', orden: x.sort === 'due' ? '' : x.sort });
  sessionStorage.setItem(LAST_QUEUE, asQuery(f));
  // The API orders and filters exactly across every page (team, status, priority, past due).
  const apiQuery = (cursor) => qs({ team: f.team, status: f.status, priority: f.priority, overdue: f.breached ? '1' : '', order: f.sort, limit: 100, cursor });
  const [cat, shares] = await Promise.all([catalog(), warnings()]);
  const teams = cat.teams || [];
  const typeNames = Object.fromEntries(cat.types.flatMap((ty) => ty.subtypes.map((s) => [`${ty.code}/${s.code}`, `${pick(ty.name)} › ${pick(s.name)}`])));
  let page;
  let problem = '';
  try {
    page = await staffRequest(`/agent/queue?${apiQuery()}`);
  } catch (e) {
    if (e.status === 401) throw e;
    page = { items: [], next_cursor: null };
    problem = e.message;
  }
  const loaded = [...page.items];
  // badges as of the service's clock, the one "past due" was filtered by
  const now = page.as_of ? Date.parse(page.as_of) : Date.now();
  const shown = () => loaded;

  const chosen = { ...f };
  const filterForm = h('form', { class: 'filters', 'aria-label': t('agent.filters'), onsubmit: (e) => {
    e.preventDefault();
    go(`/agente?${asQuery(chosen)}`);
  } },
  field({ name: 'team', kind: 'select', label: t('agent.team'), value: f.team, options: teams.map((x) => ({ value: x.code, label: pick(x.name) })), onInput: (v) => { chosen.team = v; } }),
  field({ name: 'status', kind: 'select', label: t('agent.status'), value: f.status, options: STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })), onInput: (v) => { chosen.status = v; } }),
  field({ name: 'priority', kind: 'select', label: t('agent.priority'), value: f.priority, options: PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })), onInput: (v) => { chosen.priority = v; } }),
  field({ name: 'sort', kind: 'select', label: t('agent.sort'), value: f.sort, options: SORTS.map((s) => ({ value: s, label: t(`agent.sort.${s}`) })), onInput: (v) => { chosen.sort = v || 'due'; } }),
  field({ name: 'breached', kind: 'checkbox', label: t('agent.only_breached'), value: f.breached, onInput: (v) => { chosen.breached = v; } }),
  h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('agent.apply'))));
  // The empty choice of each select means "my teams" / "all open" / "any".
  filterForm.querySelector('[name=team] option[value=""]').textContent = t('agent.my_teams');
  filterForm.querySelector('[name=status] option[value=""]').textContent = t('agent.all_open');
  filterForm.querySelector('[name=priority] option[value=""]').textContent = t('agent.any_priority');
  filterForm.querySelector('[name=sort] option[value=""]').remove();
  for (const el of filterForm.querySelectorAll('.opt')) el.remove();

  const tbody = h('tbody');
  const count = h('p', { role: 'status' });
  const table = h('table', { class: 'queue' }, h('caption', {}, t(`agent.queue_caption.${f.sort}`)),
    h('thead', {}, h('tr', {}, ['number', 'subject', 'status', 'priority', 'team', 'assignee', 'due'].map((c) => h('th', { scope: 'col' }, t(`agent.col.${c}`))))),
    tbody);
  const wrap = h('div', { class: 'table-wrap', role: 'region', 'aria-label': t(`agent.queue_caption.${f.sort}`), tabindex: '0' }, table);
  const draw = () => {
    const items = shown();
    tbody.replaceChildren(...items.map((it) => row(it, typeNames, now, shares)));
    count.textContent = t(items.length > 1 ? 'agent.count' : items.length ? 'agent.count_one' : 'agent.empty', { n: items.length });
    wrap.hidden = !items.length;
  };
  draw();
  const more = h('button', { type: 'button', class: 'btn', hidden: !page.next_cursor, onclick: async () => {
    busy(more, true);
    const next = await staffRequest(`/agent/queue?${apiQuery(more.dataset.cursor)}`);
    loaded.push(...next.items);
    draw();
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
    count, wrap, more,
    h('p', { class: 'hint' }, t('agent.sla_legend')),
    availabilityBox(session));
});

/** "I take new requests" and how many open ones at most (automatic assignment reads it). */
function availabilityBox(session) {
  if (!session.groups.some((g) => g.startsWith('agent-') || g === 'supervisor')) return null;
  const box = h('section', { class: 'availability', 'aria-labelledby': 'avail-h' }, h('h2', { id: 'avail-h' }, t('agent.availability')));
  const status = statusLine();
  const values = { available: false, capacity: '10' };
  const formEl = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clearErrors(formEl);
    const capacity = Number(values.capacity);
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 500) {
      showErrors(formEl, [{ field: 'capacity', message: t('agent.capacity_range') }]);
      return;
    }
    const button = formEl.querySelector('button');
    busy(button, true);
    try {
      const saved = await staffRequest('/agent/me/availability', { method: 'PUT', body: { available: values.available, capacity } });
      status.textContent = t(saved.available ? 'agent.available_saved' : 'agent.unavailable_saved', { n: saved.capacity });
    } catch (error) {
      showErrors(formEl, error.errors.length ? error.errors : [{ field: null, message: error.message }]);
    } finally {
      busy(button, false);
    }
  } },
  errorSummary(),
  h('p', { class: 'hint' }, t('agent.availability_hint')));
  box.append(formEl);
  staffRequest('/agent/me/availability').then((current) => {
    values.available = current.available;
    values.capacity = String(current.capacity);
    formEl.append(
      field({ name: 'available', kind: 'checkbox', label: t('agent.available'), value: current.available, onInput: (v) => { values.available = v; } }),
      field({ name: 'capacity', kind: 'number', label: t('agent.capacity'), value: String(current.capacity), hint: t('agent.capacity_hint'), onInput: (v) => { values.capacity = v; } }),
      status,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('agent.save_availability'))));
    for (const el of formEl.querySelectorAll('.opt')) el.remove();
  }).catch(() => { box.hidden = true; });
  return box;
}

function slaBadge(item, now = Date.now(), shares = DEFAULT_WARNINGS) {
  const state = slaState(item, now, shares);
  if (!state) return null;
  return h('span', { class: `badge sla-${state}`, 'data-sla': state }, t(`sla.${state}`));
}

function row(it, typeNames, now, shares) {
  const due = it.next_due || it.expected_response_by;
  const finished = it.status === 'resolved' || it.status === 'closed';
  return h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/agente/solicitud/${it.number}` }, it.number)),
    h('td', {}, h('span', { class: 'subject' }, it.subject), h('span', { class: 'muted small' }, typeNames[`${it.type_code}/${it.subtype_code}`] || `${it.type_code}/${it.subtype_code}`)),
    h('td', {}, h('span', { class: `badge status-${it.status}` }, t(`status.${it.status}`))),
    h('td', {}, h('span', { class: `prio prio-${it.priority}` }, t(`priority.${it.priority}`))),
    h('td', {}, `${it.team} · ${it.tier}`),
    h('td', {}, it.assignee_name || h('span', { class: 'muted' }, t('agent.unassigned'))),
    h('td', {}, finished ? '—' : [h('time', { datetime: due }, fmtShort(due)), h('span', { class: 'muted small block' }, t(`agent.target.${nextTarget(it)}`)), ' ', slaBadge(it, now, shares)]));
}
