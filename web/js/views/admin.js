// Admins' screens: staff accounts and teams (#/agente/personal), the audit trail
// (#/agente/auditoria) and the manuals of operation by role (#/agente/manuales).
import { h, announce, dataTable, rowButton } from '../dom.js';
import { qs } from '../api.js';
import { fmtDateTime, pick, t } from '../i18n.js';
import { busy, errorSummary, field, statusLine, bound, checkedForm, actionButton } from '../forms.js';
import { accessToken } from '../auth.js';
import { staffRequest } from './agent.js';
import { checkGroup, guarded, page, showApiError, trackChanges, saveOrCancel } from './console_kit.js';

const ROLES = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'editor', 'moderator', 'admin'];
const TIERS = ['L1', 'L2', 'L3'];
const roleLabel = (r) => t(`role.${r.replace('-', '_')}`);

// ---- staff and teams ----------------------------------------------------------------------------

function stateOf(m) {
  if (!m.enabled) return t('staff.state.disabled');
  if (m.status === 'FORCE_CHANGE_PASSWORD') return t('staff.state.invited');
  return t('staff.state.active');
}

function loadOf(m) {
  if (m.open_load == null) return '—';
  return t('staff.load_of', { n: m.open_load, cap: m.capacity ?? 10 });
}

function staffForm(teams, member, onDone) {
  const editing = Boolean(member);
  const values = member
    ? { name: member.name, tier: member.tier }
    : { username: '', email: '', name: '', tier: 'L1' };
  const status = statusLine();
  const groups = checkGroup(
    'groups',
    t('staff.roles'),
    ROLES.map((r) => ({ value: r, label: roleLabel(r) })),
    member ? member.groups : [],
  );
  const teamBox = checkGroup(
    'teams',
    t('staff.teams'),
    teams.map((x) => ({ value: x.code, label: pick(x.name) })),
    member ? member.teams : [],
  );
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'staff-form-h',
      send: async () => {
        const body = {
          name: values.name.trim(),
          groups: groups.values(),
          teams: teamBox.values(),
          tier: values.tier,
        };
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          let saved;
          if (editing) {
            saved = await staffRequest(`/admin/staff/${encodeURIComponent(member.username)}`, {
              method: 'PUT',
              body: { ...body, version: member.version },
            });
          } else {
            saved = await staffRequest('/admin/staff', {
              method: 'POST',
              body: { ...body, username: values.username.trim().toLowerCase(), email: values.email.trim() },
            });
          }
          tracker.saved();
          onDone(
            editing
              ? t('staff.saved', { name: saved.name })
              : t('staff.invited', { name: saved.name, email: saved.email }),
          );
        } catch (err) {
          busy(button, false);
          if (err.status === 401) throw err;
          showApiError(form, err, () => onDone(''));
        }
      },
    },
    h(
      'h2',
      { id: 'staff-form-h' },
      editing ? t('staff.edit_title', { name: member.name }) : t('staff.new_title'),
    ),
    errorSummary(),
    !editing && h('p', { class: 'hint' }, t('staff.invite_hint')),
    !editing &&
      field({
        name: 'username',
        label: t('staff.username'),
        required: true,
        hint: t('staff.username_hint'),
        autocomplete: 'off',
        ...bound(values, 'username'),
      }),
    field({
      name: 'name',
      label: t('staff.name'),
      required: true,
      autocomplete: 'off',
      ...bound(values, 'name'),
    }),
    !editing &&
      field({
        name: 'email',
        kind: 'email',
        label: t('staff.email'),
        required: true,
        autocomplete: 'off',
        ...bound(values, 'email'),
      }),
    groups,
    teamBox,
    field({
      name: 'tier',
      kind: 'select',
      label: t('staff.tier'),
      options: TIERS.map((x) => ({ value: x, label: x })),
      ...bound(values, 'tier'),
    }),
    status,
    saveOrCancel(editing ? t('admin.save') : t('staff.create'), () => {
      tracker.saved();
      onDone('');
    }),
  );
  form.querySelector('[name=tier] option[value=""]').remove();
  const tracker = trackChanges(form);
  return form;
}

function teamForm(team, onDone) {
  const values = team
    ? { code: team.code, es: team.name.es, en: team.name.en || '' }
    : { code: '', es: '', en: '' };
  const tiers = checkGroup(
    'tiers',
    t('teams.tiers'),
    TIERS.map((x) => ({ value: x, label: x })),
    team ? team.tiers : ['L1'],
  );
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'team-form-h',
      send: async () => {
        const body = { name: { es: values.es.trim(), en: values.en.trim() || null }, tiers: tiers.values() };
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          if (team) await staffRequest(`/admin/teams/${team.code}`, { method: 'PUT', body });
          else
            await staffRequest('/admin/teams', {
              method: 'POST',
              body: { ...body, code: values.code.trim() },
            });
          tracker.saved();
          onDone(t('teams.saved', { name: values.es }));
        } catch (err) {
          busy(button, false);
          if (err.status === 401) throw err;
          showApiError(form, err, () => onDone(''));
        }
      },
    },
    h(
      'h2',
      { id: 'team-form-h' },
      team ? t('teams.edit_title', { name: pick(team.name) }) : t('teams.new_title'),
    ),
    errorSummary(),
    !team &&
      field({
        name: 'code',
        label: t('teams.code'),
        required: true,
        hint: t('teams.code_hint'),
        autocomplete: 'off',
        ...bound(values, 'code'),
      }),
    field({ name: 'name.es', label: t('teams.name_es'), required: true, ...bound(values, 'es') }),
    field({ name: 'name.en', label: t('teams.name_en'), ...bound(values, 'en') }),
    tiers,
    saveOrCancel(team ? t('admin.save') : t('teams.create'), () => {
      tracker.saved();
      onDone('');
    }),
  );
  const tracker = trackChanges(form);
  return form;
}

export const renderStaff = guarded(['admin'], 'staff.title', async (ctx, session) => {
  const [staff, teamList] = await Promise.all([staffRequest('/admin/staff'), staffRequest('/admin/teams')]);
  const teams = teamList.items;
  const teamName = Object.fromEntries(teams.map((x) => [x.code, pick(x.name)]));
  const note = h('p', { class: 'flash', role: 'status', hidden: true });
  const editor = h('div', { class: 'editor-slot' });
  const done = (message) => {
    editor.replaceChildren();
    if (message) {
      sessionStorage.setItem('ventanilla.admin.flash', message);
    }
    ctx.rerender();
  };
  const flash = sessionStorage.getItem('ventanilla.admin.flash');
  if (flash) {
    note.textContent = flash;
    note.hidden = false;
    sessionStorage.removeItem('ventanilla.admin.flash');
  }
  const open = (form) => {
    editor.replaceChildren(form);
    form.querySelector('input, select').focus();
  };
  const toggle = async (m, button) => {
    if (m.enabled && !window.confirm(t('staff.disable_confirm', { name: m.name }))) return;
    busy(button, true);
    try {
      await staffRequest(
        `/admin/staff/${encodeURIComponent(m.username)}/${m.enabled ? 'disable' : 'enable'}`,
        { method: 'POST', body: {} },
      );
      done(t(m.enabled ? 'staff.disabled' : 'staff.enabled', { name: m.name }));
    } catch (err) {
      busy(button, false);
      if (err.status === 401) throw err;
      note.textContent = err.message;
      note.hidden = false;
      note.setAttribute('role', 'alert');
    }
  };
  const rows = staff.items.map((m) =>
    h(
      'tr',
      { 'data-username': m.username },
      h(
        'th',
        { scope: 'row' },
        m.name,
        h('br'),
        h('span', { class: 'muted' }, m.username),
        m.email && h('br'),
        m.email && h('span', { class: 'muted small' }, m.email),
      ),
      h('td', {}, m.groups.map(roleLabel).join(', ') || '—'),
      h('td', {}, m.teams.map((c) => teamName[c] || c).join(', ') || '—'),
      h('td', {}, m.tier),
      h('td', {}, stateOf(m)),
      h('td', {}, m.available == null ? '—' : t(m.available ? 'staff.available' : 'staff.unavailable')),
      h('td', {}, loadOf(m)),
      h(
        'td',
        { class: 'row-actions' },
        rowButton(t('admin.edit'), t('staff.edit_who', { name: m.name }), () =>
          open(staffForm(teams, m, done)),
        ),
        m.username !== session.username &&
          rowButton(
            t(m.enabled ? 'staff.disable' : 'staff.enable'),
            t(m.enabled ? 'staff.disable_who' : 'staff.enable_who', { name: m.name }),
            (e) => toggle(m, e.currentTarget),
          ),
      ),
    ),
  );
  const cols = ['person', 'roles', 'teams', 'tier', 'state', 'availability', 'load', 'actions'];
  const table = dataTable(
    t('staff.caption'),
    cols.map((c) => t(`staff.col.${c}`)),
    rows,
    { attrs: { class: 'queue' }, region: t('staff.caption') },
  );
  const teamRows = teams.map((x) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, pick(x.name), h('br'), h('span', { class: 'muted' }, x.code)),
      h('td', {}, x.tiers.join(', ')),
      h('td', {}, x.agents),
      h('td', {}, x.available),
      h(
        'td',
        {},
        rowButton(t('admin.edit'), t('teams.edit_who', { name: pick(x.name) }), () =>
          open(teamForm(x, done)),
        ),
      ),
    ),
  );
  const teamTable = dataTable(
    t('teams.caption'),
    ['team', 'tiers', 'agents', 'available', 'actions'].map((c) => t(`teams.col.${c}`)),
    teamRows,
    { attrs: { class: 'queue' }, region: t('teams.caption') },
  );
  return page(
    session,
    '/agente/personal',
    'staff.title',
    note,
    h('p', {}, t('staff.lead')),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'btn primary', onclick: () => open(staffForm(teams, null, done)) },
        t('staff.new'),
      ),
      h(
        'button',
        { type: 'button', class: 'btn', onclick: () => open(teamForm(null, done)) },
        t('teams.new'),
      ),
    ),
    editor,
    h('h2', {}, t('staff.list_title')),
    table,
    staff.next_cursor && h('p', { class: 'hint' }, t('staff.more_hint')),
    h('h2', {}, t('teams.title')),
    teamTable,
  );
});

// ---- audit trail ---------------------------------------------------------------------------------

const KINDS = [
  'staff',
  'team',
  'canned',
  'calendar',
  'sla-policy',
  'routing-rules',
  'goal',
  'notification-template',
  'suppression',
  'dead-letters',
  'help-article',
  'help-section',
  'help-index',
];
const kindLabel = (k) => t(`audit.kind.${k.replace(/-/g, '_')}`);
const show = (v) => (v == null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function changesCell(r) {
  if (!r.changes.length) return h('td', {}, h('span', { class: 'muted' }, t('audit.no_changes')));
  return h(
    'td',
    {},
    h(
      'details',
      {},
      h('summary', {}, t('audit.n_changes', { n: r.changes.length })),
      dataTable(
        null,
        ['field', 'before', 'after'].map((c) => t(`audit.col.${c}`)),
        r.changes.map((c) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, c.path),
            h('td', { class: 'before' }, show(c.before)),
            h('td', { class: 'after' }, show(c.after)),
          ),
        ),
        { attrs: { class: 'diff' } },
      ),
    ),
  );
}

export const renderAudit = guarded(['admin'], 'audit.title', async ({ query }, session) => {
  const f = {
    from: query.get('desde') || '',
    to: query.get('hasta') || '',
    kind: query.get('que') || '',
    actor: query.get('quien') || '',
  };
  const api = (extra = {}) => qs({ from: f.from, to: f.to, kind: f.kind, actor: f.actor, ...extra });
  const chosen = { ...f };
  const status = statusLine();
  const form = checkedForm(
    {
      class: 'filters',
      'aria-label': t('audit.filters'),
      send: () => {
        location.hash = `#/agente/auditoria?${qs({ desde: chosen.from, hasta: chosen.to, que: chosen.kind, quien: chosen.actor })}`;
      },
    },
    errorSummary(),
    field({ name: 'from', kind: 'date', label: t('audit.from'), ...bound(chosen, 'from') }),
    field({ name: 'to', kind: 'date', label: t('audit.to'), ...bound(chosen, 'to') }),
    field({
      name: 'kind',
      kind: 'select',
      label: t('audit.kind'),
      options: KINDS.map((k) => ({ value: k, label: kindLabel(k) })),
      ...bound(chosen, 'kind'),
    }),
    field({
      name: 'actor',
      label: t('audit.actor'),
      value: f.actor,
      autocomplete: 'off',
      onInput: (v) => {
        chosen.actor = v.trim();
      },
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('agent.apply'))),
  );
  for (const el of form.querySelectorAll('.opt')) el.remove();
  form.querySelector('[name=kind] option[value=""]').textContent = t('audit.any_kind');
  let pageData = { items: [], next_cursor: null };
  let problem = '';
  try {
    pageData = await staffRequest(`/admin/audit?${api({ limit: 50 })}`);
  } catch (e) {
    if (e.status === 401) throw e;
    problem = e.message;
  }
  const tbody = h('tbody');
  const add = (items) =>
    tbody.append(
      ...items.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, h('time', { datetime: r.at }, fmtDateTime(r.at))),
          h('td', {}, r.actor),
          h('td', {}, kindLabel(r.kind)),
          h(
            'td',
            {},
            t(`audit.action.${r.action}`) === `audit.action.${r.action}`
              ? r.action
              : t(`audit.action.${r.action}`),
          ),
          h('td', {}, r.target || '—'),
          changesCell(r),
        ),
      ),
    );
  add(pageData.items);
  const more = actionButton(
    {
      class: 'btn',
      hidden: !pageData.next_cursor,
      run: async () => {
        const next = await staffRequest(`/admin/audit?${api({ limit: 50, cursor: more.dataset.cursor })}`);
        add(next.items);
        more.dataset.cursor = next.next_cursor || '';
        more.hidden = !next.next_cursor;
        announce(t('agent.loaded_more', { n: next.items.length }));
      },
    },
    t('agent.more'),
  );
  more.dataset.cursor = pageData.next_cursor || '';
  const download = actionButton(
    {
      class: 'btn',
      run: async () => {
        status.textContent = t('audit.exporting');
        const token = await accessToken();
        const res = await fetch(`/api/v1/admin/audit/export?${api({ format: 'csv' })}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        if (!res.ok) throw new Error(t('error.generic'));
        const url = URL.createObjectURL(await res.blob());
        const a = h('a', { href: url, download: 'auditoria.csv' });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        status.textContent = t('audit.exported');
      },
      fail: (e) => {
        status.textContent = e.message;
      },
    },
    t('audit.export'),
  );
  const cols = ['when', 'who', 'what', 'action', 'target', 'changes'];
  const table = dataTable(
    t('audit.caption'),
    cols.map((c) => t(`audit.col.${c}`)),
    tbody,
    { attrs: { class: 'queue audit' }, region: t('audit.caption') },
  );
  return page(
    session,
    '/agente/auditoria',
    'audit.title',
    h('p', {}, t('audit.lead')),
    form,
    problem && h('p', { class: 'notice error-notice', role: 'alert' }, problem),
    h(
      'p',
      { role: 'status' },
      pageData.items.length ? t('audit.count', { n: pageData.items.length }) : t('audit.empty'),
    ),
    pageData.items.length ? table : null,
    more,
    h('div', { class: 'actions' }, download),
    status,
  );
});

// ---- manuals ----------------------------------------------------------------------------------

const MANUALS = [
  ['agent', ['agent-l1', 'agent-l2', 'agent-l3']],
  ['supervisor', ['supervisor']],
  ['editor', ['editor']],
  ['admin', ['admin']],
];

export const renderManuals = guarded(ROLES, 'manuals.title', async (ctx, session) =>
  page(
    session,
    '/agente/manuales',
    'manuals.title',
    h('p', {}, t('manuals.lead')),
    h(
      'ul',
      { class: 'manuals' },
      MANUALS.map(([role, groups]) =>
        h(
          'li',
          {},
          h('a', { href: `/manuales/${role}.html` }, t(`manuals.${role}`)),
          session.groups.some((g) => groups.includes(g)) && h('strong', {}, ` — ${t('manuals.yours')}`),
        ),
      ),
    ),
  ),
);
