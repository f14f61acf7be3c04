// The community forum (#/foro): categories, a category's or a tag's topics, a topic with its
// replies (vote, accept, quote, report, follow), compose with preview; citizens sign in with their
// account and accept the forum's rules once. The console's moderation view is #/agente/foro.
import { h, announce, safeHtml } from '../dom.js';
import { ApiError, qs, request } from '../api.js';
import { fmtDateTime, t } from '../i18n.js';
import { errorSummary, field, showErrors, statusLine, bound, checkedForm, actionButton } from '../forms.js';
import { go, flash } from '../app.js';
import * as citizen from '../citizen_auth.js';
import { current as staffSession } from '../auth.js';

/** A console session of an editor (or admin) in this browser: the topic offers "to help". */
function editorSession() {
  const session = staffSession();
  return Boolean(session && session.groups.some((g) => g === 'editor' || g === 'admin'));
}

const REASONS = ['spam', 'offensive', 'personal_data', 'off_topic', 'duplicate', 'other'];

async function api(path, options = {}) {
  const token = await citizen.idToken();
  return request(path, token ? { ...options, token } : options);
}

function author(a) {
  return h(
    'span',
    { class: 'forum-author' },
    a.name,
    a.staff_badge && h('span', { class: 'badge staff-badge' }, ' ', t('forum.staff_badge')),
  );
}

function topicRow(topic) {
  return h(
    'li',
    { class: 'forum-topic' },
    h('h3', {}, h('a', { href: `#/foro/tema/${topic.id}` }, topic.title)),
    h(
      'p',
      { class: 'meta' },
      topic.pinned && h('span', { class: 'badge' }, t('forum.pinned')),
      ' ',
      topic.answered && h('span', { class: 'badge ok' }, t('forum.answered')),
      ' ',
      author(topic.author),
      ' · ',
      t('forum.replies', { n: topic.replies }),
      ' · ',
      t('forum.last_activity', { at: fmtDateTime(topic.last_activity_at) }),
    ),
    topic.tags.length > 0 &&
      h(
        'p',
        { class: 'tags' },
        topic.tags.map((tag) => h('a', { class: 'tag', href: `#/foro/etiqueta/${tag}` }, `#${tag}`)),
      ),
  );
}

function more(next, base) {
  return (
    next &&
    h('p', {}, h('a', { href: `#${base}${base.includes('?') ? '&' : '?'}cursor=${next}` }, t('forum.more')))
  );
}

/** #/foro: the categories. */
export async function renderHome() {
  const cats = await request('/forum/categories');
  return h(
    'section',
    {},
    h('h1', {}, t('forum.title')),
    h('p', {}, t('forum.lead')),
    h(
      'ul',
      { class: 'forum-categories' },
      cats.items.map((c) =>
        h(
          'li',
          {},
          h('h2', {}, h('a', { href: `#/foro/c/${c.code}` }, c.name)),
          c.description && h('p', {}, c.description),
        ),
      ),
    ),
    h('p', {}, h('a', { class: 'btn primary', href: '#/foro/nuevo' }, t('forum.new_topic'))),
  );
}

/** #/foro/c/<category> and #/foro/etiqueta/<tag>. */
export async function renderList(ctx, kind = 'category') {
  const [code] = ctx.params;
  const cursor = ctx.query.get('cursor');
  const page = await request(`/forum/topics?${qs({ [kind]: code, cursor, limit: 20 })}`);
  let title = `#${code}`;
  if (kind === 'category') {
    const cats = await request('/forum/categories');
    const cat = cats.items.find((c) => c.code === code);
    title = cat ? cat.name : code;
  }
  return h(
    'section',
    {},
    h('p', { class: 'crumbs' }, h('a', { href: '#/foro' }, t('forum.title'))),
    h('h1', {}, title),
    kind === 'category' &&
      h(
        'p',
        {},
        h('a', { class: 'btn primary', href: `#/foro/nuevo?categoria=${code}` }, t('forum.new_topic')),
      ),
    page.items.length
      ? h('ul', { class: 'forum-topics' }, page.items.map(topicRow))
      : h('p', {}, t('forum.empty')),
    more(page.next_cursor, kind === 'category' ? `/foro/c/${code}` : `/foro/etiqueta/${code}`),
  );
}

export const renderTag = (ctx) => renderList(ctx, 'tag');

/** Signed in, terms accepted: the account; otherwise a box that says what is missing (null to go on). */
async function writerGate(onAccepted) {
  if (!citizen.current()) {
    return {
      box: h(
        'p',
        { class: 'notice' },
        t('forum.sign_in_to_post'),
        ' ',
        h('a', { href: '#/cuenta' }, t('forum.sign_in')),
      ),
    };
  }
  const me = await api('/forum/me');
  if (me.account.status !== 'active') {
    return { box: h('p', { class: 'notice', role: 'status' }, t(`forum.status_${me.account.status}`)) };
  }
  if (!me.account.terms_accepted) {
    const button = actionButton(
      {
        class: 'btn primary',
        run: async () => {
          await api('/forum/terms', { method: 'POST', body: {} });
          announce(t('forum.terms_done'));
          onAccepted();
        },
        stay: true,
      },
      t('forum.accept_terms'),
    );
    return {
      box: h(
        'div',
        { class: 'notice forum-terms' },
        h('h2', {}, t('forum.terms_title')),
        h(
          'ul',
          {},
          ['1', '2', '3', '4'].map((n) => h('li', {}, t(`forum.terms_${n}`))),
        ),
        button,
      ),
    };
  }
  return { me };
}

function preview(getText) {
  const out = h('div', { class: 'forum-preview', 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      onclick: async () => {
        const text = getText();
        if (!text.trim()) return;
        const answer = await request('/forum/preview', { method: 'POST', body: { body: text } });
        out.replaceChildren(
          h('h3', {}, t('forum.preview')),
          h('div', { class: 'article-body' }, safeHtml(answer.html)),
          answer.masked.length > 0 &&
            h(
              'p',
              { class: 'notice' },
              t('forum.will_mask', { kinds: answer.masked.map((k) => t(`forum.mask_${k}`)).join(', ') }),
            ),
        );
      },
    },
    t('forum.preview'),
  );
  return { button, out };
}

/** #/foro/nuevo?categoria=...: compose a topic with a preview. */
export async function renderCompose(ctx) {
  const gate = await writerGate(() => ctx.rerender());
  const cats = await request('/forum/categories');
  const heading = h('h1', {}, t('forum.new_topic'));
  if (gate.box) return h('section', { class: 'narrow' }, heading, gate.box);
  const values = { category: ctx.query.get('categoria') || '', title: '', body: '', tags: '' };
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('forum.publish'));
  const prev = preview(() => values.body);
  const form = checkedForm(
    {
      check: () => {
        const errors = [];
        if (!values.category) errors.push({ field: 'category', message: t('val.required') });
        if (values.title.trim().length < 5) errors.push({ field: 'title', message: t('forum.title_short') });
        if (!values.body.trim()) errors.push({ field: 'body', message: t('val.required') });
        return errors;
      },
      submit,
      send: async () => {
        const tags = values.tags
          .split(/[,\s]+/)
          .map((x) => x.trim())
          .filter(Boolean);
        const made = await api('/forum/topics', {
          method: 'POST',
          body: { category: values.category, title: values.title.trim(), body: values.body, tags },
        });
        flash(made.notice || t('forum.published'));
        go(`/foro/tema/${made.topic_id}`);
      },
      fail: (error) => {
        if (error instanceof ApiError && error.errors.length) showErrors(form, error.errors);
        else showErrors(form, [{ field: 'body', message: error.message }]);
      },
      stay: true,
    },
    errorSummary(),
    field({
      name: 'category',
      kind: 'select',
      label: t('forum.category'),
      required: true,
      options: cats.items.map((c) => ({ value: c.code, label: c.name })),
      ...bound(values, 'category'),
    }),
    field({ name: 'title', label: t('forum.topic_title'), required: true, ...bound(values, 'title') }),
    field({
      name: 'body',
      kind: 'textarea',
      rows: 8,
      label: t('forum.body'),
      hint: t('forum.body_hint'),
      required: true,
      ...bound(values, 'body'),
    }),
    field({ name: 'tags', label: t('forum.tags'), hint: t('forum.tags_hint'), ...bound(values, 'tags') }),
    h('div', { class: 'actions' }, prev.button, submit),
    status,
    prev.out,
  );
  return h(
    'section',
    { class: 'narrow' },
    heading,
    h('p', { class: 'hint' }, t('forum.public_warning')),
    form,
  );
}

function reportForm(topicId, postId, onDone) {
  const values = { reason: '' };
  const form = checkedForm(
    {
      class: 'forum-report',
      check: () => (!values.reason ? [{ field: 'reason', message: t('val.required') }] : []),
      send: async () => {
        try {
          await api(`/forum/topics/${topicId}/posts/${postId}/report`, {
            method: 'POST',
            body: { reason: values.reason },
          });
          onDone(t('forum.reported'));
        } catch (error) {
          showErrors(form, [{ field: 'reason', message: error.message }]);
        }
      },
    },
    errorSummary(),
    field({
      name: 'reason',
      kind: 'select',
      label: t('forum.report_reason'),
      required: true,
      options: REASONS.map((r) => ({ value: r, label: t(`forum.reason_${r}`) })),
      ...bound(values, 'reason'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('forum.send_report'))),
  );
  return form;
}

function postView(topic, post, me, ctx, onQuote) {
  const status = statusLine();
  const tools = h('div', { class: 'post-tools' });
  const isTopic = post.id === 'topic';
  const mine = me && post.author.id === me.account.account;
  if (me && !mine && post.status === 'published') {
    tools.append(
      h(
        'button',
        {
          type: 'button',
          class: 'btn small',
          onclick: async () => {
            try {
              await api(`/forum/topics/${topic.id}/posts/${post.id}/vote`, { method: 'PUT' });
              ctx.rerender();
            } catch (error) {
              status.textContent = error.message;
            }
          },
        },
        t('forum.useful', { n: post.score }),
      ),
    );
    const reportButton = h(
      'button',
      {
        type: 'button',
        class: 'btn small',
        'aria-expanded': 'false',
        onclick: () => {
          reportButton.setAttribute('aria-expanded', 'true');
          reportButton.after(
            reportForm(topic.id, post.id, (text) => {
              status.textContent = text;
              reportButton.nextSibling.remove();
            }),
          );
        },
      },
      t('forum.report'),
    );
    tools.append(reportButton);
    if (!isTopic && !topic.locked)
      tools.append(
        h('button', { type: 'button', class: 'btn small', onclick: () => onQuote(post) }, t('forum.quote')),
      );
  } else {
    tools.append(h('span', { class: 'score' }, t('forum.useful_count', { n: post.score })));
  }
  if (
    me &&
    !isTopic &&
    topic.author.id === me.account.account &&
    post.status === 'published' &&
    !post.accepted
  ) {
    tools.append(
      h(
        'button',
        {
          type: 'button',
          class: 'btn small',
          onclick: async () => {
            await api(`/forum/topics/${topic.id}/accepted`, { method: 'PUT', body: { post_id: post.id } });
            announce(t('forum.accepted_done'));
            ctx.rerender();
          },
        },
        t('forum.accept'),
      ),
    );
  }
  return h(
    'article',
    { class: `forum-post${post.accepted ? ' accepted' : ''}`, id: `post-${post.id}` },
    h(
      'p',
      { class: 'meta' },
      author(post.author),
      ' · ',
      h('time', { datetime: post.created_at }, fmtDateTime(post.created_at)),
      post.edits > 0 && h('span', {}, ' · ', t('forum.edited')),
    ),
    post.accepted && h('p', { class: 'badge ok' }, t('forum.accepted_answer')),
    post.status !== 'published' &&
      h(
        'p',
        { class: 'notice' },
        t(`forum.post_${post.status}`),
        post.moderation_reason ? ` ${post.moderation_reason}` : '',
      ),
    h('div', { class: 'article-body' }, safeHtml(post.body_html)),
    tools,
    status,
  );
}

/** #/foro/tema/<id>: the topic, its replies and the reply form. */
export async function renderTopic(ctx) {
  const [id] = ctx.params;
  const cursor = ctx.query.get('cursor');
  const topic = await api(`/forum/topics/${id}?${qs({ cursor, limit: 20 })}`);
  const gate = await writerGate(() => ctx.rerender());
  const me = gate.me || null;
  const cats = await request('/forum/categories');
  const category = (cats.items.find((c) => c.code === topic.category) || { name: topic.category }).name;
  const replyValues = { body: '', quote_of: null };
  const quoteNote = h('p', { class: 'hint', hidden: true });
  let replyForm = null;
  const onQuote = (post) => {
    replyValues.quote_of = post.id;
    quoteNote.hidden = false;
    quoteNote.textContent = t('forum.quoting', { name: post.author.name });
    if (replyForm) replyForm.querySelector('textarea').focus();
  };
  if (topic.merged_into) {
    return h(
      'section',
      {},
      h('h1', {}, topic.title),
      h(
        'p',
        { class: 'notice' },
        t('forum.merged'),
        ' ',
        h('a', { href: `#/foro/tema/${topic.merged_into}` }, t('forum.go_merged')),
      ),
    );
  }
  if (me && !topic.locked) {
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('forum.send_reply'));
    const prev = preview(() => replyValues.body);
    replyForm = checkedForm(
      {
        class: 'forum-reply',
        check: () => (!replyValues.body.trim() ? [{ field: 'body', message: t('val.required') }] : []),
        submit,
        send: async () => {
          const body = { body: replyValues.body };
          if (replyValues.quote_of) body.quote_of = replyValues.quote_of;
          const made = await api(`/forum/topics/${id}/replies`, { method: 'POST', body });
          flash(made.notice || t('forum.published'));
          ctx.rerender();
        },
        fail: (error) => {
          showErrors(
            replyForm,
            error.errors && error.errors.length ? error.errors : [{ field: 'body', message: error.message }],
          );
        },
        stay: true,
      },
      h('h2', {}, t('forum.your_reply')),
      errorSummary(),
      quoteNote,
      field({
        name: 'body',
        kind: 'textarea',
        rows: 5,
        label: t('forum.body'),
        hint: t('forum.body_hint'),
        required: true,
        ...bound(replyValues, 'body'),
      }),
      h('div', { class: 'actions' }, prev.button, submit),
      prev.out,
    );
  }
  const followButton =
    me &&
    h(
      'button',
      {
        type: 'button',
        class: 'btn small',
        onclick: async () => {
          await api(`/forum/topics/${id}/follow`, { method: topic.following ? 'DELETE' : 'PUT' });
          announce(t(topic.following ? 'forum.unfollowed' : 'forum.followed'));
          ctx.rerender();
        },
      },
      t(topic.following ? 'forum.unfollow' : 'forum.follow'),
    );
  return h(
    'section',
    { class: 'forum-topic-page' },
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: '#/foro' }, t('forum.title')),
      ' › ',
      h('a', { href: `#/foro/c/${topic.category}` }, category),
    ),
    h('h1', {}, topic.title),
    h(
      'p',
      { class: 'meta' },
      topic.locked && h('span', { class: 'badge' }, t('forum.locked')),
      ' ',
      topic.tags.map((tag) => h('a', { class: 'tag', href: `#/foro/etiqueta/${tag}` }, `#${tag} `)),
      followButton,
    ),
    (topic.help_article || topic.request_type) &&
      h(
        'div',
        { class: 'notice forum-links' },
        topic.help_article &&
          h(
            'p',
            {},
            t('forum.see_help'),
            ' ',
            h('a', { href: `#/ayuda/${topic.help_article}` }, t('forum.help_link')),
          ),
        topic.request_type &&
          h(
            'p',
            {},
            t('forum.is_request'),
            ' ',
            h('a', { href: `#/contacto?tipo=${encodeURIComponent(topic.request_type)}` }, t('forum.file_it')),
          ),
      ),
    topic.accepted_reply_id &&
      editorSession() &&
      h('p', {}, h('a', { class: 'btn', href: `#/agente/foro/tema/${topic.id}` }, t('forum.to_help'))),
    postView(topic, topic.post, me, ctx, onQuote),
    h('h2', {}, t('forum.replies', { n: topic.replies })),
    topic.replies_page.map((r) => postView(topic, r, me, ctx, onQuote)),
    more(topic.next_cursor, `/foro/tema/${id}`),
    topic.locked ? h('p', { class: 'notice' }, t('forum.locked_note')) : replyForm || gate.box,
  );
}

/** #/foro/baja/<token>: the signed link in a forum notice. Opening it changes nothing (mail
 * scanners follow links); the button unfollows the topic. Mail clients POST to the API directly. */
export async function renderUnsubscribe({ params }) {
  const [token] = params;
  const path = `/forum/unsubscribe/${encodeURIComponent(token)}`;
  let look;
  try {
    look = await request(path);
  } catch (e) {
    if (e.status !== 404) throw e;
    return h(
      'section',
      { class: 'optout' },
      h('h1', {}, t('forum.unsub_title')),
      h('p', { role: 'alert' }, e.message),
      h('p', {}, h('a', { href: '#/foro' }, t('forum.title'))),
    );
  }
  const status = statusLine();
  status.setAttribute('tabindex', '-1');
  const topicLink = h('p', {}, h('a', { href: `#/foro/tema/${look.topic_id}` }, look.title));
  if (!look.following) {
    return h(
      'section',
      { class: 'optout' },
      h('h1', {}, t('forum.unsub_title')),
      topicLink,
      h('p', { class: 'notice', role: 'status' }, t('forum.unsub_already')),
    );
  }
  const button = h('button', { type: 'submit', class: 'btn primary' }, t('forum.unsub_confirm'));
  const lead = h('p', { class: 'lead' }, t('forum.unsub_what'));
  const form = checkedForm(
    {
      submit: button,
      send: async () => {
        await request(path, { method: 'POST' });
        lead.remove();
        form.remove();
        status.classList.add('flash');
        status.textContent = t('forum.unsub_done');
        status.focus();
      },
      fail: (error) => {
        status.textContent = error.message;
        status.focus();
      },
      stay: true,
    },
    h('div', { class: 'actions' }, button),
  );
  return h(
    'section',
    { class: 'optout' },
    h('h1', {}, t('forum.unsub_title')),
    lead,
    topicLink,
    form,
    status,
  );
}
