// Spanish first, English second: one JSON dictionary per language, the choice kept in localStorage.

export const LANGS = ['es', 'en'];
const KEY = 'ventanilla.lang';
/** The institution's time zone (dates are shown as the institution counts them). */
export const TIME_ZONE = 'America/Santiago';

let lang = 'es';
let dict = {};
const cache = {};

export const getLang = () => lang;

/** The person's own choice, else the first of the browser's languages (its Accept-Language) we
 * have, else Spanish. */
export function initialLang() {
  const saved = localStorage.getItem(KEY);
  if (LANGS.includes(saved)) return saved;
  const wanted = (
    navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || '']
  )
    .map((tag) => String(tag).toLowerCase().split('-')[0])
    .find((primary) => LANGS.includes(primary));
  return wanted || 'es';
}

export async function setLang(next) {
  if (!LANGS.includes(next)) next = 'es';
  if (!cache[next]) {
    const res = await fetch(`/i18n/${next}.json`);
    cache[next] = await res.json();
  }
  lang = next;
  dict = cache[next];
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]'))
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

/** The text of `key`, with {name} placeholders filled from `params`. */
export function t(key, params) {
  const text = dict[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => params[name] ?? m);
}

/** ``<key>_one`` or ``<key>_other`` as the language's plural rules say for ``n``: "1 hora hábil". */
export function plural(key, n, params = {}) {
  const form =
    new Intl.PluralRules(lang === 'es' ? 'es' : 'en').select(Number(n)) === 'one' ? 'one' : 'other';
  return t(`${key}_${form}`, { n, ...params });
}

/** The languages a person can choose, as select or checkbox options (names in their own language). */
export const LANGUAGES = [
  { value: 'es', label: 'Español' },
  { value: 'en', label: 'English' },
];

/** A catalog text: {es, en} or a plain string. */
export function pick(text) {
  if (text == null) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text.es ?? Object.values(text)[0] ?? '';
}

const locale = () => (lang === 'es' ? 'es-CL' : 'en');

/** A formatter of ISO instants in the institution's time zone and the reader's language ('' for none). */
const dateFormat = (options) => (iso) =>
  iso ? new Intl.DateTimeFormat(locale(), { ...options, timeZone: TIME_ZONE }).format(new Date(iso)) : '';

export const fmtDateTime = dateFormat({ dateStyle: 'long', timeStyle: 'short' });
export const fmtDate = dateFormat({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
export const fmtShort = dateFormat({ day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
