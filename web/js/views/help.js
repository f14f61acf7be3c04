// Help centre hooks: search (GET /help/search) and articles (GET /help/articles/{slug}).
// Until those routes exist the pages say "coming soon" instead of failing.
import { h, safeHtml, snippet } from '../dom.js';
import { optional, qs, request } from '../api.js';
import { getLang, t } from '../i18n.js';
import { searchForm } from './home.js';
import { hasDraft } from './contact.js';

const soon = () => h('p', { class: 'notice', role: 'status' }, t('help.soon'));

export async function renderSearch({ query }) {
  const q = query.get('q') || '';
  const section = query.get('seccion') || '';
  const stage = query.get('etapa') || '';
  const head = [h('h1', {}, stage ? t(`stage.${stage}`) : t('help.title')), searchForm(q, false)];
  if (!q && !section && !stage) return h('section', {}, head, h('p', {}, t('help.intro')), contactHint());
  const result = await optional(`/help/search?${qs({ q, lang: getLang(), section, stage })}`);
  if (result === null) return h('section', {}, head, soon(), contactHint());
  const hits = result.hits || [];
  const groups = result.groups || [];
  const link = (extra) => `#/ayuda?${qs({ q, etapa: stage, ...extra })}`;
  return h('section', {}, head,
    result.did_you_mean && h('p', {}, t('help.did_you_mean'), ' ',
      h('a', { href: `#/ayuda?${qs({ q: result.did_you_mean })}` }, result.did_you_mean), '?'),
    h('p', { role: 'status' }, t(!hits.length ? 'help.none' : (result.total ?? hits.length) === 1 ? 'help.count_one' : 'help.count', { n: result.total ?? hits.length, q })),
    groups.length > 0 && h('nav', { 'aria-label': t('help.sections'), class: 'groups' },
      h('h2', {}, t('help.sections')),
      h('ul', {}, section && h('li', {}, h('a', { href: link({}) }, t('help.all_sections'))),
        groups.map((g) => h('li', {}, h('a', { href: link({ seccion: g.slug }) }, `${g.title} (${g.count})`))))),
    h('ol', { class: 'hits' }, hits.map((hit) => h('li', {},
      h('h2', { class: 'hit-title' }, h('a', { href: `#/ayuda/${hit.slug}` }, hit.title)),
      hit.section_titles && h('p', { class: 'crumbs' }, hit.section_titles.join(' › ')),
      h('p', {}, hit.snippet ? snippet(hit.snippet) : hit.summary)))),
    contactHint());
}

export async function renderArticle({ params }) {
  const [slug] = params;
  let article;
  try {
    article = await request(`/help/articles/${slug}?${qs({ lang: getLang() })}`);
  } catch (e) {
    if (e.missingRoute) return h('section', {}, h('h1', {}, t('help.title')), soon(), back());
    if (e.status === 404) return h('section', {}, h('h1', {}, t('help.not_found')), back());
    throw e;
  }
  const body = article.body_html || article.html;
  return h('article', { class: 'prose' },
    article.section_titles && h('p', { class: 'crumbs' }, article.section_titles.join(' › ')),
    h('h1', {}, article.title),
    article.summary && h('p', { class: 'lead' }, article.summary),
    body ? h('div', {}, safeHtml(body)) : null,
    back());
}

function back() {
  return hasDraft()
    ? h('p', { class: 'back' }, h('a', { href: '#/contacto/articulos' }, t('help.back_to_contact')))
    : contactHint();
}

const contactHint = () => h('div', { class: 'contact-hint' },
  h('p', {}, t('help.still_need'), ' ', h('a', { href: '#/contacto' }, t('nav.contact'))));
