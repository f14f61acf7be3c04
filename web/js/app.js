// Shell and hash router of the citizen portal and the agent console.
import { h, mount, announce } from './dom.js';
import { config } from './api.js';
import { getLang, initialLang, setLang, t } from './i18n.js';
import * as home from './views/home.js';
import * as help from './views/help.js';
import * as contact from './views/contact.js';
import * as follow from './views/request.js';
import { startApp, syncManifest } from './pwa.js';

const main = document.getElementById('main');

const ROUTES = [
  [/^\/?$/, () => home.render],
  [/^\/ayuda$/, () => help.renderSearch],
  [/^\/ayuda\/([a-z0-9-]+)$/, () => help.renderArticle],
  [/^\/contacto(?:\/([a-z]+))?$/, () => contact.render],
  [/^\/solicitud$/, () => follow.renderLookup],
  [/^\/solicitud\/([0-9]{4}-[0-9]{3,})$/, () => follow.render],
  [/^\/solicitud\/([0-9]{4}-[0-9]{3,})\/encuesta$/, () => follow.renderSurvey],
  [/^\/privacidad$/, () => home.renderPrivacy],
  [/^\/cuenta$/, async () => (await import('./views/account.js')).render],
  [/^\/cuenta\/registro$/, async () => (await import('./views/account.js')).renderSignUp],
  [/^\/baja\/([A-Za-z0-9_-]+)$/, async () => (await import('./views/optout.js')).render],
  [/^\/foro$/, async () => (await import('./views/forum.js')).renderHome],
  [/^\/foro\/c\/([a-z0-9-]+)$/, async () => (await import('./views/forum.js')).renderList],
  [/^\/foro\/etiqueta\/([a-z0-9-]+)$/, async () => (await import('./views/forum.js')).renderTag],
  [/^\/foro\/tema\/(t[0-9a-f]{23})$/, async () => (await import('./views/forum.js')).renderTopic],
  [/^\/foro\/nuevo$/, async () => (await import('./views/forum.js')).renderCompose],
  [/^\/foro\/baja\/([A-Za-z0-9_.-]+)$/, async () => (await import('./views/forum.js')).renderUnsubscribe],
  [/^\/agente\/foro$/, async () => (await import('./views/forum_moderation.js')).render],
  [
    /^\/agente\/foro\/tema\/(t[0-9a-f]{23})$/,
    async () => (await import('./views/forum_moderation.js')).renderTopic,
  ],
  [
    /^\/agente\/foro\/moderar\/(t[0-9a-f]{23})$/,
    async () => (await import('./views/forum_admin.js')).renderTopicTools,
  ],
  [/^\/agente\/foro\/reglas$/, async () => (await import('./views/forum_admin.js')).renderRules],
  [/^\/agente\/foro\/categorias$/, async () => (await import('./views/forum_admin.js')).renderCategories],
  [/^\/avisos$/, async () => (await import('./views/proactive.js')).renderSubscribe],
  [/^\/suscripcion\/confirmar$/, async () => (await import('./views/proactive.js')).renderConfirm],
  [/^\/suscripcion\/([0-9a-f]{20})$/, async () => (await import('./views/proactive.js')).renderManage],
  [/^\/agente\/avisos$/, async () => (await import('./views/proactive.js')).renderAlertsPage],
  [/^\/agente\/avisos\/temas$/, async () => (await import('./views/proactive_console.js')).renderTopicsPage],
  [
    /^\/agente\/avisos\/sectores$/,
    async () => (await import('./views/proactive_console.js')).renderSectorsPage,
  ],
  [
    /^\/agente\/avisos\/campanas$/,
    async () => (await import('./views/proactive_console.js')).renderCampaignsPage,
  ],
  [/^\/datos-abiertos$/, async () => (await import('./views/open-data.js')).render],
  [/^\/agente$/, async () => (await import('./views/agent_queue.js')).renderQueue],
  [
    /^\/agente\/solicitud\/([0-9]{4}-[0-9]{3,})$/,
    async () => (await import('./views/agent_ticket.js')).renderTicket,
  ],
  [/^\/agente\/activos$/, async () => (await import('./views/assets.js')).renderList],
  [/^\/agente\/activos\/nuevo$/, async () => (await import('./views/assets.js')).renderNew],
  [/^\/agente\/activos\/importar$/, async () => (await import('./views/assets.js')).renderImport],
  [
    /^\/agente\/activos\/([A-Za-z0-9._-]{2,40})\/editar$/,
    async () => (await import('./views/assets.js')).renderEdit,
  ],
  [
    /^\/agente\/activos\/([A-Za-z0-9._-]{2,40})$/,
    async () => (await import('./views/assets.js')).renderAsset,
  ],
  [/^\/agente\/mi-equipo$/, async () => (await import('./views/assets.js')).renderMine],
  [/^\/agente\/nueva$/, async () => (await import('./views/staff_entry.js')).renderNew],
  [/^\/agente\/tablero$/, async () => (await import('./views/dashboard.js')).render],
  [/^\/agente\/informe$/, async () => (await import('./views/report.js')).render],
  [/^\/agente\/personal$/, async () => (await import('./views/admin.js')).renderStaff],
  [/^\/agente\/auditoria$/, async () => (await import('./views/admin.js')).renderAudit],
  [/^\/agente\/ajustes\/respuestas$/, async () => (await import('./views/settings.js')).renderCanned],
  [/^\/agente\/ajustes\/asignacion$/, async () => (await import('./views/settings.js')).renderRouting],
  [/^\/agente\/ajustes\/calendario$/, async () => (await import('./views/settings.js')).renderCalendar],
  [/^\/agente\/ajustes\/sla$/, async () => (await import('./views/settings.js')).renderPolicy],
  [/^\/agente\/webhooks$/, async () => (await import('./views/webhooks.js')).render],
  [/^\/agente\/manuales$/, async () => (await import('./views/admin.js')).renderManuals],
  [/^\/agente\/ayuda$/, async () => (await import('./views/editor.js')).renderList],
  [/^\/agente\/ayuda\/nuevo$/, async () => (await import('./views/editor.js')).renderNew],
  [
    /^\/agente\/ayuda\/articulo\/([a-z0-9-]+)$/,
    async () => (await import('./views/editor.js')).renderArticle,
  ],
  [/^\/agente\/ayuda\/secciones$/, async () => (await import('./views/editor.js')).renderSections],
  [/^\/agente\/ayuda\/importar$/, async () => (await import('./views/editor.js')).renderImport],
  [/^\/agente\/ayuda\/busquedas$/, async () => (await import('./views/editor.js')).renderSearches],
  [/^\/agente\/ayuda\/terminos$/, async () => (await import('./views/editor.js')).renderTerms],
  [/^\/agente\/ajustes\/metas$/, async () => (await import('./views/settings_more.js')).renderGoals],
  [/^\/agente\/ajustes\/plantillas$/, async () => (await import('./views/settings_more.js')).renderTemplates],
  [/^\/agente\/ajustes\/entregas$/, async () => (await import('./views/settings_more.js')).renderDelivery],
];

let token = 0;
let flashText = '';
let leaveGuard = null;
let shownHash = location.hash;

/** A view with a form says whether it holds unsaved changes; leaving then asks first. */
export function setLeaveGuard(fn) {
  leaveGuard = fn;
}
const unsaved = () => Boolean(leaveGuard && leaveGuard());

/** A message shown once at the top of the next page (e.g. after leaving the contact flow). */
export function flash(text) {
  flashText = text;
}

export function go(path) {
  if (location.hash === `#${path}`) route({ focus: true });
  else location.hash = path;
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const [path, query = ''] = raw.split('?');
  return { path: decodeURIComponent(path), query: new URLSearchParams(query) };
}

async function route({ focus = true } = {}) {
  const mine = ++token;
  main.setAttribute('aria-busy', 'true');
  const { path, query } = parseHash();
  for (const a of document.querySelectorAll('[data-nav]')) {
    const current = a.dataset.nav === '/' ? path === '/' : path.startsWith(a.dataset.nav);
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  let view = null;
  let params = [];
  for (const [re, loader] of ROUTES) {
    const m = re.exec(path);
    if (m) {
      params = m.slice(1);
      view = await loader();
      break;
    }
  }
  const slow = setTimeout(() => {
    if (mine === token) mount(main, h('p', { class: 'loading' }, t('common.loading')));
  }, 250);
  let node;
  try {
    const ctx = { params, query, path, stale: () => mine !== token, rerender: () => route({ focus: false }) };
    node = view ? await view(ctx) : notFound();
  } catch (error) {
    node = failure(error);
  }
  clearTimeout(slow);
  // Staff pages live in the console's own full-width frame, with the staff navigation.
  const staff = path === '/agente' || path.startsWith('/agente/');
  const staffFrame = staff ? (await import('./views/staff_layout.js')).frame : null;
  if (mine !== token || node === null) return; // a newer navigation won, or the view redirected
  const box = h(
    'div',
    { class: 'page' },
    flashText && h('p', { class: 'flash', role: 'status' }, flashText),
    node,
  );
  flashText = '';
  document.body.classList.toggle('staff', staff);
  mount(main, staffFrame ? staffFrame(box, path) : box);
  main.dataset.route = location.hash; // the address drawn (a view may have tidied it)
  main.setAttribute('aria-busy', 'false');
  const heading = main.querySelector('h1');
  if (heading) heading.setAttribute('tabindex', '-1');
  document.title = `${heading ? heading.textContent : 'Ventanilla'} — Ventanilla`;
  if (focus) {
    // Errors waiting on this page (e.g. sent back by the API) come before the heading.
    // A view may point at the part the person came for (e.g. the survey a notice links to).
    const target = main.querySelector('[data-autofocus]');
    (main.querySelector('.error-summary:not([hidden])') || target || heading || main).focus();
    if (target) target.scrollIntoView({ block: 'start' });
    else window.scrollTo(0, 0);
  } else {
    // First load (e.g. from an email's link): land on that part as an #anchor would.
    const target = main.querySelector('[data-autofocus]');
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: 'start' });
    }
  }
}

function notFound() {
  return h(
    'section',
    {},
    h('h1', {}, t('notfound.title')),
    h('p', {}, t('notfound.body')),
    h('p', {}, h('a', { href: '#/' }, t('nav.home'))),
  );
}

function failure(error) {
  console.error(error);
  return h(
    'section',
    {},
    h('h1', {}, t('error.title')),
    h('p', { role: 'alert' }, error && error.message ? error.message : t('error.generic')),
    h('p', {}, h('a', { href: '#/' }, t('nav.home'))),
  );
}

async function start() {
  // A link such as /?codigo=K7P4-9XQ2#/solicitud/2026-000123 carries the code in the query.
  const search = new URLSearchParams(location.search);
  if (search.has('codigo') && location.hash.startsWith('#/solicitud/')) {
    follow.rememberCode(location.hash.slice(12).split('?')[0], search.get('codigo'));
    history.replaceState(null, '', location.pathname + location.hash);
  }
  await setLang(initialLang());
  const button = document.getElementById('lang-switch');
  const label = () => {
    const other = getLang() === 'es' ? 'en' : 'es';
    button.textContent = other === 'en' ? 'English' : 'Español';
    button.lang = other;
    button.setAttribute(
      'aria-label',
      other === 'en' ? 'Change language to English' : 'Cambiar idioma a español',
    );
  };
  label();
  button.addEventListener('click', async () => {
    await setLang(getLang() === 'es' ? 'en' : 'es');
    label();
    syncManifest();
    await route({ focus: false });
    announce(t('lang.changed'));
  });
  document.querySelector('.skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    const heading = main.querySelector('h1');
    (heading || main).focus();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash !== shownHash && unsaved() && !window.confirm(t('admin.leave_unsaved'))) {
      history.replaceState(null, '', shownHash); // stay, with the edits
      return;
    }
    leaveGuard = null;
    shownHash = location.hash;
    route();
  });
  window.addEventListener('beforeunload', (e) => {
    if (unsaved()) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
  startApp();
  config()
    .then((cfg) => {
      document.getElementById('institution').textContent = cfg.institution;
    })
    .catch(() => {});
  await route({ focus: false });
}

start();
