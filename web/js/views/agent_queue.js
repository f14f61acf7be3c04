// The agents' workspace queue (#/agente): search (number, name, email, text), all / assigned to me /
// unassigned, team, status, priority and past-due filters, four orders, the real total, a dense
// table (requester and age columns), bulk assign / status / merge with each request's result, and
// "N new requests · Refresh" from polling GET /agent/queue/new. The filters live in the URL.
import { h, announce, dataTable } from '../dom.js';
import { catalog, config, qs } from '../api.js';
import { TIME_ZONE, fmtDateTime, getLang, pick, plural, t } from '../i18n.js';
import {
  busy,
  clearErrors,
  errorSummary,
  field,
  showErrors,
  statusLine,
  checkedForm,
  actionButton,
  bound,
} from '../forms.js';
import { DEFAULT_WARNINGS, nextTarget, slaState } from '../sla.js';
import { go } from '../app.js';
import { staffRequest, withSession } from './agent.js';

const OPEN = ['received', 'reopened', 'assigned', 'in_progress', 'waiting_citizen'];
const TARGETS = ['assigned', 'in_progress', 'waiting_citizen', 'resolved', 'closed'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const SORTS = ['due', 'priority', 'newest', 'oldest'];
const VIEWS = { '': '', mias: 'me', 'sin-asignar': 'none' };
const LAST_QUEUE = 'ventanilla.queue'; // the ticket page's "back to the queue" reads it
const QUEUE_NUMBERS = 'ventanilla.queue.numbers'; // and its j/k shortcuts this
const PAGE = 50;
const MAX_BULK = 50;
const POLL_MS = 20_000;
const MANAGERS = ['supervisor', 'admin'];

async function warnings() {
  try {
    return (await config()).sla_warnings || DEFAULT_WARNINGS;
  } catch {
    return DEFAULT_WARNINGS;
  }
}

/** How long ago, short: "12 min", "5 h", "3 d". */
export function age(createdAt, now) {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  if (minutes < 60) return t('ws.age.min', { n: minutes });
  if (minutes < 48 * 60) return t('ws.age.h', { n: Math.floor(minutes / 60) });
  return t('ws.age.d', { n: Math.floor(minutes / 1440) });
}

/** "03 dic 09:30": the due instant, short enough for a dense row (the full one is its title). */
function compact(iso) {
  const d = new Date(iso);
  const opts = { timeZone: TIME_ZONE, hour12: false };
  const day = d.toLocaleDateString(getLang() === 'es' ? 'es-CL' : 'en-GB', {
    ...opts,
    day: '2-digit',
    month: 'short',
  });
  const time = d.toLocaleTimeString('es-CL', { ...opts, hour: '2-digit', minute: '2-digit' });
  return `${day.replace('.', '')} ${time}`;
}

function slaBadge(item, now, shares) {
  const state = slaState(item, now, shares);
  if (!state) return null;
  return h('span', { class: `badge sla-${state}`, 'data-sla': state }, t(`sla.${state}`));
}

function readFilters(query) {
  const view = query.get('ver') || '';
  return {
    team: query.get('equipo') || '',
    status: OPEN.includes(query.get('estado')) ? query.get('estado') : '',
    priority: PRIORITIES.includes(query.get('prioridad')) ? query.get('prioridad') : '',
    breached: query.get('vencidas') === '1',
    sort: SORTS.includes(query.get('orden')) ? query.get('orden') : 'due',
    view: view in VIEWS ? view : '',
    search: (query.get('buscar') || '').slice(0, 100),
  };
}

const asQuery = (x) =>
  qs({
    buscar: x.search,
    ver: x.view,
    equipo: x.team,
    estado: x.status,
    prioridad: x.priority,
    vencidas: x.breached ? '1' : '',
    orden: x.sort === 'due' ? '' : x.sort,
  });

export const renderQueue = withSession(async ({ query }, session) => {
  const f = readFilters(query);
  sessionStorage.setItem(LAST_QUEUE, asQuery(f));
  const filters = { team: f.team, status: f.status, assigned: VIEWS[f.view] };
  const apiQuery = (cursor) =>
    qs({
      ...filters,
      priority: f.priority,
      overdue: f.breached ? '1' : '',
      order: f.sort,
      q: f.search,
      limit: PAGE,
      cursor,
    });
  const [cat, shares, me] = await Promise.all([
    catalog(),
    warnings(),
    staffRequest('/agent/me').catch(() => null),
  ]);
  const allTeams = cat.teams || [];
  const wide = session.groups.some((g) => MANAGERS.includes(g));
  const myTeams = wide || !me ? allTeams : allTeams.filter((x) => me.teams.includes(x.code));
  const typeNames = Object.fromEntries(
    cat.types.flatMap((ty) =>
      ty.subtypes.map((s) => [`${ty.code}/${s.code}`, `${pick(ty.name)} › ${pick(s.name)}`]),
    ),
  );

  const state = {
    loaded: [],
    cursor: null,
    asOf: null,
    now: Date.now(),
    total: null,
    complete: true,
    selected: new Set(),
  };
  const total = h('p', { class: 'ws-total', role: 'status', 'data-testid': 'queue-total' });
  const problemBox = h('p', { class: 'notice error-notice', role: 'alert', hidden: true });
  const newBox = h('p', { class: 'ws-new', hidden: true, 'data-testid': 'queue-new' });
  const tbody = h('tbody');
  const caption = t(`ws.caption.${f.sort}`);
  const selectAll = h('input', {
    type: 'checkbox',
    'aria-label': t('ws.select_all'),
    onchange: () => {
      for (const it of state.loaded.slice(0, MAX_BULK)) {
        if (selectAll.checked) state.selected.add(it.number);
        else state.selected.delete(it.number);
      }
      drawRows();
      drawBulk();
    },
  });
  const cols = ['number', 'subject', 'requester', 'status', 'priority', 'assignee', 'age', 'due'];
  const wrap = dataTable(
    caption,
    [
      h('td', { class: 'ws-check' }, selectAll),
      ...cols.map((c) => h('th', { scope: 'col', class: `ws-col-${c}` }, t(`ws.col.${c}`))),
    ],
    tbody,
    {
      attrs: { class: 'queue ws-table' },
      hideCaption: true,
      region: caption,
      regionClass: 'table-wrap ws-wrap',
    },
  );
  const more = actionButton(
    {
      class: 'btn',
      hidden: true,
      run: async () => {
        const next = await staffRequest(`/agent/queue?${apiQuery(state.cursor)}`);
        state.loaded.push(...next.items);
        state.cursor = next.next_cursor;
        drawRows();
        announce(t('agent.loaded_more', { n: next.items.length }));
      },
    },
    t('agent.more'),
  );

  function row(it) {
    const due = it.next_due || it.expected_response_by;
    const type = typeNames[`${it.type_code}/${it.subtype_code}`] || `${it.type_code}/${it.subtype_code}`;
    const checked = state.selected.has(it.number);
    const box = h('input', {
      type: 'checkbox',
      checked,
      'aria-label': t('ws.select', { number: it.number }),
      onchange: () => {
        if (box.checked && state.selected.size >= MAX_BULK) {
          box.checked = false;
          announce(t('ws.bulk_max', { n: MAX_BULK }));
          return;
        }
        if (box.checked) state.selected.add(it.number);
        else state.selected.delete(it.number);
        box.closest('tr').classList.toggle('selected', box.checked);
        drawBulk();
      },
    });
    return h(
      'tr',
      { class: checked ? 'selected' : null, 'data-number': it.number },
      h('td', { class: 'ws-check' }, box),
      h('th', { scope: 'row' }, h('a', { href: `#/agente/solicitud/${it.number}` }, it.number)),
      h(
        'td',
        { class: 'ws-subject', title: `${it.subject} — ${type}` },
        h('span', { class: 'subject' }, it.subject),
      ),
      h('td', { class: 'ws-requester' }, h('span', {}, it.requester_name || '—')),
      h('td', {}, h('span', { class: `badge status-${it.status}` }, t(`ws.status.${it.status}`))),
      h('td', {}, h('span', { class: `prio prio-${it.priority}` }, t(`priority.${it.priority}`))),
      h(
        'td',
        { class: 'ws-assignee' },
        it.assignee_name
          ? h('span', {}, it.assignee_name)
          : h('span', { class: 'muted' }, t('agent.unassigned')),
        h('span', { class: 'muted small' }, ` · ${it.team} ${it.tier}`),
      ),
      h('td', { title: fmtDateTime(it.created_at) }, age(it.created_at, state.now)),
      h(
        'td',
        { class: 'ws-due', title: t(`agent.target.${nextTarget(it)}`) },
        slaBadge(it, state.now, shares),
        ' ',
        h('time', { datetime: due, title: fmtDateTime(due) }, compact(due)),
      ),
    );
  }

  function drawRows() {
    tbody.replaceChildren(...state.loaded.map(row));
    // The ticket page's j/k walk this list, in this order.
    sessionStorage.setItem(QUEUE_NUMBERS, JSON.stringify(state.loaded.map((it) => it.number)));
    wrap.hidden = !state.loaded.length;
    more.hidden = !state.cursor;
    const n = state.total ?? state.loaded.length;
    if (!state.loaded.length) total.textContent = t(f.search ? 'ws.no_results' : 'agent.empty');
    else if (!state.complete) total.textContent = t(f.search ? 'ws.search_more' : 'ws.total_more', { n });
    else total.textContent = plural(f.search ? 'ws.results' : 'ws.total', n, { shown: state.loaded.length });
    const shown = state.loaded.slice(0, MAX_BULK);
    selectAll.checked = shown.length > 0 && shown.every((it) => state.selected.has(it.number));
  }

  async function load() {
    try {
      const page = await staffRequest(`/agent/queue?${apiQuery()}`);
      problemBox.hidden = true;
      Object.assign(state, {
        loaded: [...page.items],
        cursor: page.next_cursor,
        asOf: page.as_of,
        total: page.total,
        complete: page.total_complete !== false,
        now: page.as_of ? Date.parse(page.as_of) : Date.now(), // the service's clock, the one "past due" used
      });
    } catch (e) {
      if (e.status === 401) throw e;
      Object.assign(state, { loaded: [], cursor: null, total: 0, complete: true });
      problemBox.textContent = e.message;
      problemBox.hidden = false;
    }
    const present = new Set(state.loaded.map((it) => it.number));
    for (const n of [...state.selected]) if (!present.has(n)) state.selected.delete(n);
    newBox.hidden = true;
    drawRows();
    drawBulk();
  }

  // ---- new requests: polled while the page is shown, and when the tab comes back -------------
  let polling = false;
  let again = false; // the tab came back while a poll was under way: poll once more after it
  async function poll() {
    if (!root.isConnected) {
      stop();
      return;
    }
    if (polling) {
      again = true;
      return;
    }
    if (!state.asOf || document.hidden || f.search) return;
    polling = true;
    try {
      const news = await staffRequest(`/agent/queue/new?${qs({ ...filters, since: state.asOf })}`);
      if (news.count > 0) {
        newBox.replaceChildren(
          h('span', {}, plural('ws.new', news.count)),
          ' · ',
          h(
            'button',
            {
              type: 'button',
              class: 'btn link',
              onclick: async () => {
                await load();
                announce(t('ws.refreshed'));
                total.setAttribute('tabindex', '-1');
                total.focus();
              },
            },
            t('ws.refresh'),
          ),
        );
        newBox.hidden = false;
      }
    } catch {
      /* the next poll tries again */
    } finally {
      polling = false;
      if (again) {
        again = false;
        poll();
      }
    }
  }
  let timer = null;
  function stop() {
    clearInterval(timer);
    window.removeEventListener('focus', poll);
  }

  // ---- filters ------------------------------------------------------------------------------
  const chosen = { ...f };
  const filterForm = checkedForm(
    {
      class: 'filters ws-filters',
      role: 'search',
      'aria-label': t('agent.filters'),
      send: () => {
        go(`/agente?${asQuery(chosen)}`);
      },
    },
    field({
      name: 'q',
      label: t('ws.search'),
      value: f.search,
      hint: t('ws.search_hint'),
      onInput: (v) => {
        chosen.search = v.trim().slice(0, 100);
      },
    }),
    field({
      name: 'team',
      kind: 'select',
      label: t('agent.team'),
      options: myTeams.map((x) => ({ value: x.code, label: pick(x.name) })),
      ...bound(chosen, 'team'),
    }),
    field({
      name: 'status',
      kind: 'select',
      label: t('agent.status'),
      options: OPEN.map((s) => ({ value: s, label: t(`ws.status.${s}`) })),
      ...bound(chosen, 'status'),
    }),
    field({
      name: 'priority',
      kind: 'select',
      label: t('agent.priority'),
      options: PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })),
      ...bound(chosen, 'priority'),
    }),
    field({
      name: 'sort',
      kind: 'select',
      label: t('agent.sort'),
      options: SORTS.map((s) => ({ value: s, label: t(`ws.sort.${s}`) })),
      ...bound(chosen, 'sort', 'due'),
    }),
    field({
      name: 'breached',
      kind: 'checkbox',
      label: t('agent.only_breached'),
      ...bound(chosen, 'breached'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('agent.apply'))),
  );
  filterForm.querySelector('[name=team] option[value=""]').textContent = t('agent.my_teams');
  filterForm.querySelector('[name=status] option[value=""]').textContent = t('agent.all_open');
  filterForm.querySelector('[name=priority] option[value=""]').textContent = t('agent.any_priority');
  filterForm.querySelector('[name=sort] option[value=""]').remove();
  filterForm.querySelector('[name=q]').type = 'search';
  for (const el of filterForm.querySelectorAll('.opt')) el.remove();

  const views = h(
    'nav',
    { class: 'ws-views', 'aria-label': t('ws.views') },
    h(
      'ul',
      {},
      Object.keys(VIEWS).map((v) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `#/agente?${asQuery({ ...f, view: v })}`,
              'aria-current': v === f.view ? 'page' : null,
            },
            t(`ws.view.${v || 'all'}`),
          ),
        ),
      ),
    ),
  );

  // ---- bulk actions ---------------------------------------------------------------------------
  const bulkCount = h('p', { class: 'ws-bulk-count' });
  const results = h('ul', {
    class: 'plain ws-results',
    'aria-live': 'polite',
    'data-testid': 'bulk-results',
  });
  const bulkStatus = statusLine();
  const assignOptions = [
    { value: 'me', label: t('ws.bulk.assign_me') },
    { value: 'none', label: t('ws.bulk.unassign') },
    ...allTeams.map((x) => ({
      value: `team:${x.code}`,
      label: t('ws.bulk.to_team', { team: pick(x.name) }),
    })),
  ];
  const assignField = field({
    name: 'bulk_assign',
    kind: 'select',
    label: t('ws.bulk.assign'),
    options: assignOptions,
  });
  const statusField = field({
    name: 'bulk_status',
    kind: 'select',
    label: t('ws.bulk.status'),
    options: TARGETS.map((s) => ({ value: s, label: t(`ws.status.${s}`) })),
  });
  const survivorField = field({
    name: 'bulk_into',
    kind: 'select',
    label: t('ws.bulk.into'),
    hint: t('ws.bulk.into_hint'),
    options: [],
  });
  const mergeButton = h(
    'button',
    { type: 'button', class: 'btn', onclick: (e) => runBulk(e.target, 'merge') },
    t('ws.bulk.merge_go'),
  );
  const bulkForm = h(
    'form',
    {
      class: 'ws-bulk',
      novalidate: true,
      'aria-label': t('ws.bulk.label'),
      onsubmit: (e) => e.preventDefault(),
    },
    errorSummary(),
    bulkCount,
    h(
      'div',
      { class: 'ws-bulk-row' },
      assignField,
      h(
        'button',
        { type: 'button', class: 'btn', onclick: (e) => runBulk(e.target, 'assign') },
        t('ws.bulk.assign_go'),
      ),
      statusField,
      h(
        'button',
        { type: 'button', class: 'btn', onclick: (e) => runBulk(e.target, 'status') },
        t('ws.bulk.status_go'),
      ),
      survivorField,
      mergeButton,
    ),
    bulkStatus,
    results,
  );
  for (const el of bulkForm.querySelectorAll('.opt')) el.remove();

  function drawBulk() {
    const n = state.selected.size;
    bulkForm.hidden = n === 0 && !results.children.length;
    bulkCount.textContent = plural('ws.selected', n);
    for (const b of bulkForm.querySelectorAll('button')) b.disabled = n === 0;
    const sel = survivorField.control;
    const numbers = [...state.selected].sort();
    sel.replaceChildren(...numbers.map((x) => h('option', { value: x }, x)));
    mergeButton.disabled = numbers.length < 2;
  }

  async function runBulk(button, action) {
    clearErrors(bulkForm);
    const byNumber = Object.fromEntries(state.loaded.map((it) => [it.number, it]));
    const numbers = [...state.selected].sort().slice(0, MAX_BULK);
    let call;
    if (action === 'assign') {
      const v = assignField.control.value;
      if (!v) {
        showErrors(bulkForm, [{ field: 'bulk_assign', message: t('ws.bulk.pick_assign') }]);
        return;
      }
      const body =
        v === 'me' ? { assignee: session.sub } : v === 'none' ? { assignee: null } : { team: v.slice(5) };
      call = (n) =>
        staffRequest(`/agent/tickets/${n}/assign`, {
          method: 'POST',
          body: { ...body, version: byNumber[n].version },
        });
    } else if (action === 'status') {
      const v = statusField.control.value;
      if (!v) {
        showErrors(bulkForm, [{ field: 'bulk_status', message: t('ws.bulk.pick_status') }]);
        return;
      }
      call = (n) =>
        staffRequest(`/agent/tickets/${n}/status`, {
          method: 'POST',
          body: { status: v, version: byNumber[n].version },
        });
    } else {
      const into = survivorField.control.value;
      if (!into || numbers.length < 2) {
        showErrors(bulkForm, [{ field: 'bulk_into', message: t('ws.bulk.pick_into') }]);
        return;
      }
      numbers.splice(numbers.indexOf(into), 1);
      call = (n) =>
        staffRequest(`/agent/tickets/${n}/merge`, {
          method: 'POST',
          body: { into, version: byNumber[n].version },
        });
    }
    busy(button, true);
    bulkStatus.textContent = t('ws.bulk.working', { n: numbers.length });
    const lines = [];
    let ok = 0;
    // One at a time: a refusal (409, 403...) of one request is reported and the rest go on.
    for (const n of numbers) {
      try {
        await call(n);
        ok += 1;
        lines.push(h('li', { class: 'ok' }, t('ws.bulk.done_one', { number: n })));
      } catch (e) {
        if (e.status === 401) throw e;
        lines.push(h('li', { class: 'failed' }, t('ws.bulk.failed_one', { number: n, reason: e.message })));
      }
    }
    busy(button, false);
    state.selected.clear();
    results.replaceChildren(...lines);
    await load();
    bulkStatus.textContent = t('ws.bulk.summary', { ok, failed: numbers.length - ok });
    announce(bulkStatus.textContent);
    bulkForm.hidden = false;
  }

  const root = h(
    'section',
    { class: 'agent workspace' },
    h('div', { class: 'ws-head' }, h('h1', {}, t('agent.queue_title')), total, newBox),
    filterForm,
    views,
    problemBox,
    bulkForm,
    wrap,
    more,
    h('p', { class: 'hint' }, t('agent.sla_legend')),
    availabilityBox(session),
  );
  await load();
  timer = setInterval(poll, POLL_MS);
  window.addEventListener('focus', poll);
  return root;
});

/** "I take new requests" and how many open ones at most (automatic assignment reads it). */
function availabilityBox(session) {
  if (!session.groups.some((g) => g.startsWith('agent-') || g === 'supervisor')) return null;
  const box = h(
    'section',
    { class: 'availability', 'aria-labelledby': 'avail-h' },
    h('h2', { id: 'avail-h' }, t('agent.availability')),
  );
  const status = statusLine();
  const values = { available: false, capacity: '10' };
  const formEl = checkedForm(
    {
      send: async () => {
        const capacity = Number(values.capacity);
        if (!Number.isInteger(capacity) || capacity < 0 || capacity > 500) {
          showErrors(formEl, [{ field: 'capacity', message: t('agent.capacity_range') }]);
          return;
        }
        const button = formEl.querySelector('button');
        busy(button, true);
        try {
          const saved = await staffRequest('/agent/me/availability', {
            method: 'PUT',
            body: { available: values.available, capacity },
          });
          status.textContent = t(saved.available ? 'agent.available_saved' : 'agent.unavailable_saved', {
            n: saved.capacity,
          });
        } catch (error) {
          showErrors(formEl, error.errors.length ? error.errors : [{ field: null, message: error.message }]);
        } finally {
          busy(button, false);
        }
      },
    },
    errorSummary(),
    h('p', { class: 'hint' }, t('agent.availability_hint')),
  );
  box.append(formEl);
  staffRequest('/agent/me/availability')
    .then((current) => {
      values.available = current.available;
      values.capacity = String(current.capacity);
      formEl.append(
        field({
          name: 'available',
          kind: 'checkbox',
          label: t('agent.available'),
          value: current.available,
          onInput: (v) => {
            values.available = v;
          },
        }),
        field({
          name: 'capacity',
          kind: 'number',
          label: t('agent.capacity'),
          value: String(current.capacity),
          hint: t('agent.capacity_hint'),
          onInput: (v) => {
            values.capacity = v;
          },
        }),
        status,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', class: 'btn' }, t('agent.save_availability')),
        ),
      );
      for (const el of formEl.querySelectorAll('.opt')) el.remove();
    })
    .catch(() => {
      box.hidden = true;
    });
  return box;
}
