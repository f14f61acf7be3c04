// The staff console's own frame for every #/agente... page: full width, the console's navigation
// by role (queue, new request, dashboard, report, assets, then management) instead of the citizen
// portal's, who is signed in and sign out. The pages' own "who" bar and management menu are hidden
// inside it (CSS): this navigation carries the same links.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { current } from '../auth.js';
import { LINKS } from './console_kit.js';
import { logoutButton } from './agent.js';

const WORKERS = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'admin'];
const MANAGERS = ['supervisor', 'admin'];
const ANY = null;

/** [path, label key, roles (null: any staff), is this the current page?] */
const MAIN = [
  ['/agente', 'ws.nav.queue', WORKERS, (p) => p === '/agente' || p.startsWith('/agente/solicitud/')],
  ['/agente/nueva', 'entry.link', WORKERS],
  ['/agente/tablero', 'dash.link', MANAGERS],
  ['/agente/informe', 'ws.nav.report', MANAGERS],
  ['/agente/activos', 'assets.list_title', [...WORKERS, 'inventory']],
  ['/agente/mi-equipo', 'assets.mine_title', ANY],
];

const allowed = (session, roles) => roles === ANY || session.groups.some((g) => roles.includes(g));
const isHere = (path, link) => path === link || path.startsWith(`${link}/`);

function link(path, key, here) {
  return h('li', {}, h('a', { href: `#${path}`, 'aria-current': here ? 'page' : null }, t(key)));
}

/** The console's navigation for the signed-in person (null when nobody is signed in). */
export function staffNav(session, path) {
  if (!session) return null;
  const main = MAIN.filter(([, , roles]) => allowed(session, roles));
  // The most specific management link is the current one (e.g. /agente/avisos/temas, not /agente/avisos).
  const managed = LINKS.filter(([, , roles]) => allowed(session, roles));
  const best = managed.filter(([p]) => isHere(path, p)).sort((a, b) => b[0].length - a[0].length)[0];
  // Beside the page on wide screens; a menu to open on narrow ones, so the page comes first.
  const wide = window.matchMedia('(min-width: 60rem)').matches;
  return h(
    'nav',
    { class: 'staff-nav', 'aria-label': t('ws.nav.label') },
    h(
      'p',
      { class: 'staff-who' },
      h('span', { class: 'staff-name' }, session.name),
      h('span', { class: 'muted small block' }, `(${session.groups.join(', ')})`),
    ),
    h(
      'details',
      { class: 'staff-menu', open: wide },
      h('summary', {}, t('ws.nav.menu')),
      staffLinks(path, main, managed, best),
    ),
  );
}

function staffLinks(path, main, managed, best) {
  return [
    h(
      'ul',
      {},
      main.map(([p, key, , here]) => link(p, key, here ? here(path) : isHere(path, p))),
    ),
    managed.length > 0 && h('p', { class: 'staff-group', id: 'staff-nav-manage' }, t('admin.nav.label')),
    managed.length > 0 &&
      h(
        'ul',
        { 'aria-labelledby': 'staff-nav-manage' },
        managed.map(([p, key]) => link(p, key, best && best[0] === p)),
      ),
    h('p', {}, logoutButton()),
  ];
}

/** The page inside the console's frame: navigation beside (wide) or above (narrow) the content. */
export function frame(content, path) {
  const session = current();
  const nav = staffNav(session, path);
  return h(
    'div',
    { class: `staff-shell${nav ? '' : ' staff-anon'}` },
    nav,
    h('div', { class: 'staff-main' }, content),
  );
}
