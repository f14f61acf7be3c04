// More service settings for supervisors and admins: goals of the service charter with their current
// compliance (#/agente/ajustes/metas), notification templates with a preview in both languages
// (#/agente/ajustes/plantillas) and delivery problems: suppressed addresses and dead letters with
// redrive (#/agente/ajustes/entregas). What the API refuses shows beside the field.
import { h, dataTable, rowButton } from '../dom.js';
import { catalog, qs } from '../api.js';
import { fmtDateTime, pick, t, LANGUAGES } from '../i18n.js';
import {
  busy,
  clearErrors,
  errorSummary,
  field,
  statusLine,
  bound,
  checkedForm,
  confirmThen,
} from '../forms.js';
import { staffRequest } from './agent.js';
import { guarded, page, showApiError, trackChanges, saveOrCancel } from './console_kit.js';

const MANAGERS = ['supervisor', 'admin'];
const FLASH = 'ventanilla.settings.flash';
const remember = (text) => sessionStorage.setItem(FLASH, text);
function flashOnce() {
  const text = sessionStorage.getItem(FLASH);
  sessionStorage.removeItem(FLASH);
  return text ? h('p', { class: 'flash', role: 'status' }, text) : null;
}
const pct = (x) => (x == null ? '—' : `${Math.round(x * 10) / 10} %`);

// ---- goals (carta de compromisos) ---------------------------------------------------------------

function goalForm(cat, goal, done) {
  const v = goal
    ? {
        name_es: goal.name.es,
        name_en: goal.name.en || '',
        type_code: goal.type_code,
        metric: goal.metric,
        threshold_hours: String(goal.threshold_hours),
        target_pct: String(goal.target_pct),
        period: goal.period,
        public: goal.public,
      }
    : {
        name_es: '',
        name_en: '',
        type_code: '',
        metric: 'first_response',
        threshold_hours: '90',
        target_pct: '90',
        period: 'month',
        public: true,
      };
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'goal-h',
      send: async () => {
        const body = {
          name: { es: v.name_es.trim(), en: v.name_en.trim() || null },
          type_code: v.type_code,
          metric: v.metric,
          threshold_hours: Number(v.threshold_hours),
          target_pct: Number(v.target_pct),
          period: v.period,
          public: v.public,
        };
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          if (goal)
            await staffRequest(`/stats/goals/${goal.id}`, {
              method: 'PUT',
              body: { ...body, version: goal.version },
            });
          else await staffRequest('/stats/goals', { method: 'POST', body });
          tracker.saved();
          remember(t('goals.saved', { name: body.name.es }));
          done();
        } catch (err) {
          busy(button, false);
          if (err.status === 401) throw err;
          const errors = err.errors.map((x) => ({
            ...x,
            field:
              x.field === 'name.es'
                ? 'name_es'
                : x.field === 'name.en'
                  ? 'name_en'
                  : x.field === 'name'
                    ? 'name_es'
                    : x.field,
          }));
          showApiError(
            form,
            { ...err, status: err.status, problem: err.problem, message: err.message, errors },
            done,
          );
        }
      },
    },
    h('h2', { id: 'goal-h' }, goal ? t('goals.edit_title', { name: pick(goal.name) }) : t('goals.new_title')),
    errorSummary(),
    field({ name: 'name_es', label: t('goals.field.name_es'), required: true, ...bound(v, 'name_es') }),
    field({ name: 'name_en', label: t('goals.field.name_en'), ...bound(v, 'name_en') }),
    field({
      name: 'type_code',
      kind: 'select',
      label: t('goals.field.type'),
      required: true,
      options: cat.types.map((x) => ({ value: x.code, label: pick(x.name) })),
      ...bound(v, 'type_code'),
    }),
    field({
      name: 'metric',
      kind: 'select',
      label: t('goals.field.metric'),
      required: true,
      options: ['first_response', 'resolution'].map((m) => ({ value: m, label: t(`goals.metric.${m}`) })),
      ...bound(v, 'metric'),
    }),
    field({
      name: 'threshold_hours',
      kind: 'number',
      label: t('goals.field.threshold'),
      required: true,
      hint: t('goals.field.threshold_hint'),
      ...bound(v, 'threshold_hours'),
    }),
    field({
      name: 'target_pct',
      kind: 'number',
      label: t('goals.field.target'),
      required: true,
      hint: t('goals.field.target_hint'),
      ...bound(v, 'target_pct'),
    }),
    field({
      name: 'period',
      kind: 'select',
      label: t('goals.field.period'),
      required: true,
      options: ['month', 'quarter', 'year'].map((p) => ({ value: p, label: t(`goals.period.${p}`) })),
      ...bound(v, 'period'),
    }),
    field({
      name: 'public',
      kind: 'checkbox',
      label: t('goals.field.public'),
      hint: t('goals.field.public_hint'),
      ...bound(v, 'public'),
    }),
    saveOrCancel(goal ? t('admin.save') : t('goals.create'), () => {
      tracker.saved();
      done();
    }),
  );
  for (const name of ['metric', 'period']) form.querySelector(`[name=${name}] option[value=""]`).remove();
  const tracker = trackChanges(form);
  return form;
}

export const renderGoals = guarded(MANAGERS, 'goals.title', async (ctx, session) => {
  const [list, cat, dash] = await Promise.all([
    staffRequest('/stats/goals'),
    catalog(),
    staffRequest('/stats/dashboard').catch(() => ({ goals: [] })),
  ]);
  const status_ = Object.fromEntries((dash.goals || []).map((s) => [s.goal.id, s]));
  const typeName = Object.fromEntries(cat.types.map((x) => [x.code, pick(x.name)]));
  const slot = h('div', { class: 'editor-slot' });
  const done = () => ctx.rerender();
  const open = (goal) => {
    slot.replaceChildren(goalForm(cat, goal, done));
    slot.querySelector('input').focus();
  };
  const status = statusLine();
  const remove = (goal, button) =>
    confirmThen(t('goals.delete_confirm', { name: pick(goal.name) }), button, status, async () => {
      await staffRequest(`/stats/goals/${goal.id}`, { method: 'DELETE' });
      remember(t('goals.deleted', { name: pick(goal.name) }));
      done();
    });
  const rows = list.items.map((g) => {
    const s = status_[g.id];
    const cur = s && s.current;
    return h(
      'tr',
      {},
      h(
        'th',
        { scope: 'row' },
        pick(g.name),
        g.public ? '' : [' ', h('span', { class: 'badge' }, t('goals.internal'))],
      ),
      h('td', {}, typeName[g.type_code] || g.type_code),
      h(
        'td',
        {},
        t('goals.rule', {
          pct: g.target_pct,
          metric: t(`goals.metric.${g.metric}`),
          h: g.threshold_hours,
          period: t(`goals.period.${g.period}`),
        }),
      ),
      h(
        'td',
        { 'data-testid': 'goal-current' },
        cur && cur.total
          ? [
              pct(cur.pct),
              h('br'),
              h('span', { class: 'muted' }, t('goals.of', { met: cur.met, total: cur.total })),
            ]
          : t('goals.no_data'),
        s && s.on_track != null
          ? [
              ' ',
              h(
                'span',
                { class: `badge ${s.on_track ? 'ok' : 'late'}` },
                t(s.on_track ? 'goals.on_track' : 'goals.off_track'),
              ),
            ]
          : '',
      ),
      h('td', {}, s ? s.trend.map((c) => pct(c.pct)).join(' · ') : '—'),
      h(
        'td',
        { class: 'row-actions' },
        rowButton(t('admin.edit'), t('goals.edit_who', { name: pick(g.name) }), () => open(g)),
        rowButton(t('admin.delete'), t('goals.delete_who', { name: pick(g.name) }), (e) =>
          remove(g, e.currentTarget),
        ),
      ),
    );
  });
  return page(
    session,
    '/agente/ajustes/metas',
    'goals.title',
    flashOnce(),
    h('p', {}, t('goals.lead')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn primary', onclick: () => open(null) }, t('goals.new')),
    ),
    slot,
    status,
    dataTable(
      t('goals.caption'),
      ['name', 'type', 'rule', 'current', 'trend', 'actions'].map((c) => t(`goals.col.${c}`)),
      rows,
      { attrs: { class: 'queue' }, region: t('goals.caption') },
    ),
  );
});

// ---- notification templates ------------------------------------------------------------------------

const PART_ROWS = { subject: 2, text: 8, html: 10, title: 2, body: 5 };

function previewCard(out) {
  return h(
    'article',
    { class: 'notice-preview', lang: out.lang },
    h(
      'h4',
      {},
      out.lang === 'es' ? 'Español' : 'English',
      out.sms_segments ? ` · ${t('templates.segments', { n: out.sms_segments })}` : '',
    ),
    out.subject && h('p', {}, h('strong', {}, `${t('templates.part.subject')}: `), out.subject),
    out.title && h('p', {}, h('strong', {}, `${t('templates.part.title')}: `), out.title),
    h('pre', { class: 'preview-text' }, out.text),
    (out.warnings || []).length
      ? h(
          'ul',
          { class: 'warnings' },
          out.warnings.map((w) => h('li', {}, w)),
        )
      : '',
  );
}

export const renderTemplates = guarded(MANAGERS, 'templates.title', async (ctx, session) => {
  const list = await staffRequest('/admin/notifications/templates');
  const kinds = [...new Set(list.items.map((x) => x.kind))];
  const channels = [...new Set(list.items.map((x) => x.channel))];
  const sel = {
    kind: ctx.query.get('kind') || kinds[0],
    channel: ctx.query.get('channel') || channels[0],
    lang: ctx.query.get('lang') || 'es',
  };
  const chooser = checkedForm(
    {
      class: 'filters admin-form',
      'aria-label': t('templates.choose'),
      send: () => {
        location.hash = `#/agente/ajustes/plantillas?${qs(sel)}`;
      },
    },
    field({
      name: 'kind',
      kind: 'select',
      label: t('templates.kind'),
      options: kinds.map((k) => ({
        value: k,
        label: `${k}${list.items.some((x) => x.kind === k && x.overridden) ? ` (${t('templates.edited')})` : ''}`,
      })),
      ...bound(sel, 'kind'),
    }),
    field({
      name: 'channel',
      kind: 'select',
      label: t('templates.channel'),
      options: channels.map((c) => ({ value: c, label: t(`templates.ch.${c}`) })),
      ...bound(sel, 'channel'),
    }),
    field({
      name: 'lang',
      kind: 'select',
      label: t('templates.lang'),
      options: LANGUAGES,
      ...bound(sel, 'lang'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('templates.open'))),
  );
  for (const s of chooser.querySelectorAll('select')) s.querySelector('option[value=""]').remove();
  for (const el of chooser.querySelectorAll('.opt')) el.remove();
  const tpl = await staffRequest(`/admin/notifications/templates/${sel.kind}/${sel.channel}/${sel.lang}`);
  const parts = { ...tpl.defaults, ...(tpl.override || {}) };
  const previews = h('div', { class: 'previews', 'aria-live': 'polite', 'data-testid': 'template-previews' });
  const status = statusLine();
  const body = () => Object.fromEntries(Object.keys(tpl.defaults).map((p) => [p, parts[p]]));
  const showPreview = async () => {
    clearErrors(form);
    try {
      const other = sel.lang === 'es' ? 'en' : 'es';
      const [mine, theirs] = await Promise.all([
        staffRequest('/admin/notifications/preview', {
          method: 'POST',
          body: { kind: sel.kind, channel: sel.channel, lang: sel.lang, parts: body() },
        }),
        staffRequest('/admin/notifications/preview', {
          method: 'POST',
          body: { kind: sel.kind, channel: sel.channel, lang: other },
        }),
      ]);
      const ordered = sel.lang === 'es' ? [mine, theirs] : [theirs, mine];
      previews.replaceChildren(
        h('h3', {}, t('templates.preview_title')),
        h('p', { class: 'hint' }, t('templates.preview_hint')),
        ...ordered.map(previewCard),
      );
    } catch (err) {
      if (err.status === 401) throw err;
      showApiError(form, err);
    }
  };
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'tpl-h',
      submit: true,
      send: async () => {
        await staffRequest(`/admin/notifications/templates/${sel.kind}/${sel.channel}/${sel.lang}`, {
          method: 'PUT',
          body: body(),
          headers: { 'If-Match': `"${tpl.version || 0}"` },
        });
        tracker.saved();
        remember(t('templates.saved'));
        ctx.rerender();
      },
      fail: (err) => {
        if (err.status === 401) throw err;
        showApiError(form, err, () => ctx.rerender());
      },
      stay: true,
    },
    h(
      'h2',
      { id: 'tpl-h' },
      t('templates.edit_title', {
        kind: sel.kind,
        channel: t(`templates.ch.${sel.channel}`),
        lang: sel.lang.toUpperCase(),
      }),
    ),
    h(
      'p',
      { class: 'hint' },
      tpl.override
        ? t('templates.is_edited', { by: tpl.updated_by, at: fmtDateTime(tpl.updated_at) })
        : t('templates.is_default'),
    ),
    errorSummary(),
    Object.keys(tpl.defaults).map((p) =>
      field({
        name: `parts.${p}`,
        kind: 'textarea',
        rows: PART_ROWS[p] || 4,
        label: t(`templates.part.${p}`),
        value: parts[p],
        onInput: (x) => {
          parts[p] = x;
        },
      }),
    ),
    status,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('admin.save')),
      h('button', { type: 'button', class: 'btn', onclick: showPreview }, t('templates.preview')),
      tpl.override &&
        h(
          'button',
          {
            type: 'button',
            class: 'btn link',
            onclick: async (e) => {
              if (!window.confirm(t('templates.reset_confirm'))) return;
              busy(e.currentTarget, true);
              try {
                await staffRequest(`/admin/notifications/templates/${sel.kind}/${sel.channel}/${sel.lang}`, {
                  method: 'DELETE',
                });
                tracker.saved();
                remember(t('templates.reset_done'));
                ctx.rerender();
              } catch (err) {
                status.textContent = err.message;
              }
            },
          },
          t('templates.reset'),
        ),
    ),
  );
  for (const el of form.querySelectorAll('textarea')) {
    el.classList.add('code');
    el.setAttribute('spellcheck', 'false');
  }
  const tracker = trackChanges(form);
  showPreview();
  return page(
    session,
    '/agente/ajustes/plantillas',
    'templates.title',
    flashOnce(),
    h('p', {}, t('templates.lead')),
    chooser,
    h('div', { class: 'editor-cols' }, form, previews),
  );
});

// ---- delivery problems: suppressions and dead letters ------------------------------------------------

export const renderDelivery = guarded(MANAGERS, 'delivery.title', async (ctx, session) => {
  const cursor = ctx.query.get('cursor');
  const [sup, dead] = await Promise.all([
    staffRequest(`/admin/notifications/suppressions?${qs({ limit: 50, cursor })}`),
    staffRequest('/admin/notifications/dead-letters?limit=20'),
  ]);
  const status = statusLine();
  const lift = (item, button) =>
    confirmThen(t('delivery.lift_confirm', { who: item.masked }), button, status, async () => {
      await staffRequest(`/admin/notifications/suppressions/${item.id}`, { method: 'DELETE' });
      remember(t('delivery.lifted', { who: item.masked }));
      ctx.rerender();
    });
  const v = { limit: String(Math.max(1, Math.min(dead.depth || 1, 1000))) };
  const redrive = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'redrive-h',
      submit: true,
      send: async () => {
        const out = await staffRequest('/admin/notifications/dead-letters/redrive', {
          method: 'POST',
          body: { limit: Number(v.limit) },
        });
        remember(t('delivery.redriven', { n: out.moved }));
        ctx.rerender();
      },
      fail: (err) => {
        if (err.status === 401) throw err;
        showApiError(redrive, err);
      },
      stay: true,
    },
    h('h3', { id: 'redrive-h' }, t('delivery.redrive_title')),
    h('p', { class: 'hint' }, t('delivery.redrive_lead')),
    errorSummary(),
    field({
      name: 'limit',
      kind: 'number',
      label: t('delivery.redrive_limit'),
      required: true,
      hint: t('delivery.redrive_hint'),
      ...bound(v, 'limit'),
    }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('delivery.redrive')),
    ),
  );
  return page(
    session,
    '/agente/ajustes/entregas',
    'delivery.title',
    flashOnce(),
    h('p', {}, t('delivery.lead')),
    status,
    h(
      'section',
      { 'aria-labelledby': 'dead-h' },
      h('h2', { id: 'dead-h' }, t('delivery.dead_title')),
      h('p', { 'data-testid': 'dead-depth' }, t('delivery.depth', { n: dead.depth })),
      dead.items.length > 0 &&
        dataTable(
          t('delivery.dead_caption'),
          ['event', 'number', 'tries', 'sent'].map((c) => t(`delivery.col.${c}`)),
          dead.items.map((x) =>
            h(
              'tr',
              {},
              h('td', {}, x.detail_type || '—'),
              h('td', {}, x.number ? h('a', { href: `#/agente/solicitud/${x.number}` }, x.number) : '—'),
              h('td', {}, String(x.receive_count ?? '—')),
              h('td', {}, x.sent_at ? fmtDateTime(x.sent_at) : '—'),
            ),
          ),
          { attrs: { class: 'queue' }, region: t('delivery.dead_title') },
        ),
      redrive,
    ),
    h(
      'section',
      { 'aria-labelledby': 'sup-h' },
      h('h2', { id: 'sup-h' }, t('delivery.sup_title')),
      h('p', { class: 'hint' }, t('delivery.sup_lead')),
      sup.items.length
        ? dataTable(
            t('delivery.sup_caption'),
            ['who', 'channel', 'reason', 'at', 'actions'].map((c) => t(`delivery.col.${c}`)),
            sup.items.map((x) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, x.masked),
                h('td', {}, x.channel),
                h('td', {}, x.reason),
                h('td', {}, fmtDateTime(x.at)),
                h(
                  'td',
                  { class: 'row-actions' },
                  rowButton(t('delivery.lift'), t('delivery.lift_who', { who: x.masked }), (e) =>
                    lift(x, e.currentTarget),
                  ),
                ),
              ),
            ),
            { attrs: { class: 'queue' }, region: t('delivery.sup_title') },
          )
        : h('p', {}, t('delivery.sup_none')),
      sup.next_cursor &&
        h(
          'p',
          {},
          h(
            'a',
            { href: `#/agente/ajustes/entregas?${qs({ cursor: sup.next_cursor })}` },
            t('delivery.more'),
          ),
        ),
    ),
  );
});
