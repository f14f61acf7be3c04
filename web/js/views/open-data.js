// Open data (#/datos-abiertos): the public, anonymous figures per request type and month, and each
// published goal's live compliance. Figures on fewer than 5 requests arrive as null and show as such.
import { h, dataTable } from '../dom.js';
import { catalog, request } from '../api.js';
import { pick, t } from '../i18n.js';

const shown = (v, unit = '') => (v == null ? t('open.suppressed') : `${v}${unit}`);

export async function render() {
  const [data, cat] = await Promise.all([request('/public/stats'), catalog()]);
  const names = Object.fromEntries(cat.types.map((ty) => [ty.code, pick(ty.name)]));
  // each cell names its column: at 360 px the rows read as cards (web/css/app.css)
  const td = (col, value) => h('td', { 'data-label': t(`open.col.${col}`) }, value);
  const rows = data.months.map((m) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, names[m.type_code] || m.type_code),
      td('month', m.month),
      td('volume', shown(m.volume)),
      td('on_time', shown(m.on_time_pct, ' %')),
      td('median', shown(m.median_first_response_hours, ' h')),
      td('satisfaction', shown(m.satisfaction)),
    ),
  );
  const goals = data.goals.map((g) =>
    h(
      'li',
      {},
      `${pick(g.name)}: ${t('open.goal_target')} ${g.target_pct} %, ${t('open.goal_actual')} ${shown(g.current.pct, ' %')}`,
    ),
  );
  const forum = (data.forum || []).map((m) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, m.month),
      h('td', {}, shown(m.topics)),
      h('td', {}, shown(m.replies)),
      h('td', {}, shown(m.answered)),
      h('td', {}, shown(m.answered_by_community_pct, ' %')),
      h('td', {}, shown(m.mean_first_reply_hours, ' h')),
      h('td', {}, shown(m.reports)),
      h('td', {}, shown(m.moderation_actions)),
    ),
  );
  return h(
    'section',
    { class: 'open-data' },
    h('h1', {}, t('open.title')),
    h('p', {}, t('open.lead', { n: data.suppressed_below })),
    h('h2', {}, t('open.goals')),
    goals.length ? h('ul', {}, goals) : h('p', {}, t('open.no_goals')),
    dataTable(
      t('open.caption'),
      ['type', 'month', 'volume', 'on_time', 'median', 'satisfaction'].map((c) => t(`open.col.${c}`)),
      rows,
    ),
    h('h2', {}, t('open.forum')),
    forum.length
      ? dataTable(
          t('open.forum_caption'),
          ['month', 'topics', 'replies', 'answered', 'community', 'first_reply', 'reports', 'moderation'].map(
            (c) => t(`open.forum_col.${c}`),
          ),
          forum,
          { attrs: { 'data-table': 'forum' } },
        )
      : h('p', {}, t('open.forum_none')),
    h(
      'p',
      {},
      h('a', { href: '/api/v1/public/stats' }, t('open.json')),
      ' · ',
      h('a', { href: '/api/v1/public/stats?format=csv' }, t('open.csv_months')),
      ' · ',
      h('a', { href: '/api/v1/public/stats?format=csv&table=goals' }, t('open.csv_goals')),
      ' · ',
      h('a', { href: '/api/v1/public/stats?format=csv&table=forum' }, t('open.csv_forum')),
    ),
  );
}
