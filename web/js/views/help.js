// Help centre hooks: search (GET /help/search) and articles (GET /help/articles/{slug}).
// Until those routes exist the pages say "coming soon" instead of failing.
import { h, safeHtml, snippet } from '../dom.js';
import { optional, qs, request } from '../api.js';
import { getLang, t } from '../i18n.js';
import { searchForm } from './home.js';
import { hasDraft, markOpened } from './contact.js';
import { busy, errorSummary, field, statusLine, bound, checkedForm } from '../forms.js';
import { textProblems } from '../validate.js';

const soon = () => h('p', { class: 'notice', role: 'status' }, t('help.soon'));

export async function renderSearch({ query }) {
  const q = query.get('q') || '';
  const section = query.get('seccion') || '';
  const stage = query.get('etapa') || '';
  const head = [h('h1', {}, stage ? t(`stage.${stage}`) : t('help.title')), searchForm(q, false)];
  if (q) sessionStorage.setItem(LAST_SEARCH, q.slice(0, 200)); // carried into the contact flow
  if (!q && !section && !stage) return h('section', {}, head, h('p', {}, t('help.intro')), contactHint());
  const result = await optional(`/help/search?${qs({ q, lang: getLang(), section, stage })}`);
  if (result === null) return h('section', {}, head, soon(), contactHint());
  const hits = result.hits || [];
  const groups = result.groups || [];
  const link = (extra) => `#/ayuda?${qs({ q, etapa: stage, ...extra })}`;
  // Not sure the first hit answers (or nothing found): say so plainly and offer the form first.
  const unsure = q && result.confident === false;
  return h(
    'section',
    {},
    head,
    result.did_you_mean &&
      h(
        'p',
        {},
        t('help.did_you_mean'),
        ' ',
        h('a', { href: `#/ayuda?${qs({ q: result.did_you_mean })}` }, result.did_you_mean),
        '?',
      ),
    unsure &&
      h(
        'div',
        { class: 'notice unsure', role: 'status' },
        h('p', {}, t(hits.length ? 'help.unsure' : 'help.unsure_none', { q })),
        h('p', {}, h('a', { class: 'btn primary', href: '#/contacto' }, t('help.write_to_us'))),
      ),
    result.translated_query &&
      hits.length > 0 &&
      h('p', { class: 'hint' }, t('help.translated', { q: result.translated_query })),
    result.results_lang &&
      result.results_lang !== getLang() &&
      hits.length > 0 &&
      h('p', { class: 'notice', lang: result.results_lang }, t('help.results_in_spanish')),
    h('p', { role: 'status' }, countText(q, hits.length, result.total ?? hits.length)),
    groups.length > 0 &&
      h(
        'nav',
        { 'aria-label': t('help.sections'), class: 'groups' },
        h('h2', {}, t('help.sections')),
        h(
          'ul',
          {},
          section && h('li', {}, h('a', { href: link({}) }, t('help.all_sections'))),
          groups.map((g) =>
            h('li', {}, h('a', { href: link({ seccion: g.slug }) }, `${g.title} (${g.count})`)),
          ),
        ),
      ),
    h(
      'ol',
      { class: 'hits' },
      hits.map((hit) =>
        h(
          'li',
          hit.lang && hit.lang !== getLang() ? { lang: hit.lang } : {},
          h('h2', { class: 'hit-title' }, h('a', { href: `#/ayuda/${hit.slug}` }, hit.title)),
          hit.section_titles && h('p', { class: 'crumbs' }, hit.section_titles.join(' › ')),
          h('p', {}, hit.snippet ? snippet(hit.snippet) : hit.summary),
        ),
      ),
    ),
    contactHint(),
  );
}

/** "12 resultados para «q»", or, browsing a stage or section without words, "12 artículos". */
function countText(q, shown, total) {
  if (!q)
    return t(!shown ? 'help.browse_none' : total === 1 ? 'help.browse_one' : 'help.browse_count', {
      n: total,
    });
  return t(!shown ? 'help.none' : total === 1 ? 'help.count_one' : 'help.count', { n: total, q });
}

export async function renderArticle({ params }) {
  const [slug] = params;
  let article;
  try {
    article = await request(`/help/articles/${slug}?${qs({ lang: getLang() })}`);
  } catch (e) {
    if (e.missingRoute) return h('section', {}, h('h1', {}, t('help.title')), soon(), back());
    if (e.status === 404) return h('section', {}, h('h1', {}, t('help.not_found')), back());
    if (e.status === 0) {
      // Offline and never read on this device: the service worker has no copy of it.
      return h(
        'section',
        {},
        h('h1', {}, t('offline.article_title')),
        h('p', {}, t('offline.article_body')),
        back(),
      );
    }
    throw e;
  }
  markOpened(slug);
  const alerts = (await import('./proactive.js')).banner(article.type || article.request_type || '');
  const body = article.body_html || article.html;
  const related = (article.related || []).filter((a) => a && a.slug && a.title);
  return h(
    'article',
    { class: 'prose' },
    crumbs(article),
    alerts,
    h('h1', {}, article.title),
    article.summary && h('p', { class: 'lead' }, article.summary),
    body ? h('div', {}, linkPhones(safeHtml(body))) : null,
    feedback(slug),
    related.length > 0 &&
      h(
        'section',
        { class: 'related', 'aria-labelledby': 'related-h' },
        h('h2', { id: 'related-h' }, t('help.related')),
        h(
          'ul',
          {},
          related.map((a) =>
            h(
              'li',
              {},
              h('a', { href: `#/ayuda/${a.slug}` }, a.title),
              a.summary ? h('span', { class: 'muted small block' }, a.summary) : null,
            ),
          ),
        ),
      ),
    hasDraft() ? back() : contactFrom(article),
  );
}

const LAST_SEARCH = 'ventanilla.lastSearch';

/** "Still need help": the contact flow opens on this article's topic, knowing the article and the
 * words the citizen searched with (they guide the suggestions and reach the agent). */
function contactFrom(article) {
  const topic = (article.request_types || [])[0];
  const params = new URLSearchParams();
  if (topic) params.set('tipo', topic);
  params.set('desde', article.slug);
  const q = sessionStorage.getItem(LAST_SEARCH);
  if (q) params.set('q', q);
  return h(
    'div',
    { class: 'contact-hint' },
    h(
      'p',
      {},
      t('help.still_need'),
      ' ',
      h('a', { href: `#/contacto?${params}`, 'data-testid': 'contact-from-article' }, t('nav.contact')),
    ),
  );
}

// A phone number as articles write them: +56 2 2345 6789, (2) 2345 6789, 600 123 4567, 800 20 1010.
const PHONE_RE = /(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,3}\)[ .-]?)?(?:[68]00|\d{1,4})(?:[ .-]\d{2,4}){2,3}/g;

/** Phone numbers in an article's text become tap-to-call links (not inside an existing link). */
export function linkPhones(fragment) {
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || !node.parentElement.closest('a')) texts.push(node);
  }
  for (const node of texts) {
    const text = node.textContent;
    const parts = [];
    let last = 0;
    for (const m of text.matchAll(PHONE_RE)) {
      const digits = m[0].replace(/[^\d+]/g, '');
      const count = digits.replace('+', '').length;
      // 8 to 15 digits, and not a date or a request number (2026-000123).
      if (
        count < 8 ||
        count > 15 ||
        /^\d{4}-\d{6}$/.test(m[0]) ||
        /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(m[0])
      )
        continue;
      parts.push(text.slice(last, m.index), h('a', { href: `tel:${digits}`, class: 'tel' }, m[0]));
      last = m.index + m[0].length;
    }
    if (parts.length) node.replaceWith(...parts, text.slice(last));
  }
  return fragment;
}

/** Help › section › subsection › this article, each section a link to its drill-down. */
function crumbs(article) {
  const titles = article.section_titles || [];
  const path = article.section_path || [];
  return h(
    'nav',
    { class: 'crumbs', 'aria-label': t('help.breadcrumbs') },
    h(
      'ol',
      {},
      h('li', {}, h('a', { href: '#/ayuda' }, t('help.title'))),
      titles.map((title, i) =>
        h('li', {}, path[i] ? h('a', { href: `#/ayuda?${qs({ seccion: path[i] })}` }, title) : title),
      ),
      h('li', { 'aria-current': 'page' }, article.title),
    ),
  );
}

/** "¿Le fue útil?" (A3): yes or no, then an optional comment (POST .../feedback). */
function feedback(slug) {
  const box = h('section', { class: 'feedback', 'aria-labelledby': 'fb-h' });
  const status = statusLine();
  status.setAttribute('tabindex', '-1');
  // One vote: the comment (or a retry) goes with the same id and does not count it again.
  const voteId = crypto.randomUUID();
  const send = async (body) => {
    try {
      await request(`/help/articles/${slug}/feedback`, {
        method: 'POST',
        body: { ...body, lang: getLang(), vote_id: voteId },
      });
      return true;
    } catch {
      status.textContent = t('help.feedback_failed');
      return false;
    }
  };
  const ask = (helpful) => async () => {
    for (const b of box.querySelectorAll('button')) busy(b, true);
    if (!(await send({ helpful }))) {
      for (const b of box.querySelectorAll('button')) busy(b, false);
      status.focus();
      return;
    }
    const comment = { text: '' };
    const formEl = checkedForm(
      {
        check: () => textProblems('comment', comment.text, 1000),
        send: async () => {
          const text = comment.text.trim();
          busy(formEl.querySelector('button'), true);
          if (await send({ helpful, comment: text })) {
            formEl.replaceWith(h('p', {}, t('help.comment_thanks')));
            status.textContent = t('help.comment_thanks');
          } else busy(formEl.querySelector('button'), false);
          status.focus();
        },
      },
      errorSummary(),
      field({
        name: 'comment',
        kind: 'textarea',
        rows: 3,
        label: t(helpful ? 'help.comment_yes' : 'help.comment_no'),
        hint: t('help.comment_hint'),
        ...bound(comment, 'text'),
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('help.comment_send'))),
    );
    box.replaceChildren(h('h2', { id: 'fb-h' }, t('help.useful')), status, formEl);
    status.textContent = t('help.feedback_thanks');
    status.focus();
  };
  box.append(
    h('h2', { id: 'fb-h' }, t('help.useful')),
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-labelledby': 'fb-h' },
      h('button', { type: 'button', class: 'btn', onclick: ask(true) }, t('common.yes')),
      h('button', { type: 'button', class: 'btn', onclick: ask(false) }, t('common.no')),
    ),
    status,
  );
  return box;
}

function back() {
  return hasDraft()
    ? h('p', { class: 'back' }, h('a', { href: '#/contacto/articulos' }, t('help.back_to_contact')))
    : contactHint();
}

const contactHint = () =>
  h(
    'div',
    { class: 'contact-hint' },
    h('p', {}, t('help.still_need'), ' ', h('a', { href: '#/contacto' }, t('nav.contact'))),
  );
