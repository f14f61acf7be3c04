// The asset inventory in the staff console: list with search and filters, the asset page (fields,
// incident history, seats, change history), create/edit with validation, the CSV import with its
// row report, "my equipment", and the box on a request's page that links assets to it.
import { h, announce, dataTable } from '../dom.js';
import { ApiError, qs, request } from '../api.js';
import { fmtDate, fmtDateTime, getLang, pick, t } from '../i18n.js';
import {
  busy,
  errorSummary,
  field,
  showErrors,
  statusLine,
  bound,
  checkedForm,
  actionButton,
} from '../forms.js';
import { accessToken, current, logout } from '../auth.js';
import { go } from '../app.js';
import { loginView } from './agent.js';

const READERS = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'admin', 'inventory'];
const WRITERS = ['admin', 'inventory'];
const STATUSES = ['in_use', 'in_stock', 'in_repair', 'retired'];
const BASE = '#/agente/activos';

async function api(path, options = {}) {
  const token = await accessToken();
  if (!token) throw new ApiError(401, { code: 'token_missing' });
  try {
    return await request(path, { ...options, token });
  } catch (e) {
    if (e.status === 401) logout();
    throw e;
  }
}

/** A calendar day (YYYY-MM-DD) as written, with no time zone shift. */
const day = (iso) =>
  iso
    ? new Intl.DateTimeFormat(getLang() === 'es' ? 'es-CL' : 'en', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }).format(new Date(`${iso}T12:00:00Z`))
    : '';

const canWrite = (session) => session.groups.some((g) => WRITERS.includes(g));

function guarded(view, roles = READERS) {
  return async (ctx) => {
    const session = current();
    if (!session) return loginView();
    if (!session.groups.some((g) => roles.includes(g))) {
      return h('section', {}, h('h1', {}, t('assets.title')), h('p', { role: 'alert' }, t('assets.no_role')));
    }
    try {
      return await view(ctx, session);
    } catch (e) {
      if (e.status === 401) return loginView();
      throw e;
    }
  };
}

let listsPromise = null;
/** Types, locations and teams (admin lists), once per page load. */
function lists() {
  if (!listsPromise) {
    listsPromise = Promise.all([api('/assets/types'), api('/assets/locations'), request('/catalog')])
      .then(([types, locations, cat]) => ({
        types: types.items,
        locations: locations.items,
        teams: cat.teams || [],
      }))
      .catch((e) => {
        listsPromise = null;
        throw e;
      });
  }
  return listsPromise;
}

const typeName = (L, code) => {
  const x = L.types.find((ty) => ty.code === code);
  return x ? pick(x.name) : code;
};
const placeName = (L, code) => {
  const x = L.locations.find((l) => l.code === code);
  return x ? [x.building, x.office].filter(Boolean).join(' — ') : code || '—';
};
const personName = (p) => (p ? p.username || [p.name, p.email].filter(Boolean).join(' · ') : '—');

function nav(session) {
  return h(
    'nav',
    { class: 'jump', 'aria-label': t('assets.nav') },
    h(
      'ul',
      {},
      h('li', {}, h('a', { href: BASE }, t('assets.list_title'))),
      h('li', {}, h('a', { href: '#/agente/mi-equipo' }, t('assets.mine_title'))),
      canWrite(session) && h('li', {}, h('a', { href: `${BASE}/nuevo` }, t('assets.new'))),
      canWrite(session) && h('li', {}, h('a', { href: `${BASE}/importar` }, t('assets.import_title'))),
      session.groups.some((g) => READERS.slice(0, 5).includes(g)) &&
        h('li', {}, h('a', { href: '#/agente' }, t('assets.to_queue'))),
    ),
  );
}

function assetTable(L, items, caption) {
  if (!items.length) return h('p', { 'data-testid': 'assets-empty' }, t('assets.none'));
  return scroller(
    caption,
    dataTable(
      caption,
      ['inventory_number', 'name', 'type', 'status', 'location', 'responsible', 'team'].map((c) =>
        t(`assets.f.${c}`),
      ),
      items.map((a) =>
        h(
          'tr',
          { 'data-inv': a.inventory_number },
          h(
            'th',
            { scope: 'row' },
            h('a', { href: `${BASE}/${encodeURIComponent(a.inventory_number)}` }, a.inventory_number),
          ),
          h('td', {}, a.name),
          h('td', {}, typeName(L, a.type)),
          h('td', {}, h('span', { class: `badge asset-${a.status}` }, t(`assets.status.${a.status}`))),
          h('td', {}, placeName(L, a.location)),
          h('td', {}, personName(a.responsible)),
          h('td', {}, teamName(L, a.team)),
        ),
      ),
      { attrs: { class: 'assets', 'data-testid': 'assets-table' } },
    ),
  );
}

/** A wide table in a region that scrolls sideways on a phone and takes the keyboard focus. */
const scroller = (label, table) =>
  h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': label }, table);
const teamName = (L, code) => {
  const x = L.teams.find((team) => team.code === code);
  return x ? pick(x.name) : code;
};

/** Download an answer of the API with the staff token (a plain href would carry none). */
async function download(path, filename) {
  const token = await accessToken();
  const res = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) return;
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- list -----------------------------------------------------------------------------------

export const renderList = guarded(async ({ query }, session) => {
  const L = await lists();
  const by = ['type', 'location', 'team'].includes(query.get('por')) ? query.get('por') : 'type';
  const value = query.get('valor') || (by === 'type' ? (L.types[0] || {}).code : '') || '';
  const f = { por: by, valor: value, estado: query.get('estado') || '', q: query.get('q') || '' };
  const apiQuery = (cursor) =>
    qs({ [by]: value || null, status: f.estado, q: f.q.toUpperCase(), limit: 50, cursor });
  let page;
  let problem = '';
  try {
    page = await api(`/assets?${apiQuery()}`);
  } catch (e) {
    if (e.status === 401) throw e;
    page = { items: [], next_cursor: null };
    problem = e.message;
  }
  const valueOptions = (kind) =>
    kind === 'type'
      ? L.types.map((x) => ({ value: x.code, label: pick(x.name) }))
      : kind === 'location'
        ? L.locations.map((x) => ({ value: x.code, label: placeName(L, x.code) }))
        : L.teams.map((x) => ({ value: x.code, label: pick(x.name) }));
  const chosen = { ...f };
  const valueField = field({
    name: 'valor',
    kind: 'select',
    label: t(`assets.by.${by}`),
    value,
    options: valueOptions(by),
    onInput: (v) => {
      chosen.valor = v;
    },
  });
  const form = checkedForm(
    {
      class: 'filters',
      role: 'search',
      'aria-label': t('assets.filters'),
      send: () => {
        go(`/agente/activos?${qs(chosen)}`);
      },
    },
    field({
      name: 'por',
      kind: 'select',
      label: t('assets.list_by'),
      value: by,
      options: ['type', 'location', 'team'].map((k) => ({ value: k, label: t(`assets.by.${k}`) })),
      onInput: (v) => {
        chosen.por = v;
        chosen.valor = '';
        go(`/agente/activos?${qs({ por: v })}`);
      },
    }),
    valueField,
    field({
      name: 'estado',
      kind: 'select',
      label: t('assets.f.status'),
      options: STATUSES.map((s) => ({ value: s, label: t(`assets.status.${s}`) })),
      ...bound(chosen, 'estado'),
    }),
    field({ name: 'q', label: t('assets.prefix'), hint: t('assets.prefix_hint'), ...bound(chosen, 'q') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('assets.apply'))),
  );
  for (const el of form.querySelectorAll('.opt')) el.remove();
  form.querySelector('[name=estado] option[value=""]').textContent = t('assets.all');

  const lookupStatus = statusLine();
  let ident = '';
  const lookup = checkedForm(
    {
      class: 'lookup',
      role: 'search',
      'aria-label': t('assets.lookup'),
      send: async () => {
        if (!ident.trim()) return;
        try {
          const a = await api(`/assets/lookup?${qs({ id: ident.trim() })}`);
          go(`/agente/activos/${encodeURIComponent(a.inventory_number)}`);
        } catch (err) {
          lookupStatus.textContent = err.status === 404 ? t('assets.lookup_none') : err.message;
        }
      },
    },
    field({
      name: 'id',
      label: t('assets.lookup'),
      hint: t('assets.lookup_hint'),
      onInput: (v) => {
        ident = v;
      },
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('assets.find'))),
    lookupStatus,
  );
  for (const el of lookup.querySelectorAll('.opt')) el.remove();

  const tableBox = h(
    'div',
    {},
    assetTable(L, page.items, t('assets.list_caption', { n: page.items.length })),
  );
  let cursor = page.next_cursor;
  const more = actionButton(
    {
      class: 'btn',
      hidden: !cursor,
      run: async () => {
        const next = await api(`/assets?${apiQuery(cursor)}`);
        page.items.push(...next.items);
        cursor = next.next_cursor;
        tableBox.replaceChildren(
          assetTable(L, page.items, t('assets.list_caption', { n: page.items.length })),
        );
        more.hidden = !cursor;
        announce(t('assets.loaded', { n: page.items.length }));
      },
    },
    t('assets.more'),
  );
  const exportLink = h(
    'a',
    {
      href: `${BASE}?${qs(f)}`,
      class: 'csv',
      onclick: (e) => {
        e.preventDefault();
        download(
          `/assets/export?${qs({ [by]: value || null, status: f.estado, q: f.q.toUpperCase(), format: 'csv', limit: 500 })}`,
          'activos.csv',
        );
      },
    },
    t('assets.export_csv'),
  );
  return h(
    'section',
    { class: 'assets-page' },
    h('h1', {}, t('assets.list_title')),
    nav(session),
    lookup,
    form,
    problem && h('p', { role: 'alert' }, problem),
    tableBox,
    h('p', {}, more),
    h('p', {}, exportLink),
  );
});

// ---- my equipment --------------------------------------------------------------------------------

export const renderMine = guarded(
  async (_ctx, session) => {
    const [L, page] = await Promise.all([lists(), api('/assets/mine')]);
    return h(
      'section',
      { class: 'assets-page' },
      h('h1', {}, t('assets.mine_title')),
      nav(session),
      h('p', {}, t('assets.mine_lead')),
      assetTable(L, page.items, t('assets.mine_title')),
    );
  },
  [...READERS, 'editor', 'moderator'],
);

// ---- the asset page ---------------------------------------------------------------------------------

function changeText(k, c, type) {
  if (k.startsWith('fields.')) {
    const f = type && type.fields.find((x) => x.name === k.slice(7));
    return `${f ? pick(f.label) : k.slice(7)}: ${c.before ?? '—'} → ${c.after ?? '—'}`;
  }
  const show = (v) =>
    v == null || v === ''
      ? '—'
      : k === 'status'
        ? t(`assets.status.${v}`)
        : typeof v === 'object'
          ? personName(v) || JSON.stringify(v)
          : String(v);
  return `${t(`assets.f.${k}`) === `assets.f.${k}` ? k : t(`assets.f.${k}`)}: ${show(c.before)} → ${show(c.after)}`;
}

function historyList(events, type) {
  if (!events.length) return h('p', {}, t('assets.no_history'));
  return h(
    'ol',
    { class: 'timeline staff', 'data-testid': 'asset-history' },
    events.map((ev) =>
      h(
        'li',
        { 'data-action': ev.action },
        h(
          'p',
          { class: 'tl-head' },
          h('strong', {}, t(`assets.action.${ev.action}`)),
          ' · ',
          ev.actor_name || ev.actor,
          ' · ',
          h('time', { datetime: ev.at }, fmtDateTime(ev.at)),
        ),
        ev.ticket &&
          h(
            'p',
            {},
            h('a', { href: `#/agente/solicitud/${ev.ticket}` }, t('assets.request_n', { number: ev.ticket })),
          ),
        ev.holder && h('p', {}, ev.holder),
        Object.keys(ev.changes || {}).length > 0 &&
          h(
            'ul',
            { class: 'plain changes' },
            Object.entries(ev.changes).map(([k, c]) => h('li', {}, changeText(k, c, type))),
          ),
      ),
    ),
  );
}

function requestsTable(view) {
  if (!view.requests.length) return h('p', { 'data-testid': 'asset-no-requests' }, t('assets.no_requests'));
  return scroller(
    t('assets.requests'),
    dataTable(
      t('assets.requests'),
      ['number', 'subject', 'status', 'filed', 'hours_lost', 'sla'].map((c) => t(`assets.r.${c}`)),
      view.requests.map((r) =>
        h(
          'tr',
          { 'data-number': r.number },
          h('th', { scope: 'row' }, h('a', { href: `#/agente/solicitud/${r.number}` }, r.number)),
          h('td', {}, r.subject),
          h('td', {}, t(`status.${r.status}`)),
          h('td', {}, fmtDate(r.created_at)),
          h('td', {}, `${r.hours_lost} h`),
          h('td', {}, h('span', { class: `badge sla-${r.sla}` }, t(`assets.sla.${r.sla}`))),
        ),
      ),
      { attrs: { 'data-testid': 'asset-requests' } },
    ),
  );
}

function seatsBox(view, session, rerender) {
  const a = view.asset;
  const status = statusLine();
  let holder = '';
  const form =
    canWrite(session) &&
    checkedForm(
      {
        class: 'inline',
        check: () => (!holder.trim() ? [{ field: 'holder', message: t('val.required') }] : []),
        send: async () => {
          try {
            await api(`/assets/${encodeURIComponent(a.inventory_number)}/seats`, {
              method: 'POST',
              body: { holder: holder.trim() },
            });
            announce(t('assets.seat_done'));
            rerender();
          } catch (err) {
            showErrors(form, err.errors.length ? err.errors : [{ field: 'holder', message: err.message }]);
          }
        },
      },
      errorSummary(),
      field({
        name: 'holder',
        label: t('assets.seat_holder'),
        hint: t('assets.seat_hint'),
        onInput: (v) => {
          holder = v;
        },
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('assets.seat_assign'))),
      status,
    );
  return h(
    'section',
    { 'aria-labelledby': 'seats-h' },
    h('h2', { id: 'seats-h' }, t('assets.seats_title', { used: a.seats_used, seats: a.seats })),
    view.seats.length
      ? h(
          'ul',
          { class: 'plain' },
          view.seats.map((s) =>
            h(
              'li',
              {},
              s.holder,
              ' ',
              canWrite(session) &&
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn link',
                    'aria-label': t('assets.seat_release_of', { holder: s.holder }),
                    onclick: async () => {
                      await api(
                        `/assets/${encodeURIComponent(a.inventory_number)}/seats/${encodeURIComponent(s.holder)}`,
                        { method: 'DELETE' },
                      );
                      rerender();
                    },
                  },
                  t('assets.seat_release'),
                ),
            ),
          ),
        )
      : h('p', {}, t('assets.no_seats')),
    form,
  );
}

export const renderAsset = guarded(async ({ params, rerender }, session) => {
  const inv = params[0];
  const [L, view] = await Promise.all([lists(), api(`/assets/${encodeURIComponent(inv)}`)]);
  const a = view.asset;
  const type = view.type;
  const typeFields = type ? type.fields.filter((f) => a.fields[f.name] != null) : [];
  const fieldValue = (f, v) =>
    f.kind === 'checkbox'
      ? t(v ? 'common.yes' : 'common.no')
      : f.kind === 'select'
        ? pick((f.options.find((o) => o.value === v) || { label: { es: String(v) } }).label)
        : String(v);
  return h(
    'section',
    { class: 'assets-page asset' },
    h('h1', {}, `${a.inventory_number} — ${a.name}`),
    nav(session),
    h(
      'p',
      { class: 'badges' },
      h(
        'span',
        { class: `badge asset-${a.status}`, 'data-testid': 'asset-status' },
        t(`assets.status.${a.status}`),
      ),
      ' ',
      h('span', { class: 'badge' }, typeName(L, a.type)),
      ' ',
      canWrite(session) &&
        h(
          'a',
          { href: `${BASE}/${encodeURIComponent(a.inventory_number)}/editar`, class: 'btn' },
          t('assets.edit'),
        ),
    ),
    h(
      'div',
      { class: 'kpis', role: 'group', 'aria-label': t('assets.summary') },
      h(
        'div',
        { class: 'kpi' },
        h('span', {}, t('assets.incidents')),
        h('strong', { 'data-testid': 'asset-incidents' }, a.incidents),
      ),
      h(
        'div',
        { class: 'kpi' },
        h('span', {}, t('assets.open_requests')),
        h('strong', {}, view.open_requests),
      ),
      h(
        'div',
        { class: 'kpi' },
        h('span', {}, t('assets.hours_lost')),
        h('strong', { 'data-testid': 'asset-hours' }, `${view.hours_lost} h`),
      ),
      h('div', { class: 'kpi' }, h('span', {}, t('assets.breached')), h('strong', {}, view.sla_breached)),
    ),
    h(
      'div',
      { class: 'cols' },
      h(
        'div',
        { class: 'col-main' },
        h(
          'section',
          { 'aria-labelledby': 'req-h' },
          h('h2', { id: 'req-h' }, t('assets.requests')),
          requestsTable(view),
          h('p', { class: 'hint' }, t('assets.requests_hint', { n: view.requests.length })),
        ),
        a.seats != null && seatsBox(view, session, rerender),
        h(
          'section',
          { 'aria-labelledby': 'ahist-h' },
          h('h2', { id: 'ahist-h' }, t('assets.history')),
          historyList(view.history, view.type),
        ),
      ),
      h(
        'div',
        { class: 'col-side' },
        h(
          'section',
          { 'aria-labelledby': 'afacts-h' },
          h('h2', { id: 'afacts-h' }, t('assets.details')),
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, t('assets.f.type')),
            h('dd', {}, typeName(L, a.type)),
            h('dt', {}, t('assets.f.location')),
            h('dd', {}, placeName(L, a.location)),
            h('dt', {}, t('assets.f.responsible')),
            h('dd', {}, personName(a.responsible)),
            h('dt', {}, t('assets.f.team')),
            h('dd', {}, teamName(L, a.team)),
            a.serial && [h('dt', {}, t('assets.f.serial')), h('dd', {}, a.serial)],
            a.hostname && [h('dt', {}, t('assets.f.hostname')), h('dd', {}, a.hostname)],
            a.purchase_date && [h('dt', {}, t('assets.f.purchase_date')), h('dd', {}, day(a.purchase_date))],
            a.warranty_end && [h('dt', {}, t('assets.f.warranty_end')), h('dd', {}, day(a.warranty_end))],
            typeFields.map((f) => [h('dt', {}, pick(f.label)), h('dd', {}, fieldValue(f, a.fields[f.name]))]),
            a.notes && [h('dt', {}, t('assets.f.notes')), h('dd', {}, a.notes)],
          ),
        ),
      ),
    ),
  );
});

// ---- create / edit -------------------------------------------------------------------------------

function assetForm(L, session, asset) {
  const isNew = !asset;
  const v = asset
    ? JSON.parse(JSON.stringify(asset))
    : { status: 'in_stock', fields: {}, type: (L.types[0] || {}).code, team: (session.teams || [])[0] || '' };
  v.responsible = v.responsible || {};
  const status = statusLine();
  const typeBox = h('div', {});
  const seatsBoxEl = h('div', {});
  const drawType = () => {
    const type = L.types.find((x) => x.code === v.type);
    typeBox.replaceChildren(
      ...(type
        ? type.fields.map((f) =>
            field({
              name: `fields.${f.name}`,
              label: pick(f.label),
              kind: f.kind,
              required: f.required,
              value: v.fields[f.name],
              options: (f.options || []).map((o) => ({ value: o.value, label: pick(o.label) })),
              onInput: (x) => {
                v.fields[f.name] = f.kind === 'number' ? (x === '' ? null : Number(x)) : x;
              },
            }),
          )
        : []),
    );
    seatsBoxEl.replaceChildren(
      type && type.kind === 'licence'
        ? field({
            name: 'seats',
            kind: 'number',
            required: true,
            label: t('assets.f.seats'),
            value: v.seats,
            onInput: (x) => {
              v.seats = x === '' ? null : Number(x);
            },
          })
        : '',
    );
    if (!type || type.kind !== 'licence') v.seats = null;
  };
  const formEl = checkedForm(
    {
      class: 'asset-form',
      submit: true,
      check: () => {
        const errors = [];
        if (isNew && !/^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$/.test(v.inventory_number || ''))
          errors.push({ field: 'inventory_number', message: t('assets.val.inventory') });
        if (!v.name || v.name.trim().length < 2) errors.push({ field: 'name', message: t('val.required') });
        if (!v.team) errors.push({ field: 'team', message: t('val.required') });
        if (v.purchase_date && v.warranty_end && v.warranty_end < v.purchase_date)
          errors.push({ field: 'warranty_end', message: t('assets.val.warranty') });
        return errors;
      },
      send: async () => {
        const person = Object.fromEntries(
          Object.entries(v.responsible).filter(([, x]) => x && String(x).trim()),
        );
        const fields = Object.fromEntries(Object.entries(v.fields).filter(([, x]) => x !== '' && x != null));
        const body = {
          name: v.name,
          type: v.type,
          status: v.status,
          team: v.team,
          serial: v.serial || null,
          hostname: v.hostname || null,
          location: v.location || null,
          responsible: Object.keys(person).length ? person : null,
          purchase_date: v.purchase_date || null,
          warranty_end: v.warranty_end || null,
          notes: v.notes || null,
          seats: v.seats ?? null,
          fields,
        };
        const saved = isNew
          ? await api('/assets', {
              method: 'POST',
              body: { ...body, inventory_number: v.inventory_number },
            })
          : await api(`/assets/${encodeURIComponent(asset.inventory_number)}`, {
              method: 'PUT',
              body: { ...body, version: asset.version },
            });
        go(`/agente/activos/${encodeURIComponent(saved.inventory_number)}`);
      },
      fail: (err) => {
        showErrors(formEl, err.errors.length ? err.errors : [{ field: null, message: err.message }]);
      },
      stay: true,
    },
    errorSummary(),
    isNew &&
      field({
        name: 'inventory_number',
        label: t('assets.f.inventory_number'),
        required: true,
        hint: t('assets.inventory_hint'),
        onInput: (x) => {
          v.inventory_number = x.trim();
        },
      }),
    field({ name: 'name', label: t('assets.f.name'), required: true, ...bound(v, 'name') }),
    field({
      name: 'type',
      kind: 'select',
      label: t('assets.f.type'),
      required: true,
      value: v.type,
      options: L.types.map((x) => ({ value: x.code, label: pick(x.name) })),
      onInput: (x) => {
        v.type = x;
        v.fields = {};
        drawType();
      },
    }),
    field({
      name: 'status',
      kind: 'select',
      label: t('assets.f.status'),
      required: true,
      options: STATUSES.map((s) => ({ value: s, label: t(`assets.status.${s}`) })),
      ...bound(v, 'status'),
    }),
    field({
      name: 'location',
      kind: 'select',
      label: t('assets.f.location'),
      value: v.location || '',
      options: L.locations.map((x) => ({ value: x.code, label: placeName(L, x.code) })),
      onInput: (x) => {
        v.location = x;
      },
    }),
    field({
      name: 'team',
      kind: 'select',
      label: t('assets.f.team'),
      required: true,
      options: L.teams.map((x) => ({ value: x.code, label: pick(x.name) })),
      ...bound(v, 'team'),
    }),
    h(
      'fieldset',
      {},
      h('legend', {}, t('assets.f.responsible')),
      field({
        name: 'responsible.username',
        label: t('assets.f.responsible_username'),
        hint: t('assets.responsible_hint'),
        ...bound(v.responsible, 'username'),
      }),
      field({
        name: 'responsible.name',
        label: t('assets.f.responsible_name'),
        ...bound(v.responsible, 'name'),
      }),
      field({
        name: 'responsible.email',
        kind: 'email',
        label: t('assets.f.responsible_email'),
        ...bound(v.responsible, 'email'),
      }),
    ),
    field({ name: 'serial', label: t('assets.f.serial'), ...bound(v, 'serial') }),
    field({ name: 'hostname', label: t('assets.f.hostname'), ...bound(v, 'hostname') }),
    field({
      name: 'purchase_date',
      kind: 'date',
      label: t('assets.f.purchase_date'),
      ...bound(v, 'purchase_date'),
    }),
    field({
      name: 'warranty_end',
      kind: 'date',
      label: t('assets.f.warranty_end'),
      ...bound(v, 'warranty_end'),
    }),
    seatsBoxEl,
    h('fieldset', {}, h('legend', {}, t('assets.type_fields')), typeBox),
    field({ name: 'notes', kind: 'textarea', rows: 3, label: t('assets.f.notes'), ...bound(v, 'notes') }),
    status,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t(isNew ? 'assets.create' : 'assets.save')),
    ),
  );
  drawType();
  return formEl;
}

export const renderNew = guarded(async (_ctx, session) => {
  const L = await lists();
  return h(
    'section',
    { class: 'assets-page' },
    h('h1', {}, t('assets.new')),
    nav(session),
    assetForm(L, session, null),
  );
}, WRITERS);

export const renderEdit = guarded(async ({ params }, session) => {
  const [L, view] = await Promise.all([lists(), api(`/assets/${encodeURIComponent(params[0])}`)]);
  return h(
    'section',
    { class: 'assets-page' },
    h('h1', {}, t('assets.edit_title', { inv: view.asset.inventory_number })),
    nav(session),
    assetForm(L, session, view.asset),
  );
}, WRITERS);

// ---- import --------------------------------------------------------------------------------------

function reportView(report) {
  const byRow = {};
  for (const e of report.errors) (byRow[e.row] = byRow[e.row] || []).push(e);
  return h(
    'div',
    { 'data-testid': 'import-report' },
    h(
      'p',
      { role: 'status', 'data-testid': 'import-summary' },
      t(report.written ? 'assets.import_written' : 'assets.import_summary', {
        valid: report.valid,
        invalid: report.invalid,
        written: report.written,
      }),
    ),
    (byRow[1] || []).length > 0 &&
      h(
        'ul',
        { class: 'errors' },
        byRow[1].map((e) => h('li', {}, `${e.column}: ${e.message}`)),
      ),
    report.rows.length > 0 &&
      scroller(
        t('assets.import_rows'),
        dataTable(
          t('assets.import_rows'),
          [t('assets.row'), t('assets.f.inventory_number'), t('assets.row_state'), t('assets.row_errors')],
          report.rows.map((r) =>
            h(
              'tr',
              { 'data-row': r.row, class: r.ok ? 'ok' : 'bad' },
              h('th', { scope: 'row' }, r.row),
              h('td', {}, r.inventory_number || '—'),
              h('td', {}, r.ok ? t('assets.row_ok') : t('assets.row_bad')),
              h(
                'td',
                {},
                (byRow[r.row] || []).length
                  ? h(
                      'ul',
                      { class: 'plain' },
                      byRow[r.row].map((e) => h('li', {}, h('code', {}, e.column), `: ${e.message}`)),
                    )
                  : '—',
              ),
            ),
          ),
          { attrs: { class: 'import-rows' } },
        ),
      ),
  );
}

export const renderImport = guarded(async (_ctx, session) => {
  let text = '';
  const out = h('div', { 'aria-live': 'polite' });
  const run = async (mode, button) => {
    if (!text.trim()) {
      out.replaceChildren(h('p', { role: 'alert' }, t('assets.import_empty')));
      return;
    }
    busy(button, true);
    try {
      const token = await accessToken();
      const res = await fetch(`/api/v1/assets/import?mode=${mode}`, {
        method: 'POST',
        body: text,
        headers: {
          'Content-Type': 'text/csv',
          Authorization: `Bearer ${token}`,
          'Accept-Language': document.documentElement.lang || 'es',
        },
      });
      const data = await res.json();
      if (res.ok) {
        out.replaceChildren(reportView(data));
        write.hidden = !(mode === 'preview' && data.valid > 0);
        chooseValid.hidden = !(mode === 'preview' && data.invalid > 0 && data.valid > 0);
        if (mode !== 'preview') write.hidden = true;
      } else {
        out.replaceChildren(
          h(
            'div',
            { role: 'alert' },
            h('p', {}, data.detail || t('error.generic')),
            (data.errors || []).length > 0 &&
              h(
                'ul',
                {},
                data.errors.map((e) => h('li', {}, `${e.field}: ${e.message}`)),
              ),
          ),
        );
      }
      announce(out.textContent.slice(0, 200));
    } finally {
      busy(button, false);
    }
  };
  let onlyValid = false;
  const chooseValid = h(
    'div',
    { hidden: true },
    field({
      name: 'only_valid',
      kind: 'checkbox',
      label: t('assets.import_only_valid'),
      hint: t('assets.import_only_valid_hint'),
      onInput: (x) => {
        onlyValid = x;
      },
    }),
  );
  const write = h(
    'button',
    {
      type: 'button',
      class: 'btn primary',
      hidden: true,
      onclick: () => run(onlyValid ? 'valid' : 'all', write),
    },
    t('assets.import_write'),
  );
  const fileField = h(
    'div',
    { class: 'field' },
    h('label', { for: 'csv-file' }, t('assets.import_file')),
    h('p', { class: 'hint', id: 'csv-file-hint' }, t('assets.import_file_hint')),
    h('input', {
      id: 'csv-file',
      type: 'file',
      accept: '.csv,text/csv',
      'aria-describedby': 'csv-file-hint',
      onchange: async (e) => {
        const file = e.target.files[0];
        if (file) {
          text = await file.text();
          pasted.control.value = text;
        }
      },
    }),
  );
  const pasted = field({
    name: 'csv',
    kind: 'textarea',
    rows: 8,
    label: t('assets.import_paste'),
    onInput: (x) => {
      text = x;
    },
  });
  const preview = h(
    'button',
    { type: 'button', class: 'btn', onclick: () => run('preview', preview) },
    t('assets.import_preview'),
  );
  return h(
    'section',
    { class: 'assets-page' },
    h('h1', {}, t('assets.import_title')),
    nav(session),
    h('p', {}, t('assets.import_lead')),
    fileField,
    pasted,
    h('div', { class: 'actions' }, preview),
    chooseValid,
    h('div', { class: 'actions' }, write),
    out,
  );
}, WRITERS);

// ---- the box on a request's page ------------------------------------------------------------------

/** The assets linked to request `number`, with link and unlink (agents of its team). */
export function ticketAssetsBox(number) {
  const box = h('section', { 'aria-labelledby': 'tassets-h', 'data-testid': 'ticket-assets' });
  let ident = '';
  const draw = async () => {
    let linked;
    try {
      linked = (await api(`/agent/tickets/${number}/assets`)).items;
    } catch {
      linked = [];
    }
    const status = statusLine();
    const form = checkedForm(
      {
        class: 'inline',
        check: () => (!ident.trim() ? [{ field: 'inventory_number', message: t('val.required') }] : []),
        send: async () => {
          try {
            let inv = ident.trim();
            try {
              inv = (await api(`/assets/lookup?${qs({ id: inv })}`)).inventory_number;
            } catch {
              /* the link names it */
            }
            await api(`/agent/tickets/${number}/assets`, { method: 'POST', body: { inventory_number: inv } });
            ident = '';
            await draw();
            announce(t('assets.linked', { inv }));
          } catch (err) {
            showErrors(form, [{ field: 'inventory_number', message: err.message }]);
          }
        },
      },
      errorSummary(),
      field({
        name: 'inventory_number',
        label: t('assets.link_label'),
        hint: t('assets.lookup_hint'),
        onInput: (x) => {
          ident = x;
        },
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('assets.link'))),
      status,
    );
    for (const el of form.querySelectorAll('.opt')) el.remove();
    box.replaceChildren(
      h('h2', { id: 'tassets-h' }, t('assets.ticket_box')),
      linked.length
        ? h(
            'ul',
            { class: 'plain' },
            linked.map((a) =>
              h(
                'li',
                { 'data-inv': a.inventory_number },
                h(
                  'a',
                  { href: `${BASE}/${encodeURIComponent(a.inventory_number)}` },
                  `${a.inventory_number} — ${a.name}`,
                ),
                ' ',
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn link',
                    'aria-label': t('assets.unlink_of', { inv: a.inventory_number }),
                    onclick: async () => {
                      await api(`/agent/tickets/${number}/assets/${encodeURIComponent(a.inventory_number)}`, {
                        method: 'DELETE',
                      });
                      await draw();
                    },
                  },
                  t('assets.unlink'),
                ),
              ),
            ),
          )
        : h('p', {}, t('assets.ticket_none')),
      form,
    );
  };
  draw();
  return box;
}

// ---- the inventory card of the supervisors' dashboard -----------------------------------------------

export async function dashboardCard() {
  let r;
  try {
    r = await api('/assets/reports?days=90');
  } catch {
    return null;
  }
  const csv = (name) =>
    h(
      'a',
      {
        href: '#/agente/tablero',
        class: 'csv',
        'data-report': name,
        onclick: (e) => {
          e.preventDefault();
          download(`/assets/reports/${name}?days=90`, `activos-${name}.csv`);
        },
      },
      t('assets.rep.csv'),
    );
  const table = (caption, cols, rows, name) =>
    h(
      'div',
      {},
      dataTable(
        caption,
        cols,
        rows.length ? rows : h('tr', {}, h('td', { colspan: cols.length }, t('assets.none'))),
        { attrs: { 'data-testid': `assets-rep-${name}` } },
      ),
      h('p', {}, csv(name)),
    );
  const dims = ['type', 'status', 'location', 'team'];
  return h(
    'section',
    { class: 'dash-card', 'aria-labelledby': 'h-assets' },
    h('h2', { id: 'h-assets' }, t('assets.rep.title')),
    table(
      t('assets.rep.counts'),
      [t('assets.rep.dimension'), t('assets.rep.value'), t('assets.rep.count')],
      r.counts
        .filter((c) => dims.includes(c.dimension))
        .map((c) =>
          h(
            'tr',
            {},
            h('td', {}, t(`assets.by.${c.dimension}`)),
            h(
              'td',
              {},
              c.dimension === 'status'
                ? t(`assets.status.${c.value}`)
                : c.value === '-'
                  ? t('assets.no_location')
                  : c.value,
            ),
            h('td', {}, c.count),
          ),
        ),
      'counts',
    ),
    table(
      t('assets.rep.incidents', { from: r.period_from, to: r.period_to }),
      [t('assets.f.inventory_number'), t('assets.f.name'), t('assets.incidents')],
      r.most_incidents
        .slice(0, 10)
        .map((x) =>
          h(
            'tr',
            {},
            h(
              'td',
              {},
              h('a', { href: `${BASE}/${encodeURIComponent(x.inventory_number)}` }, x.inventory_number),
            ),
            h('td', {}, x.name || '—'),
            h('td', {}, x.incidents),
          ),
        ),
      'incidents',
    ),
    table(
      t('assets.rep.warranties', { days: r.warranty_days }),
      [t('assets.f.inventory_number'), t('assets.f.name'), t('assets.f.team'), t('assets.f.warranty_end')],
      r.warranties.map((x) =>
        h(
          'tr',
          {},
          h('td', {}, x.inventory_number),
          h('td', {}, x.name),
          h('td', {}, x.team),
          h('td', {}, `${day(x.warranty_end)} (${x.days_left} d)`),
        ),
      ),
      'warranties',
    ),
    table(
      t('assets.rep.licences'),
      [t('assets.f.inventory_number'), t('assets.f.name'), t('assets.rep.seats'), t('assets.rep.state')],
      r.licences.map((x) =>
        h(
          'tr',
          {},
          h('td', {}, x.inventory_number),
          h('td', {}, x.name),
          h('td', {}, `${x.seats_used} / ${x.seats}`),
          h('td', {}, t(`assets.rep.${x.state}`)),
        ),
      ),
      'licences',
    ),
  );
}
