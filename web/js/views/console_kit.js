// What the console's management screens share: the menu by role, the signed-in guard, API errors
// beside their fields, "someone else changed this; reload" (409) and the unsaved-changes guard.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { showErrors } from '../forms.js';
import { current } from '../auth.js';
import { setLeaveGuard } from '../app.js';

const MANAGERS = ['supervisor', 'admin'];
const STAFF = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'editor', 'moderator', 'admin'];
export const LINKS = [
  ['/agente/personal', 'admin.nav.staff', ['admin']],
  ['/agente/auditoria', 'admin.nav.audit', ['admin']],
  ['/agente/ajustes/respuestas', 'admin.nav.canned', MANAGERS],
  ['/agente/ajustes/asignacion', 'admin.nav.routing', MANAGERS],
  ['/agente/ajustes/calendario', 'admin.nav.calendar', MANAGERS],
  ['/agente/ajustes/sla', 'admin.nav.sla', MANAGERS],
  ['/agente/webhooks', 'admin.nav.webhooks', ['admin']],
  ['/agente/foro', 'admin.nav.forum', ['moderator', 'admin']],
  ['/agente/ayuda', 'admin.nav.help', ['editor', 'admin']],
  ['/agente/ajustes/metas', 'admin.nav.goals', MANAGERS],
  ['/agente/ajustes/plantillas', 'admin.nav.templates', MANAGERS],
  ['/agente/ajustes/entregas', 'admin.nav.delivery', MANAGERS],
  ['/agente/avisos', 'admin.nav.alerts', MANAGERS],
  ['/agente/avisos/campanas', 'admin.nav.campaigns', MANAGERS],
  ['/agente/avisos/temas', 'admin.nav.sub_topics', MANAGERS],
  ['/agente/avisos/sectores', 'admin.nav.sectors', MANAGERS],
  ['/agente/manuales', 'admin.nav.manuals', STAFF],
];

/** A navigation list of [path, message key] links; the one for `here` is the current page. */
export function navLinks(attrs, links, here) {
  return h(
    'nav',
    attrs,
    h(
      'ul',
      {},
      links.map(([path, key]) =>
        h('li', {}, h('a', { href: `#${path}`, 'aria-current': path === here ? 'page' : null }, t(key))),
      ),
    ),
  );
}

/** The management links the signed-in person's roles open (empty for none). */
export function consoleMenu(session, here = '') {
  const mine = LINKS.filter(([, , roles]) => session.groups.some((g) => roles.includes(g)));
  if (!mine.length) return null;
  return navLinks({ class: 'console-menu', 'aria-label': t('admin.nav.label') }, mine, here);
}

/** Run `view` for a signed-in person with one of `roles`; otherwise the sign-in or a refusal. */
export function guarded(roles, titleKey, view) {
  return async (ctx) => {
    const session = current();
    if (!session) return (await import('./agent.js')).loginView();
    if (!session.groups.some((g) => roles.includes(g))) {
      return h(
        'section',
        {},
        h('h1', {}, t(titleKey)),
        h('p', { role: 'alert' }, t('admin.no_role')),
        h('p', {}, h('a', { href: '#/agente' }, t('admin.back_to_console'))),
      );
    }
    try {
      return await view(ctx, session);
    } catch (e) {
      if (e.status === 401) return (await import('./agent.js')).loginView();
      throw e;
    }
  };
}

/** A page of the console: who is signed in, the menu, the heading, then the content. */
export function page(session, here, titleKey, ...content) {
  return h(
    'section',
    { class: 'agent admin' },
    h(
      'div',
      { class: 'whobar' },
      h('p', {}, t('agent.signed_in_as', { name: session.name })),
      h('a', { href: '#/agente' }, t('admin.back_to_console')),
    ),
    consoleMenu(session, here),
    h('h1', {}, t(titleKey)),
    content,
  );
}

/** Show what the API refused: field errors beside their fields (a list item "teams.0" goes to
 * "teams"), a 409 as "someone else changed this; reload", anything else in the summary. */
export function showApiError(form, e, onReload) {
  if (
    (e.status === 409 && (e.problem.code || '').endsWith('_changed')) ||
    e.problem.code === 'stale_revision' ||
    e.problem.code === 'revision_conflict'
  ) {
    showErrors(form, [{ field: null, message: t('admin.conflict') }], t('admin.conflict_title'));
    const summary = form.querySelector('.error-summary');
    if (summary && onReload) {
      summary.append(
        h('p', {}, h('button', { type: 'button', class: 'btn', onclick: onReload }, t('admin.reload'))),
      );
    }
    return;
  }
  const names = new Set([...form.querySelectorAll('[data-for]')].map((el) => el.dataset.for));
  const errors = e.errors.length
    ? e.errors.map((x) => {
        let name = x.field;
        while (name && !names.has(name) && name.includes('.')) name = name.slice(0, name.lastIndexOf('.'));
        return {
          field: names.has(name) ? name : null,
          message: names.has(name) ? x.message : `${x.field}: ${x.message}`,
        };
      })
    : [{ field: null, message: e.message }];
  showErrors(form, errors);
}

/** Mark `form` as holding unsaved changes from its first edit until `saved()` is called. */
export function trackChanges(form) {
  let dirty = false;
  const mark = () => {
    dirty = true;
  };
  form.addEventListener('input', mark);
  form.addEventListener('change', mark);
  setLeaveGuard(() => dirty && document.body.contains(form));
  return {
    saved: () => {
      dirty = false;
    },
    get dirty() {
      return dirty;
    },
  };
}

/** A management form's buttons: save (submit) and cancel. `cancel` runs when the form is already
 * built, so it may drop its unsaved-changes tracker (trackChanges) before leaving. */
export function saveOrCancel(label, cancel) {
  return h(
    'div',
    { class: 'actions' },
    h('button', { type: 'submit', class: 'btn primary' }, label),
    h('button', { type: 'button', class: 'btn link', onclick: cancel }, t('admin.cancel')),
  );
}

/** A group of checkboxes (roles, teams, tiers) wired like a field: errors show beside it. */
export function checkGroup(name, legend, options, chosen) {
  const errId = `${name}-err-${Math.random().toString(36).slice(2, 7)}`;
  const box = h(
    'fieldset',
    { class: 'group checks', 'data-for': name, 'aria-describedby': errId },
    h('legend', {}, legend),
    h('p', { class: 'error', id: errId, hidden: true }),
    options.map((o) =>
      h(
        'label',
        { class: 'check-inline' },
        h('input', { type: 'checkbox', name, value: o.value, checked: chosen.includes(o.value) }),
        ' ',
        o.label,
      ),
    ),
  );
  box.values = () => [...box.querySelectorAll('input:checked')].map((i) => i.value);
  return box;
}
