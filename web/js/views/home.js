// Home: search the help first, the menu by stage of the process, then follow or contact.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { go } from '../app.js';

/** Stages of a citizen's process (ventanilla.help.articles.Stage); the help menu groups by them. */
export const STAGES = ['informacion', 'registro', 'evaluacion', 'pago', 'entrega', 'seguimiento'];

export function searchForm(value = '', big = true) {
  const input = h('input', {
    id: big ? 'home-q' : 'help-q', type: 'search', name: 'q', value, autocomplete: 'off',
    'aria-describedby': big ? 'home-q-hint' : null,
  });
  return h('form', {
    role: 'search', class: big ? 'search big' : 'search',
    onsubmit: (e) => {
      e.preventDefault();
      const q = input.value.trim();
      if (q) go(`/ayuda?q=${encodeURIComponent(q)}`); else input.focus();
    },
  },
  h('label', { for: input.id }, t('search.label')),
  big && h('p', { class: 'hint', id: 'home-q-hint' }, t('search.hint')),
  h('div', { class: 'search-row' }, input, h('button', { type: 'submit', class: 'btn primary' }, t('search.submit'))));
}

export async function render() {
  return h('div', { class: 'home' },
    h('section', { class: 'hero', 'aria-labelledby': 'home-title' },
      h('h1', { id: 'home-title' }, t('home.title')),
      h('p', { class: 'lead' }, t('home.lead')),
      searchForm()),
    h('section', { 'aria-labelledby': 'stages-title' },
      h('h2', { id: 'stages-title' }, t('home.stages')),
      h('p', { class: 'hint' }, t('home.stages_hint')),
      h('ul', { class: 'stages' }, STAGES.map((s, i) => h('li', {},
        h('a', { href: `#/ayuda?etapa=${s}` }, h('span', { class: 'step-no', 'aria-hidden': 'true' }, String(i + 1)), t(`stage.${s}`)))))),
    h('section', { class: 'cards', 'aria-label': t('home.actions') },
      h('div', { class: 'card' },
        h('h2', {}, t('home.follow_title')),
        h('p', {}, t('home.follow_body')),
        h('a', { class: 'btn', href: '#/solicitud' }, t('nav.follow'))),
      h('div', { class: 'card' },
        h('h2', {}, t('home.contact_title')),
        h('p', {}, t('home.contact_body')),
        h('a', { class: 'btn', href: '#/contacto' }, t('nav.contact')))));
}

export async function renderPrivacy() {
  return h('article', { class: 'prose' },
    h('h1', {}, t('privacy.title')),
    ['p1', 'p2', 'p3', 'p4'].map((k) => h('p', {}, t(`privacy.${k}`))),
    h('p', {}, h('a', { href: '#/contacto' }, t('privacy.back'))));
}
