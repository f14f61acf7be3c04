// The console's forum tools beyond the queue: one topic's moderation (#/agente/foro/moderar/<id>:
// move, merge into a duplicate, lock or reopen; warn, suspend for some days, ban or unban its
// author or the account named in ?cuenta=), the word and link rules (#/agente/foro/reglas) and the
// categories (#/agente/foro/categorias, admins). Every moderation action asks for the reason the
// author will see; the API refuses one without it.
import { h, announce, dataTable } from '../dom.js';
import { fmtDateTime, t } from '../i18n.js';
import { busy, errorSummary, field, showErrors, statusLine, bound, checkedForm } from '../forms.js';
import { staffRequest } from './agent.js';
import { guarded, page, showApiError } from './console_kit.js';

const MODS = ['moderator', 'admin'];
const TOPIC_ID = /t[0-9]{17}[0-9a-f]{6}/;
let flash = null; // what the last action did, shown once above the screen it re-drew

/** "Acción registrada: Mover" above a re-drawn screen (the forms it came from are new). */
function flashLine() {
  const text = flash;
  flash = null;
  if (text) for (const old of document.querySelectorAll('[data-testid=mod-done]')) old.remove(); // one at a time
  return text ? h('p', { class: 'notice ok', role: 'status', 'data-testid': 'mod-done' }, text) : null;
}

/** One action as a form of its own: its fields, the reason the author sees, and its button. */
function actionForm({ name, title, lead, fields = [], submitLabel, danger = false, send, onDone }) {
  const values = { reason: '' };
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: danger ? 'btn danger' : 'btn primary' }, submitLabel);
  const form = checkedForm(
    {
      class: 'admin-form mod-action',
      'data-action': name,
      'aria-labelledby': `h-act-${name}`,
      send: async () => {
        const errors = [];
        if (values.reason.trim().length < 3)
          errors.push({ field: 'reason', message: t('forum.mod.reason_needed') });
        for (const f of fields) {
          const problem = f.check ? f.check(values[f.name]) : null;
          if (problem) errors.push({ field: f.name, message: problem });
        }
        if (errors.length) {
          showErrors(form, errors);
          return;
        }
        busy(submit, true);
        try {
          const out = await send({ ...values, reason: values.reason.trim() });
          busy(submit, false);
          status.textContent = t('forum.mod.done');
          announce(t('forum.mod.done'));
          flash = `${t('forum.mod.done')} ${t(`forum.mod.action_${name}`)}: ${values.reason.trim()}`;
          if (onDone) onDone(out);
        } catch (error) {
          busy(submit, false);
          if (error.status === 401) throw error;
          if (error.status === 409) {
            showErrors(form, [{ field: null, message: t('forum.tools.already') }]);
            return;
          }
          showApiError(form, error);
        }
      },
    },
    h('h3', { id: `h-act-${name}` }, title),
    lead && h('p', { class: 'hint' }, lead),
    errorSummary(),
    fields.map((f) => {
      values[f.name] = f.value ?? '';
      return field({
        ...f,
        onInput: (v) => {
          values[f.name] = v;
        },
      });
    }),
    field({
      name: 'reason',
      kind: 'textarea',
      rows: 2,
      label: t('forum.mod.reason'),
      hint: t('forum.tools.reason_hint'),
      required: true,
      ...bound(values, 'reason'),
    }),
    h('div', { class: 'actions' }, submit),
    status,
  );
  return form;
}

function accountSummary(acct) {
  const state =
    acct.status === 'suspended' && acct.suspended_until
      ? t('forum.tools.suspended_until', { when: fmtDateTime(acct.suspended_until) })
      : t(`forum.tools.status_${acct.status}`);
  return h(
    'dl',
    { class: 'facts', 'data-testid': 'account-state' },
    h('dt', {}, t('forum.tools.account_status')),
    h('dd', {}, state),
    h('dt', {}, t('forum.tools.warnings')),
    h('dd', {}, String(acct.warnings)),
    h('dt', {}, t('forum.tools.published')),
    h('dd', {}, String(acct.published)),
  );
}

export const renderTopicTools = guarded(MODS, 'forum.tools.title', async (ctx, session) => {
  const [id] = ctx.params;
  const [topic, cats] = await Promise.all([
    staffRequest(`/forum/topics/${id}?limit=50`),
    staffRequest('/forum/categories'),
  ]);
  const done = flashLine(); // a topic action re-draws the whole screen
  const authors = new Map([
    [topic.author.id, topic.author],
    ...topic.replies_page.map((r) => [r.author.id, r.author]),
  ]);
  const wanted = ctx.query.get('cuenta');
  const who = authors.get(wanted) || topic.author;
  const reload = () => ctx.rerender();
  const catName = (code) => (cats.items.find((c) => c.code === code) || { name: code }).name;
  const topicPath = `/forum/moderation/topics/${id}`;
  const post = (path, body) => staffRequest(path, { method: 'POST', body });

  const topicForms = [
    actionForm({
      name: 'move',
      title: t('forum.tools.move'),
      submitLabel: t('forum.tools.move_do'),
      fields: [
        {
          name: 'category',
          kind: 'select',
          label: t('forum.tools.move_to'),
          required: true,
          options: cats.items
            .filter((c) => c.code !== topic.category)
            .map((c) => ({ value: c.code, label: c.name })),
          check: (v) => (v ? null : t('forum.tools.choose_category')),
        },
      ],
      send: (v) => post(`${topicPath}/move`, { category: v.category, reason: v.reason }),
      onDone: reload,
    }),
    actionForm({
      name: 'merge',
      title: t('forum.tools.merge'),
      lead: t('forum.tools.merge_lead'),
      submitLabel: t('forum.tools.merge_do'),
      danger: true,
      fields: [
        {
          name: 'into',
          label: t('forum.tools.merge_into'),
          hint: t('forum.tools.merge_into_hint'),
          required: true,
          check: (v) => {
            const m = TOPIC_ID.exec(v || '');
            return !m ? t('forum.tools.merge_bad') : m[0] === id ? t('forum.tools.merge_self') : null;
          },
        },
      ],
      send: (v) => post(`${topicPath}/merge`, { into: TOPIC_ID.exec(v.into)[0], reason: v.reason }),
      onDone: reload,
    }),
    actionForm({
      name: topic.locked ? 'unlock' : 'lock',
      title: t(topic.locked ? 'forum.tools.unlock' : 'forum.tools.lock'),
      submitLabel: t(topic.locked ? 'forum.tools.unlock' : 'forum.tools.lock'),
      send: (v) => post(`${topicPath}/${topic.locked ? 'unlock' : 'lock'}`, { reason: v.reason }),
      onDone: reload,
    }),
  ];

  const accountBox = h('div', { 'data-testid': 'account-tools' });
  const showAccount = async () => {
    const acct = await staffRequest(`/forum/moderation/accounts/${encodeURIComponent(who.id)}`);
    const acctPath = `/forum/moderation/accounts/${encodeURIComponent(who.id)}`;
    const after = () => {
      showAccount().catch(() => {});
    };
    accountBox.replaceChildren(
      flashLine() || '',
      accountSummary(acct),
      h(
        'div',
        { class: 'mod-actions' },
        actionForm({
          name: 'warn',
          title: t('forum.tools.warn'),
          lead: t('forum.tools.warn_lead'),
          submitLabel: t('forum.tools.warn_do'),
          send: (v) => post(`${acctPath}/warn`, { reason: v.reason }),
          onDone: after,
        }),
        actionForm({
          name: 'suspend',
          title: t('forum.tools.suspend'),
          lead: t('forum.tools.suspend_lead'),
          submitLabel: t('forum.tools.suspend_do'),
          fields: [
            {
              name: 'days',
              kind: 'number',
              label: t('forum.tools.days'),
              hint: t('forum.tools.days_hint'),
              required: true,
              value: '7',
              inputmode: 'numeric',
              check: (v) =>
                /^[0-9]{1,3}$/.test(String(v).trim()) && +v >= 1 && +v <= 365
                  ? null
                  : t('forum.tools.days_bad'),
            },
          ],
          send: (v) => post(`${acctPath}/suspend`, { days: Number(v.days), reason: v.reason }),
          onDone: after,
        }),
        acct.status === 'banned'
          ? actionForm({
              name: 'unban',
              title: t('forum.tools.unban'),
              submitLabel: t('forum.tools.unban'),
              send: (v) => post(`${acctPath}/unban`, { reason: v.reason }),
              onDone: after,
            })
          : actionForm({
              name: 'ban',
              title: t('forum.tools.ban'),
              lead: t('forum.tools.ban_lead'),
              submitLabel: t('forum.tools.ban_do'),
              danger: true,
              send: (v) => post(`${acctPath}/ban`, { reason: v.reason }),
              onDone: after,
            }),
      ),
    );
  };
  await showAccount();

  const pickAuthor =
    authors.size > 1 &&
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (e) => {
          e.preventDefault();
          const chosen = e.target.querySelector('[name=cuenta]').value;
          location.hash = `#/agente/foro/moderar/${id}?cuenta=${encodeURIComponent(chosen)}`;
        },
      },
      field({
        name: 'cuenta',
        kind: 'select',
        label: t('forum.tools.pick_author'),
        required: true,
        value: who.id,
        options: [...authors.values()].map((a) => ({
          value: a.id,
          label: `${a.name}${a.kind === 'staff' ? ` (${t('forum.tools.staff')})` : ''}`,
        })),
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('forum.tools.show'))),
    );

  return page(
    session,
    '/agente/foro',
    'forum.tools.title',
    h('p', {}, h('a', { href: '#/agente/foro' }, t('forum.tools.back'))),
    done,
    h(
      'section',
      { 'aria-labelledby': 'h-topic' },
      h('h2', { id: 'h-topic' }, h('a', { href: `#/foro/tema/${id}` }, topic.title)),
      h(
        'dl',
        { class: 'facts', 'data-testid': 'topic-state' },
        h('dt', {}, t('forum.tools.category')),
        h('dd', {}, catName(topic.category)),
        h('dt', {}, t('forum.tools.state')),
        h(
          'dd',
          {},
          [
            t(`forum.tools.post_${topic.status}`),
            topic.locked ? ` · ${t('forum.tools.locked')}` : '',
            topic.merged_into ? ` · ${t('forum.tools.merged')}` : '',
          ].join(''),
        ),
        h('dt', {}, t('forum.tools.author')),
        h('dd', {}, topic.author.name),
      ),
      topic.merged_into
        ? h(
            'p',
            {},
            t('forum.tools.merged_into'),
            ' ',
            h('a', { href: `#/agente/foro/moderar/${topic.merged_into}` }, topic.merged_into),
          )
        : h('div', { class: 'mod-actions' }, topicForms),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-account' },
      h('h2', { id: 'h-account' }, t('forum.tools.account', { name: who.name })),
      pickAuthor,
      accountBox,
    ),
  );
});

const lines = (text) =>
  text
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

export const renderRules = guarded(MODS, 'forum.rules.title', async (ctx, session) => {
  const rules = await staffRequest('/admin/forum/rules');
  const values = {
    words: rules.words.join('\n'),
    allowed_domains: rules.allowed_domains.join('\n'),
    link_policy: rules.link_policy,
    hold_first_posts: String(rules.hold_first_posts),
    posts_per_hour: String(rules.posts_per_hour),
  };
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('forum.rules.save'));
  const number = (name, lo, hi) => (v) =>
    /^[0-9]{1,4}$/.test(String(v).trim()) && +v >= lo && +v <= hi
      ? null
      : t('forum.rules.between', { lo, hi });
  const checks = {
    hold_first_posts: number('hold_first_posts', 0, 20),
    posts_per_hour: number('posts_per_hour', 1, 1000),
  };
  const form = checkedForm(
    {
      class: 'admin-form',
      send: async () => {
        const errors = Object.entries(checks)
          .map(([k, c]) => (c(values[k]) ? { field: k, message: c(values[k]) } : null))
          .filter(Boolean);
        if (errors.length) {
          showErrors(form, errors);
          return;
        }
        busy(submit, true);
        try {
          await staffRequest('/admin/forum/rules', {
            method: 'PUT',
            body: {
              words: lines(values.words),
              allowed_domains: lines(values.allowed_domains).map((d) => d.toLowerCase()),
              link_policy: values.link_policy,
              hold_first_posts: Number(values.hold_first_posts),
              posts_per_hour: Number(values.posts_per_hour),
            },
          });
          busy(submit, false);
          status.textContent = t('forum.rules.saved');
          announce(t('forum.rules.saved'));
        } catch (error) {
          busy(submit, false);
          if (error.status === 401) throw error;
          showApiError(form, error);
        }
      },
    },
    errorSummary(),
    field({
      name: 'words',
      kind: 'textarea',
      rows: 6,
      label: t('forum.rules.words'),
      hint: t('forum.rules.words_hint'),
      ...bound(values, 'words'),
    }),
    field({
      name: 'link_policy',
      kind: 'select',
      label: t('forum.rules.link_policy'),
      required: true,
      options: ['allow', 'hold', 'block'].map((p) => ({ value: p, label: t(`forum.rules.policy_${p}`) })),
      ...bound(values, 'link_policy'),
    }),
    field({
      name: 'allowed_domains',
      kind: 'textarea',
      rows: 4,
      label: t('forum.rules.domains'),
      hint: t('forum.rules.domains_hint'),
      ...bound(values, 'allowed_domains'),
    }),
    field({
      name: 'hold_first_posts',
      kind: 'number',
      label: t('forum.rules.hold'),
      hint: t('forum.rules.hold_hint'),
      required: true,
      ...bound(values, 'hold_first_posts'),
    }),
    field({
      name: 'posts_per_hour',
      kind: 'number',
      label: t('forum.rules.rate'),
      hint: t('forum.rules.rate_hint'),
      required: true,
      ...bound(values, 'posts_per_hour'),
    }),
    h('div', { class: 'actions' }, submit),
    status,
  );
  const policy = form.querySelector('[name=link_policy] option[value=""]');
  if (policy) policy.remove();
  return page(
    session,
    '/agente/foro',
    'forum.rules.title',
    h('p', {}, h('a', { href: '#/agente/foro' }, t('forum.tools.back'))),
    h('p', { class: 'hint' }, t('forum.rules.lead')),
    form,
  );
});

export const renderCategories = guarded(['admin'], 'forum.cats.title', async (ctx, session) => {
  const [es, en] = await Promise.all([
    staffRequest('/forum/categories?lang=es'),
    staffRequest('/forum/categories?lang=en'),
  ]);
  const english = Object.fromEntries(en.items.map((c) => [c.code, c]));
  const cats = es.items.map((c) => ({
    code: c.code,
    name_es: c.name,
    name_en: (english[c.code] || c).name,
    description_es: c.description || '',
    description_en: (english[c.code] || c).description || '',
    help_section: c.help_section || '',
    position: String(c.position),
  }));
  const chosen = cats.find((c) => c.code === ctx.query.get('codigo'));
  const values = chosen
    ? { ...chosen }
    : {
        code: '',
        name_es: '',
        name_en: '',
        description_es: '',
        description_en: '',
        help_section: '',
        position: '100',
      };
  const status = statusLine();
  const submit = h(
    'button',
    { type: 'submit', class: 'btn primary' },
    t(chosen ? 'forum.cats.save' : 'forum.cats.create'),
  );
  const form = checkedForm(
    {
      class: 'admin-form',
      send: async () => {
        const code = values.code.trim();
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(code)) {
          showErrors(form, [{ field: 'code', message: t('forum.cats.code_bad') }]);
          return;
        }
        busy(submit, true);
        try {
          await staffRequest(`/admin/forum/categories/${code}`, {
            method: 'PUT',
            body: {
              code,
              name_es: values.name_es.trim(),
              name_en: values.name_en.trim(),
              description_es: values.description_es.trim(),
              description_en: values.description_en.trim(),
              help_section: values.help_section.trim() || null,
              position: Number(values.position || 100),
            },
          });
          announce(t('forum.cats.saved'));
          if (location.hash === '#/agente/foro/categorias') ctx.rerender();
          else location.hash = '#/agente/foro/categorias';
        } catch (error) {
          busy(submit, false);
          if (error.status === 401) throw error;
          showApiError(form, error);
        }
      },
    },
    h('h2', {}, t(chosen ? 'forum.cats.edit' : 'forum.cats.new')),
    errorSummary(),
    chosen
      ? h('p', {}, t('forum.cats.code'), ': ', h('code', {}, chosen.code))
      : field({
          name: 'code',
          label: t('forum.cats.code'),
          hint: t('forum.cats.code_hint'),
          required: true,
          ...bound(values, 'code'),
        }),
    ['name_es', 'name_en', 'description_es', 'description_en', 'help_section', 'position'].map((name) =>
      field({
        name,
        label: t(`forum.cats.${name}`),
        kind: name === 'position' ? 'number' : name.startsWith('description') ? 'textarea' : 'text',
        rows: 2,
        required: name.startsWith('name'),
        value: values[name],
        onInput: (v) => {
          values[name] = v;
        },
      }),
    ),
    h(
      'div',
      { class: 'actions' },
      submit,
      chosen && h('a', { class: 'btn', href: '#/agente/foro/categorias' }, t('forum.cats.cancel')),
    ),
    status,
  );
  return page(
    session,
    '/agente/foro',
    'forum.cats.title',
    h('p', {}, h('a', { href: '#/agente/foro' }, t('forum.tools.back'))),
    dataTable(
      t('forum.cats.list'),
      ['code', 'name_es', 'name_en', 'position', 'edit'].map((c) => t(`forum.cats.col_${c}`)),
      cats.map((c) =>
        h(
          'tr',
          { 'data-code': c.code },
          h('td', {}, h('code', {}, c.code)),
          h('td', {}, c.name_es),
          h('td', { lang: 'en' }, c.name_en),
          h('td', {}, c.position),
          h(
            'td',
            {},
            h(
              'a',
              {
                href: `#/agente/foro/categorias?codigo=${c.code}`,
                'aria-label': t('forum.cats.edit_one', { name: c.name_es }),
              },
              t('forum.cats.edit'),
            ),
          ),
        ),
      ),
    ),
    form,
  );
});
