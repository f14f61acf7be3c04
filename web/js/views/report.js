// The supervisor's report (#/agente/informe?from=&to=&type=&team=&channel=): the dashboard's
// figures for the same period and filters, as a document to read and print. The hash's query is
// the report (bookmark it, send it); the print stylesheet drops the navigation, keeps table rows
// whole and repeats the header (institution, period, filters, generated at) on paper.
import { h, dataTable } from '../dom.js';
import { catalog, config, qs } from '../api.js';
import { fmtDate, fmtDateTime, plural, t } from '../i18n.js';
import { accessToken } from '../auth.js';
import {
  answers,
  breakdownTables,
  cell,
  figuresFor,
  filtersText,
  goalRow,
  hours,
  pct,
  satisfaction,
} from './dashboard.js';

/** A table whose caption repeats its section's heading: read out, not shown twice. */
const table = (caption, columns, rows, { hideCaption = true } = {}) =>
  dataTable(caption, columns, rows, { hideCaption });

/** The same report as CSV (the API's, same period and filters), fetched with the staff token. */
function csvLink(chosen) {
  const path = `/api/v1/stats/report?${qs({ ...chosen, format: 'csv' })}`;
  return h(
    'a',
    {
      href: `#/agente/informe?${qs(chosen)}`,
      'data-testid': 'report-csv',
      onclick: async (e) => {
        e.preventDefault();
        const token = await accessToken();
        const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
        if (!res.ok) return;
        const url = URL.createObjectURL(await res.blob());
        const a = h('a', { href: url, download: `informe-${chosen.from}-${chosen.to}.csv` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      },
    },
    t('report.csv'),
  );
}

function section(id, title, ...body) {
  return h(
    'section',
    { class: 'report-part', 'aria-labelledby': `r-${id}` },
    h('h2', { id: `r-${id}` }, title),
    ...body,
  );
}

export async function render({ query }) {
  const { view, filters, d } = await figuresFor(query, 'report.title');
  if (view) return view;
  const [cat, cfg] = await Promise.all([catalog(), config().catch(() => ({}))]);
  const chosen = { ...filters, from: d.start, to: d.end };
  const period = t('report.period_value', {
    from: fmtDate(`${d.start}T12:00:00Z`),
    to: fmtDate(`${d.end}T12:00:00Z`),
  });
  const generated = new Date().toISOString();
  const summary = [
    ['created', t('dash.created'), d.created],
    ['resolved', t('dash.resolved'), d.resolved],
    ['backlog', t('report.backlog_end'), d.backlog],
    ['on_time', t('dash.on_time'), pct(d.met.resolution.pct)],
    ['median_fr', t('dash.median_fr'), hours(d.first_response.median_hours)],
    ['satisfaction', t('dash.satisfaction'), `${satisfaction(d.csat)} · ${answers(d.csat)}`],
    ['reopen', t('dash.reopen_rate'), `${pct(d.reopen_rate)} · ${plural('report.reopened', d.reopened)}`],
  ];
  const met = Object.entries(d.met).map(([target, r]) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, t(`report.target.${target}`)),
      cell(t('report.total'), r.total),
      cell(t('report.met'), r.met),
      cell(t('report.met_pct'), pct(r.pct)),
    ),
  );
  const dist = Object.entries(d.csat.distribution).map(([score, n]) =>
    h('tr', {}, h('th', { scope: 'row' }, score), cell(t('report.answers'), n)),
  );
  const goals = d.goals.map(goalRow);
  const statuses = Object.entries(d.time_in_status_hours)
    .sort((a, b) => b[1] - a[1])
    .map(([s, v]) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, t(`status.${s}`)),
        cell(t('dash.business_h'), v),
        cell(t('dash.calendar_h'), (d.time_in_status_calendar_hours || {})[s] ?? 0),
      ),
    );
  return h(
    'article',
    { class: 'report', 'data-testid': 'report' },
    h(
      'header',
      { class: 'report-head' },
      h('p', { class: 'report-inst', 'data-testid': 'report-institution' }, cfg.institution || ''),
      h('h1', {}, t('report.title')),
      h(
        'dl',
        { class: 'report-meta' },
        h('dt', {}, t('report.period')),
        h('dd', { 'data-testid': 'report-period' }, period),
        h('dt', {}, t('report.filters')),
        h('dd', { 'data-testid': 'report-filters' }, filtersText(cat, filters)),
        h('dt', {}, t('report.generated')),
        h(
          'dd',
          { 'data-testid': 'report-generated' },
          h('time', { datetime: generated }, fmtDateTime(generated)),
        ),
      ),
    ),
    h(
      'p',
      { class: 'report-actions' },
      h('button', { type: 'button', class: 'btn', onclick: () => window.print() }, t('report.print')),
      ' ',
      csvLink(chosen),
      ' ',
      h('a', { href: `#/agente/tablero?${qs(chosen)}` }, t('report.back')),
    ),
    section(
      'summary',
      t('report.summary'),
      h(
        'dl',
        { class: 'report-kpis' },
        summary.flatMap(([id, label, value]) => [
          h('dt', {}, label),
          h('dd', { 'data-testid': `report-${id}` }, String(value)),
        ]),
      ),
    ),
    section(
      'service',
      t('report.service'),
      table(
        t('report.service'),
        [t('report.target_col'), t('report.total'), t('report.met'), t('report.met_pct')],
        met,
      ),
      h(
        'p',
        {},
        `${t('dash.median')}: ${hours(d.first_response.median_hours)} · ${t('dash.p90')}: ${hours(d.first_response.p90_hours)}`,
      ),
    ),
    section(
      'csat',
      t('dash.satisfaction'),
      h('p', {}, `${satisfaction(d.csat)} · ${answers(d.csat)}`),
      d.csat.responses
        ? table(t('report.distribution'), [t('report.score'), t('report.answers')], dist, {
            hideCaption: false,
          })
        : null,
    ),
    section(
      'goals',
      t('dash.goals'),
      goals.length
        ? table(t('dash.goals'), [t('dash.goal'), t('dash.target'), t('dash.actual'), t('dash.state')], goals)
        : h('p', {}, t('dash.no_goals')),
    ),
    section('breakdown', t('dash.breakdown'), ...breakdownTables(cat, d)),
    section(
      'status',
      t('dash.bottlenecks'),
      statuses.length
        ? table(
            t('dash.bottlenecks'),
            [t('report.status'), t('dash.business_h'), t('dash.calendar_h')],
            statuses,
          )
        : h('p', {}, t('dash.no_data')),
    ),
  );
}
