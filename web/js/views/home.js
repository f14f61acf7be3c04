// Home: search the help first, the menu by stage of the process, then follow or contact.
// The stages, sections and most consulted articles come from the help API once the page shows.
import { h, snippet } from '../dom.js';
import { checkedForm } from '../forms.js';
import { optional, qs } from '../api.js';
import { getLang, t } from '../i18n.js';
import { go } from '../app.js';

const LIVE_DELAY_MS = 250;
const LIVE_LIMIT = 5;

/** Stages of a citizen's process (ventanilla.help.articles.Stage): the menu until GET /help/stages answers. */
export const STAGES = ['informacion', 'registro', 'evaluacion', 'pago', 'entrega', 'seguimiento'];

export function searchForm(value = '', big = true) {
  const input = h('input', {
    id: big ? 'home-q' : 'help-q',
    type: 'search',
    name: 'q',
    value,
    autocomplete: 'off',
    'aria-describedby': big ? 'home-q-hint' : null,
  });
  const form = checkedForm(
    {
      role: 'search',
      class: big ? 'search big' : 'search',
      send: () => {
        const q = input.value.trim();
        if (q) go(`/ayuda?q=${encodeURIComponent(q)}`);
        else input.focus();
      },
    },
    h('label', { for: input.id }, t('search.label')),
    big && h('p', { class: 'hint', id: 'home-q-hint' }, t('search.hint')),
    h(
      'div',
      { class: 'search-row' },
      input,
      h('button', { type: 'submit', class: 'btn primary' }, t('search.submit')),
    ),
  );
  if (big) form.append(liveResults(input));
  return form;
}

/**
 * Results as the citizen types (debounced GET /help/search): a list of links under the box, the
 * count said politely to screen readers. Tab reaches the links; the box keeps its own value.
 * Nothing is shown while the help search route is absent.
 */
function liveResults(input) {
  const count = h('p', { class: 'live-count', role: 'status' });
  const list = h('ul', { class: 'live-hits' });
  const box = h('div', { class: 'live', id: 'home-live', hidden: true }, count, list);
  let timer = 0;
  let asked = 0;
  input.setAttribute('aria-controls', box.id);
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 3) {
      box.hidden = true;
      count.textContent = '';
      return;
    }
    timer = setTimeout(async () => {
      const mine = ++asked;
      let result;
      try {
        result = await optional(`/help/search?${qs({ q, lang: getLang(), limit: LIVE_LIMIT })}`);
      } catch {
        result = null;
      }
      if (mine !== asked || !result) return;
      const hits = (result.hits || []).slice(0, LIVE_LIMIT);
      count.textContent = hits.length
        ? t('search.live_count', { n: result.total ?? hits.length })
        : t('help.none', { q });
      list.replaceChildren(
        ...hits.map((hit) =>
          h(
            'li',
            {},
            h('a', { href: `#/ayuda/${hit.slug}` }, hit.title),
            hit.snippet ? h('span', { class: 'muted small block' }, snippet(hit.snippet)) : null,
          ),
        ),
        hits.length
          ? h('li', { class: 'all' }, h('a', { href: `#/ayuda?${qs({ q })}` }, t('search.see_all')))
          : '',
      );
      box.hidden = false;
    }, LIVE_DELAY_MS);
  });
  return box;
}

/**
 * The menu by process stage: the static list first (and if the API fails), then the stages GET
 * /help/stages names, with their article counts; each links to the stage's articles.
 */
function stageMenu() {
  const list = h(
    'ul',
    { class: 'stages', 'data-source': 'static' },
    STAGES.map((s, i) => stageItem(s, t(`stage.${s}`), i, null)),
  );
  optional(`/help/stages?${qs({ lang: getLang() })}`)
    .then((data) => {
      const stages = ((data && data.stages) || []).filter((x) => x && x.stage && x.label && x.count > 0);
      if (!stages.length) return;
      list.replaceChildren(...stages.map((x, i) => stageItem(x.stage, x.label, i, x.count)));
      list.dataset.source = 'api';
    })
    .catch(() => {});
  return list;
}

function stageItem(stage, label, i, count) {
  return h(
    'li',
    {},
    h(
      'a',
      { href: `#/ayuda?${qs({ etapa: stage })}` },
      h('span', { class: 'step-no', 'aria-hidden': 'true' }, String(i + 1)),
      h(
        'span',
        {},
        label,
        count != null
          ? h(
              'span',
              { class: 'stage-count' },
              t(count === 1 ? 'home.stage_count_one' : 'home.stage_count', { n: count }),
            )
          : null,
      ),
    ),
  );
}

/** Filled after the page shows (never delays it): the help sections and the most consulted articles. */
function helpLists() {
  const sections = h(
    'section',
    { 'aria-labelledby': 'sections-title', hidden: true },
    h('h2', { id: 'sections-title' }, t('home.sections')),
  );
  const popular = h(
    'section',
    { 'aria-labelledby': 'popular-title', hidden: true },
    h('h2', { id: 'popular-title' }, t('home.popular')),
  );
  optional(`/help/sections?${qs({ lang: getLang() })}`)
    .then((data) => {
      const items = (Array.isArray(data) ? data : data && (data.sections || data.items)) || [];
      const top = items.filter((x) => x && x.slug && x.title);
      if (!top.length) return;
      sections.append(
        h(
          'ul',
          { class: 'section-list' },
          top.map((x) =>
            h(
              'li',
              {},
              h('a', { href: `#/ayuda?${qs({ seccion: x.slug })}` }, x.title),
              x.count != null ? h('span', { class: 'muted' }, ` (${x.count})`) : null,
            ),
          ),
        ),
      );
      sections.hidden = false;
    })
    .catch(() => {});
  optional(`/help/popular?${qs({ lang: getLang(), limit: 6 })}`)
    .then((data) => {
      const items = (
        (Array.isArray(data) ? data : data && (data.articles || data.items || data.hits)) || []
      ).filter((a) => a && a.slug && a.title);
      if (!items.length) return;
      popular.append(
        h(
          'ol',
          { class: 'popular' },
          items.map((a) => h('li', {}, h('a', { href: `#/ayuda/${a.slug}` }, a.title))),
        ),
      );
      popular.hidden = false;
    })
    .catch(() => {});
  return [popular, sections];
}

export async function render() {
  const { banner } = await import('./proactive.js');
  return h(
    'div',
    { class: 'home' },
    banner(),
    h(
      'section',
      { class: 'hero', 'aria-labelledby': 'home-title' },
      h('h1', { id: 'home-title' }, t('home.title')),
      h('p', { class: 'lead' }, t('home.lead')),
      searchForm(),
    ),
    h(
      'section',
      { 'aria-labelledby': 'stages-title' },
      h('h2', { id: 'stages-title' }, t('home.stages')),
      h('p', { class: 'hint' }, t('home.stages_hint')),
      stageMenu(),
    ),
    helpLists(),
    h(
      'section',
      { class: 'cards', 'aria-label': t('home.actions') },
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('home.follow_title')),
        h('p', {}, t('home.follow_body')),
        h('a', { class: 'btn', href: '#/solicitud' }, t('nav.follow')),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('home.contact_title')),
        h('p', {}, t('home.contact_body')),
        h('a', { class: 'btn', href: '#/contacto' }, t('nav.contact')),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('home.notices_title')),
        h('p', {}, t('home.notices_body')),
        h('a', { class: 'btn', href: '#/avisos' }, t('home.notices_link')),
      ),
    ),
  );
}

export async function renderPrivacy() {
  return h(
    'article',
    { class: 'prose' },
    h('h1', {}, t('privacy.title')),
    ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((k) => h('p', {}, t(`privacy.${k}`))),
    h('p', {}, h('a', { href: '#/contacto' }, t('privacy.back'))),
  );
}
