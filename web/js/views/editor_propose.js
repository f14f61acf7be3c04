// "Proponer artículo" on a resolved request (A5): an agent picks the public reply that solved it and
// the help centre gets a draft from it (names, numbers and contacts removed by the API), which an
// editor then reviews in #/agente/ayuda. Shown only when the request is resolved or closed and has
// a public staff reply.
import { h } from '../dom.js';
import { fmtDateTime, t } from '../i18n.js';
import { errorSummary, field, statusLine, bound, checkedForm } from '../forms.js';
import { current } from '../auth.js';
import { showApiError } from './console_kit.js';

const STAGES = ['informacion', 'registro', 'evaluacion', 'pago', 'entrega', 'seguimiento'];

/** The box for the ticket page, or null when there is nothing to propose. */
export function proposeArticleBox(tk, history, api) {
  if (tk.status !== 'resolved' && tk.status !== 'closed') return null;
  const replies = history.filter(
    (e) =>
      e.public &&
      e.actor.kind === 'staff' &&
      e.body &&
      (e.action === 'message' || e.action === 'status_changed'),
  );
  if (!replies.length) return null;
  const last = replies[replies.length - 1];
  const v = { event_id: last.event_id, title: tk.subject || '', stage: 'informacion' };
  const status = statusLine();
  const excerpt = (e) => `${fmtDateTime(e.at)} · ${e.body.slice(0, 60)}${e.body.length > 60 ? '…' : ''}`;
  const form = checkedForm(
    {
      class: 'admin-form',
      hidden: true,
      'aria-labelledby': 'propose-form-h',
      submit: true,
      send: async () => {
        const draft = await api(`/agent/tickets/${tk.number}/help-draft`, {
          method: 'POST',
          body: { event_id: v.event_id, title: v.title.trim(), stage: v.stage },
        });
        form.hidden = true;
        const session = current();
        const editor = session && session.groups.some((g) => g === 'editor' || g === 'admin');
        status.replaceChildren(
          t('propose.done', { title: draft.title }),
          ' ',
          editor
            ? h('a', { href: `#/agente/ayuda/articulo/${draft.slug}?lang=${draft.lang}` }, t('propose.open'))
            : t('propose.editors'),
        );
        status.focus();
      },
      fail: (err) => {
        if (err.status === 401) throw err;
        showApiError(form, err);
      },
      stay: true,
    },
    h('h3', { id: 'propose-form-h' }, t('propose.form_title')),
    h('p', { class: 'hint' }, t('propose.lead')),
    errorSummary(),
    field({
      name: 'event_id',
      kind: 'select',
      label: t('propose.reply'),
      required: true,
      options: replies.map((r) => ({ value: r.event_id, label: excerpt(r) })),
      ...bound(v, 'event_id'),
    }),
    field({
      name: 'title',
      label: t('propose.title'),
      required: true,
      hint: t('propose.title_hint'),
      ...bound(v, 'title'),
    }),
    field({
      name: 'stage',
      kind: 'select',
      label: t('editor.field.stage'),
      required: true,
      options: STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) })),
      ...bound(v, 'stage', 'informacion'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('propose.send'))),
  );
  form.querySelector('[name=event_id] option[value=""]').remove();
  form.querySelector('[name=stage] option[value=""]').remove();
  status.setAttribute('tabindex', '-1');
  const open = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      'aria-expanded': 'false',
      onclick: () => {
        form.hidden = !form.hidden;
        open.setAttribute('aria-expanded', String(!form.hidden));
        if (!form.hidden) form.querySelector('[name=title]').focus();
      },
    },
    t('propose.button'),
  );
  return h(
    'section',
    { 'aria-labelledby': 'propose-h', class: 'propose' },
    h('h2', { id: 'propose-h' }, t('propose.heading')),
    open,
    form,
    status,
  );
}
