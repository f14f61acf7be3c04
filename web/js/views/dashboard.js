// Supervisors' dashboard (#/agente/tablero): figures from the statistics aggregates, charts drawn
// here as SVG (no chart library, no CDN), filters, and each chart's data as CSV. The report
// (#/agente/informe, report.js) shows the same period and filters, ready to print.
import { h, dataTable } from '../dom.js';
import { ApiError, catalog, qs, request } from '../api.js';
import { pick, plural, t } from '../i18n.js';
import { field, checkedForm } from '../forms.js';
import { accessToken, current, logout } from '../auth.js';
import { go } from '../app.js';
import { dashboardCard } from './assets.js';

export const VIEWERS = ['supervisor', 'admin'];
export const FILTERS = ['from', 'to', 'type', 'team', 'channel'];
export const CHANNELS = ['web', 'email', 'sms', 'phone', 'in_person', 'letter', 'chat', 'monitoring', 'api'];
const SVG = 'http://www.w3.org/2000/svg';

export async function staffGet(path) {
  const token = await accessToken();
  if (!token) throw new ApiError(401, { code: 'token_missing' });
  return request(path, { token });
}

function svgEl(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A bar chart (optionally with a second series as a line of dots and a target line). */
function barChart(title, labels, values, { target = null, unit = '' } = {}) {
  const W = 640;
  const H = 220;
  const P = 34;
  const top = Math.max(1, target || 0, ...values);
  const step = (W - 2 * P) / Math.max(1, values.length);
  const bw = Math.max(1, step * 0.8);
  const svg = svgEl(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart' },
    svgEl('title', {}, title),
  );
  svg.append(svgEl('line', { x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: '#555' }));
  svg.append(svgEl('text', { x: P, y: 14, 'font-size': 12 }, `${t('dash.max')} ${top}${unit}`));
  const every = Math.max(1, Math.ceil(values.length / 12));
  values.forEach((v, i) => {
    const bh = ((H - 2 * P) * v) / top;
    const x = P + i * step + (step - bw) / 2;
    svg.append(
      svgEl(
        'rect',
        {
          x: x.toFixed(1),
          y: (H - P - bh).toFixed(1),
          width: bw.toFixed(1),
          height: bh.toFixed(1),
          fill: '#1f5f8b',
        },
        svgEl('title', {}, `${labels[i]}: ${v}${unit}`),
      ),
    );
    if (i % every === 0)
      svg.append(
        svgEl(
          'text',
          { x: (x + bw / 2).toFixed(1), y: H - P + 14, 'font-size': 10, 'text-anchor': 'middle' },
          labels[i],
        ),
      );
  });
  if (target != null) {
    const y = H - P - ((H - 2 * P) * target) / top;
    svg.append(
      svgEl('line', {
        x1: P,
        y1: y.toFixed(1),
        x2: W - P,
        y2: y.toFixed(1),
        stroke: '#b00020',
        'stroke-dasharray': '4 3',
      }),
    );
  }
  return svg;
}

/** A link that downloads the chart's CSV with the staff token (a plain href would carry none). */
function csvLink(chart, filters) {
  return h(
    'a',
    {
      href: `#/agente/tablero?${qs(filters)}`,
      class: 'csv',
      'data-chart': chart,
      onclick: async (e) => {
        e.preventDefault();
        const token = await accessToken();
        const res = await fetch(`/api/v1/stats/charts/${chart}?${qs(filters)}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        if (!res.ok) return;
        const url = URL.createObjectURL(await res.blob());
        const a = h('a', { href: url, download: `${chart}.csv` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      },
    },
    t('dash.csv'),
  );
}

function card(title, chart, filters, ...body) {
  return h(
    'section',
    { class: 'dash-card', 'aria-labelledby': `h-${chart}` },
    h('h2', { id: `h-${chart}` }, title),
    ...body,
    h('p', {}, csvLink(chart, filters)),
  );
}

function kpi(label, value, testid) {
  return h('div', { class: 'kpi' }, h('span', {}, label), h('strong', { 'data-testid': testid }, value));
}

export const hours = (v) => (v == null ? t('dash.no_data') : `${v} h`);
const BREAKDOWN_DIMS = ['type', 'subtype', 'team', 'channel', 'priority'];

/** How a dimension value reads: the catalog's names for types, subtypes and teams. */
export function valueLabel(cat, dim, value) {
  if (dim === 'channel') return t(`dash.ch.${value}`);
  if (dim === 'priority') return t(`priority.${value}`);
  if (dim === 'team') {
    const team = (cat.teams || []).find((x) => x.code === value);
    return team ? pick(team.name) : value;
  }
  const [typeCode, sub] = dim === 'subtype' ? value.split('.') : [value, null];
  const type = cat.types.find((x) => x.code === typeCode);
  if (!type) return value;
  if (!sub) return pick(type.name);
  const subtype = (type.subtypes || []).find((x) => x.code === sub);
  return `${pick(type.name)} › ${subtype ? pick(subtype.name) : sub}`;
}

/** A table cell that names its column (``data-label``): at 360 px each row reads as a card. */
export const cell = (label, value) => h('td', { 'data-label': label }, value);

/** A goal's row: its name, target, current value and whether it is on track. */
export const goalRow = (g) =>
  h(
    'tr',
    {},
    h('th', { scope: 'row' }, pick(g.goal.name)),
    cell(t('dash.target'), `${g.goal.target_pct} %`),
    cell(t('dash.actual'), pct(g.current.pct)),
    cell(
      t('dash.state'),
      g.on_track == null ? t('dash.no_data') : t(g.on_track ? 'dash.on_track' : 'dash.off_track'),
    ),
  );

/** One table per dimension: received, resolved, resolved on time and open now, for each value. */
export function breakdownTables(cat, d) {
  return BREAKDOWN_DIMS.filter((dim) => d.breakdown[dim] || (d.backlog_by || {})[dim]).map((dim) => {
    const parts = d.breakdown[dim] || {};
    const open = (d.backlog_by || {})[dim] || {};
    const values = [...new Set([...Object.keys(parts), ...Object.keys(open)])].sort();
    const onTime = (m) => pct(m.res_n ? Math.round((1000 * (m.res_met || 0)) / m.res_n) / 10 : null);
    return dataTable(
      t(`dash.by.${dim}`),
      [
        t(`dash.${dim === 'subtype' ? 'subtype' : dim}`),
        t('dash.created'),
        t('dash.resolved'),
        t('dash.on_time'),
        t('dash.backlog'),
      ],
      values.map((v) => {
        const m = parts[v] || {};
        return h(
          'tr',
          { 'data-value': v },
          h('th', { scope: 'row' }, valueLabel(cat, dim, v)),
          cell(t('dash.created'), m.created || 0),
          cell(t('dash.resolved'), m.resolved || 0),
          cell(t('dash.on_time'), onTime(m)),
          cell(t('dash.backlog'), open[v] || 0),
        );
      }),
      { attrs: { class: 'breakdown', 'data-dim': dim } },
    );
  });
}
export const pct = (v) => (v == null ? t('dash.no_data') : `${v} %`);

/** The share satisfied (4-5 of 5) with the average, or "Sin datos" when nobody answered. */
export function satisfaction(csat) {
  if (!csat || !csat.responses) return t('dash.no_data');
  return t('dash.satisfied_value', { pct: csat.satisfied_pct, avg: csat.average });
}
export const answers = (csat) => plural('dash.answers', (csat && csat.responses) || 0);

/** The filters as a reader names them ("Equipo: Atención · Canal: Chat"), or "Todos". */
export function filtersText(cat, filters) {
  const parts = [
    ['type', 'type'],
    ['team', 'team'],
    ['channel', 'channel'],
  ]
    .filter(([k]) => filters[k])
    .map(([k, dim]) => `${t(`dash.${k}`)}: ${valueLabel(cat, dim, filters[k])}`);
  return parts.length ? parts.join(' · ') : t('dash.no_filters');
}

const minutes = (v) =>
  v == null ? t('dash.no_data') : v < 120 ? `${Math.round(v)} min` : `${Math.round(v / 6) / 10} h`;

/** The community forum in the same days: activity, how fast it answers, who answers, moderation. */
function forumCard(f, chosen) {
  if (!f) return null;
  return card(
    t('dash.forum.title'),
    'forum',
    chosen,
    h(
      'div',
      { class: 'kpis', role: 'group', 'aria-label': t('dash.forum.title') },
      kpi(t('dash.forum.topics'), f.topics, 'forum-topics'),
      kpi(t('dash.forum.replies'), f.replies, 'forum-replies'),
      kpi(t('dash.forum.first_reply'), minutes(f.mean_first_reply_minutes), 'forum-first-reply'),
      kpi(t('dash.forum.accepted'), minutes(f.mean_accepted_minutes), 'forum-accepted'),
    ),
    dataTable(
      t('dash.forum.who'),
      [t('dash.forum.by'), t('dash.forum.answered'), t('dash.forum.share')],
      [
        h(
          'tr',
          { 'data-by': 'community' },
          h('th', { scope: 'row' }, t('dash.forum.community')),
          cell(t('dash.forum.answered'), f.answered_by_community),
          cell(t('dash.forum.share'), pct(f.answered_by_community_pct)),
        ),
        h(
          'tr',
          { 'data-by': 'staff' },
          h('th', { scope: 'row' }, t('dash.forum.staff')),
          cell(t('dash.forum.answered'), f.answered_by_staff),
          cell(t('dash.forum.share'), pct(f.answered_by_staff_pct)),
        ),
      ],
    ),
    h(
      'p',
      {},
      `${t('dash.forum.reports')}: `,
      h('strong', { 'data-testid': 'forum-reports' }, f.reports),
      ` · ${t('dash.forum.moderation')}: `,
      h('strong', { 'data-testid': 'forum-moderation' }, f.moderation_actions),
    ),
  );
}

/** The figures for the hash's filters when a viewer asks; otherwise the view to show instead: the
 * sign-in, a refusal, or the API's problem under the page's heading (`titleKey`). */
export async function figuresFor(query, titleKey) {
  const session = current();
  // signed out (a bookmark, a new tab): sign in here, then this same URL (period and filters) opens
  if (!session) return { view: (await import('./agent.js')).loginView() };
  const refusal = (text) => ({
    view: h('section', {}, h('h1', {}, t(titleKey)), h('p', { role: 'alert' }, text)),
  });
  if (!session.groups.some((g) => VIEWERS.includes(g))) return refusal(t('dash.no_role'));
  const filters = {};
  for (const k of FILTERS) if (query.get(k)) filters[k] = query.get(k);
  try {
    return { filters, d: await staffGet(`/stats/dashboard?${qs(filters)}`) };
  } catch (e) {
    if (e.status !== 401) return refusal(e.message);
    logout();
    return { view: (await import('./agent.js')).loginView() };
  }
}

export async function render({ query }) {
  const { view, filters, d } = await figuresFor(query, 'dash.title');
  if (view) return view;
  const session = current();
  const cat = await catalog();
  const chosen = { ...filters, from: d.start, to: d.end };
  const form = checkedForm(
    {
      class: 'filters',
      send: () => {
        go(`/agente/tablero?${qs(chosen)}`);
      },
    },
    field({
      name: 'from',
      kind: 'date',
      label: t('dash.from'),
      value: d.start,
      onInput: (v) => {
        chosen.from = v;
      },
    }),
    field({
      name: 'to',
      kind: 'date',
      label: t('dash.to'),
      value: d.end,
      onInput: (v) => {
        chosen.to = v;
      },
    }),
    field({
      name: 'type',
      kind: 'select',
      label: t('dash.type'),
      value: filters.type || '',
      options: cat.types.map((x) => ({ value: x.code, label: pick(x.name) })),
      onInput: (v) => {
        chosen.type = v;
      },
    }),
    field({
      name: 'team',
      kind: 'select',
      label: t('dash.team'),
      value: filters.team || '',
      options: (cat.teams || []).map((x) => ({ value: x.code, label: pick(x.name) })),
      onInput: (v) => {
        chosen.team = v;
      },
    }),
    field({
      name: 'channel',
      kind: 'select',
      label: t('dash.channel'),
      value: filters.channel || '',
      options: CHANNELS.map((c) => ({ value: c, label: t(`dash.ch.${c}`) })),
      onInput: (v) => {
        chosen.channel = v;
      },
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('dash.apply'))),
  );
  for (const name of ['type', 'team', 'channel'])
    form.querySelector(`[name=${name}] option[value=""]`).textContent = t('dash.all');
  for (const el of form.querySelectorAll('.opt')) el.remove();

  const days = d.volume_by_day;
  const hist = d.first_response.histogram;
  const goalRows = d.goals.map(goalRow);
  const ages = Object.entries(d.backlog_by_age);
  // The inventory card loads on its own: the figures above do not wait for it.
  const inventory = h('div', { 'data-testid': 'inventory-card' });
  dashboardCard()
    .then((node) => {
      if (node) inventory.replaceChildren(node);
    })
    .catch(() => {});
  // So does the card of the latest alerts and campaigns (supervisors and admins).
  const proactive = h('div', { 'data-testid': 'proactive-card-slot' });
  import('./proactive_console.js')
    .then(async (m) => m.dashboardCard(session, await accessToken()))
    .then((node) => {
      if (node) proactive.replaceChildren(node);
    })
    .catch(() => {});
  return h(
    'section',
    { class: 'dashboard' },
    h('h1', {}, t('dash.title')),
    h('p', {}, h('a', { href: '#/agente' }, t('dash.back'))),
    form,
    h(
      'div',
      { class: 'kpis', role: 'group', 'aria-label': t('dash.summary') },
      kpi(t('dash.created'), d.created, 'kpi-created'),
      kpi(t('dash.resolved'), d.resolved, 'kpi-resolved'),
      kpi(t('dash.backlog'), d.backlog, 'kpi-backlog'),
      kpi(t('dash.median_fr'), hours(d.first_response.median_hours), 'kpi-median'),
      kpi(t('dash.on_time'), pct(d.met.resolution.pct), 'kpi-on-time'),
      kpi(t('dash.reopen_rate'), pct(d.reopen_rate), 'kpi-reopen'),
      h(
        'div',
        { class: 'kpi' },
        h('span', {}, t('dash.satisfaction')),
        h('strong', { 'data-testid': 'kpi-satisfaction' }, satisfaction(d.csat)),
        h('small', { 'data-testid': 'kpi-answers' }, answers(d.csat)),
      ),
    ),
    h(
      'p',
      {},
      h(
        'a',
        { href: `#/agente/informe?${qs(chosen)}`, class: 'btn', 'data-testid': 'report-link' },
        t('dash.report_open'),
      ),
    ),
    card(
      t('dash.volume'),
      'volume',
      chosen,
      barChart(
        t('dash.volume'),
        days.map((r) => r.day.slice(5)),
        days.map((r) => r.created),
      ),
    ),
    card(
      t('dash.times'),
      'first_response',
      chosen,
      h(
        'p',
        {},
        `${t('dash.median')}: ${hours(d.first_response.median_hours)} · ${t('dash.p90')}: ${hours(d.first_response.p90_hours)}`,
      ),
      barChart(t('dash.times'), Object.keys(hist), Object.values(hist)),
    ),
    card(
      t('dash.goals'),
      'goals',
      chosen,
      d.goals.length
        ? dataTable(
            t('dash.goals'),
            [t('dash.goal'), t('dash.target'), t('dash.actual'), t('dash.state')],
            goalRows,
          )
        : h('p', {}, t('dash.no_goals')),
      d.goals.length
        ? barChart(
            t('dash.goals_chart'),
            d.goals.map((g) => g.goal.id),
            d.goals.map((g) => g.current.pct || 0),
            { unit: ' %' },
          )
        : null,
    ),
    card(
      t('dash.backlog_age'),
      'backlog_age',
      chosen,
      barChart(
        t('dash.backlog_age'),
        ages.map(([k]) => k),
        ages.map(([, v]) => v),
      ),
    ),
    card(t('dash.breakdown'), 'breakdown', chosen, ...breakdownTables(cat, d)),
    inventory,
    proactive,
    forumCard(d.forum, chosen),
    card(
      t('dash.bottlenecks'),
      'time_in_status',
      chosen,
      h(
        'ul',
        {},
        Object.entries(d.time_in_status_hours).map(([s, v]) =>
          h(
            'li',
            { 'data-status': s },
            `${t(`status.${s}`)}: ${v} ${t('dash.business_h')} (${(d.time_in_status_calendar_hours || {})[s] ?? 0} ${t('dash.calendar_h')})`,
          ),
        ),
      ),
    ),
  );
}
