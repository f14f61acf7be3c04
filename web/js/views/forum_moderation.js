// The console's forum moderation (#/agente/foro): reported posts (most reports first) and posts
// held for review, each with its actions; hiding, locking and banning need a reason, which the author
// sees; approving a held post or dismissing reports takes none.
import { h, announce, safeHtml, dataTable } from '../dom.js';
import { fmtDateTime, t } from '../i18n.js';
import { clearErrors, errorSummary, field, showErrors, statusLine, bound, checkedForm } from '../forms.js';
import { staffRequest } from './agent.js';
import { guarded, page } from './console_kit.js';

const MODS = ['moderator', 'admin'];

function item(entry, kind, rerender) {
  const values = { reason: '' };
  const status = statusLine();
  const act = async (path, body, optional = false) => {
    const form = status.closest('form');
    clearErrors(form);
    const reason = values.reason.trim();
    if (reason.length < 3 && !(optional && !reason)) {
      showErrors(form, [{ field: 'reason', message: t('forum.mod.reason_needed') }]);
      return;
    }
    try {
      await staffRequest(`/forum/moderation/${path}`, {
        method: 'POST',
        body: { ...(reason ? { reason } : {}), ...body },
      });
      announce(t('forum.mod.done'));
      rerender();
    } catch (error) {
      showErrors(form, [{ field: 'reason', message: error.message }]);
    }
  };
  const post = `topics/${entry.topic_id}/posts/${entry.post_id}`;
  const button = (label, path, optional = false) =>
    h('button', { type: 'button', class: 'btn small', onclick: () => act(path, {}, optional) }, label);
  return h(
    'li',
    { class: 'mod-item' },
    h(
      'form',
      { novalidate: true, onsubmit: (e) => e.preventDefault() },
      h('h2', {}, h('a', { href: `#/foro/tema/${entry.topic_id}` }, entry.title || entry.topic_id)),
      h(
        'p',
        { class: 'meta' },
        entry.author.name,
        ' · ',
        fmtDateTime(entry.at),
        ' · ',
        kind === 'reported'
          ? t('forum.mod.reports', {
              n: entry.reports,
              reasons: Object.entries(entry.reasons)
                .map(([r, n]) => `${t(`forum.reason_${r}`)} (${n})`)
                .join(', '),
            })
          : t(`forum.mod.held_${entry.held_because || 'new_account'}`),
      ),
      h('blockquote', {}, entry.excerpt),
      errorSummary(),
      field({
        name: 'reason',
        label: t('forum.mod.reason'),
        hint: t('forum.mod.reason_hint'),
        ...bound(values, 'reason'),
      }),
      h(
        'div',
        { class: 'actions' },
        kind === 'held'
          ? button(t('forum.mod.approve'), `${post}/approve`, true)
          : button(t('forum.mod.dismiss'), `${post}/dismiss`, true),
        button(t('forum.mod.hide'), `${post}/hide`),
        entry.post_id === 'topic' && button(t('forum.mod.lock'), `topics/${entry.topic_id}/lock`),
        entry.author.kind === 'citizen' && button(t('forum.mod.ban'), `accounts/${entry.author.id}/ban`),
        h(
          'a',
          {
            class: 'btn small',
            href: `#/agente/foro/moderar/${entry.topic_id}?cuenta=${encodeURIComponent(entry.author.id)}`,
          },
          t('forum.tools.more'),
        ),
      ),
      status,
    ),
  );
}

export const render = guarded(MODS, 'forum.mod.title', async (ctx, session) => {
  const kind = ctx.query.get('tipo') === 'retenidos' ? 'held' : 'reported';
  const queue = await staffRequest(`/forum/moderation/queue?kind=${kind}&limit=20`);
  const log = await staffRequest('/forum/moderation/log?limit=10');
  const openTopic = checkedForm(
    {
      class: 'filters',
      role: 'search',
      send: () => {
        const m = /t[0-9]{17}[0-9a-f]{6}/.exec(openTopic.querySelector('[name=tema]').value);
        if (!m) {
          showErrors(openTopic, [{ field: 'tema', message: t('forum.tools.merge_bad') }]);
          return;
        }
        location.hash = `#/agente/foro/moderar/${m[0]}`;
      },
    },
    errorSummary(),
    field({
      name: 'tema',
      label: t('forum.tools.open_topic'),
      hint: t('forum.tools.merge_into_hint'),
      required: true,
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('forum.tools.open'))),
  );
  return page(
    session,
    '/agente/foro',
    'forum.mod.title',
    h(
      'p',
      { class: 'links' },
      h('a', { href: '#/agente/foro/reglas' }, t('forum.rules.title')),
      session.groups.includes('admin') && ' · ',
      session.groups.includes('admin') && h('a', { href: '#/agente/foro/categorias' }, t('forum.cats.title')),
    ),
    openTopic,
    h(
      'nav',
      { class: 'subnav', 'aria-label': t('forum.mod.queues') },
      h(
        'ul',
        {},
        h(
          'li',
          {},
          h(
            'a',
            { href: '#/agente/foro', 'aria-current': kind === 'reported' ? 'page' : null },
            t('forum.mod.reported'),
          ),
        ),
        h(
          'li',
          {},
          h(
            'a',
            { href: '#/agente/foro?tipo=retenidos', 'aria-current': kind === 'held' ? 'page' : null },
            t('forum.mod.held'),
          ),
        ),
      ),
    ),
    queue.items.length
      ? h(
          'ul',
          { class: 'mod-queue' },
          queue.items.map((e) => item(e, kind, ctx.rerender)),
        )
      : h('p', {}, t('forum.mod.empty')),
    h('h2', {}, t('forum.mod.log')),
    !log.items.length && h('p', {}, t('forum.mod.log_empty')),
    log.items.length > 0 &&
      dataTable(
        null,
        ['when', 'who', 'action', 'reason'].map((c) => t(`forum.mod.col_${c}`)),
        log.items.map((e) =>
          h(
            'tr',
            {},
            h('td', {}, fmtDateTime(e.at)),
            h('td', {}, e.moderator),
            h('td', {}, t(`forum.mod.action_${e.action}`)),
            h('td', {}, e.reason || '—'),
          ),
        ),
      ),
  );
});

/** #/agente/foro/tema/<id>: editors turn the topic's accepted answer into a help article draft
 * (POST /forum/topics/<id>/help-draft: personal data removed, status draft). */
export const renderTopic = guarded(['editor', 'admin'], 'forum.draft.title', async (ctx, session) => {
  const [id] = ctx.params;
  const topic = await staffRequest(`/forum/topics/${id}?limit=50`);
  const accepted = topic.replies_page.find((r) => r.id === topic.accepted_reply_id);
  const values = { title: topic.title };
  const status = statusLine();
  status.setAttribute('tabindex', '-1');
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('forum.draft.send'));
  const form = checkedForm(
    {
      class: 'admin-form',
      submit,
      send: async () => {
        const draft = await staffRequest(`/forum/topics/${id}/help-draft`, {
          method: 'POST',
          body: { title: values.title.trim() },
        });
        form.hidden = true;
        status.replaceChildren(
          t('forum.draft.done', { title: draft.title }),
          ' ',
          h('a', { href: `#/agente/ayuda/articulo/${draft.slug}?lang=${draft.lang}` }, t('forum.draft.open')),
        );
        status.focus();
      },
      fail: (error) => {
        if (error.status === 401) throw error;
        showErrors(
          form,
          error.errors && error.errors.length ? error.errors : [{ field: 'title', message: error.message }],
        );
      },
      stay: true,
    },
    errorSummary(),
    field({
      name: 'title',
      label: t('forum.draft.article_title'),
      required: true,
      ...bound(values, 'title'),
    }),
    h('div', { class: 'actions' }, submit),
  );
  return page(
    session,
    '/agente/foro',
    'forum.draft.title',
    h('p', {}, h('a', { href: `#/foro/tema/${id}` }, topic.title)),
    accepted
      ? h(
          'div',
          {},
          h('h2', {}, t('forum.draft.answer')),
          h('blockquote', { class: 'article-body' }, safeHtml(accepted.body_html)),
          h('p', { class: 'hint' }, t('forum.draft.lead')),
          form,
          status,
        )
      : h('p', { role: 'alert' }, t('forum.draft.none')),
  );
});
