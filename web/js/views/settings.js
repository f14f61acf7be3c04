// Service settings for supervisors and admins: canned responses (#/agente/ajustes/respuestas),
// routing rules with the dry run (#/agente/ajustes/asignacion), the business calendar with the
// "when would this be due?" calculator (#/agente/ajustes/calendario) and the SLA policy
// (#/agente/ajustes/sla). What the API refuses shows beside the field, in the page's language.
import { h, announce, dataTable, rowButton } from '../dom.js';
import { catalog } from '../api.js';
import { fmtDateTime, pick, t, LANGUAGES } from '../i18n.js';
import {
  busy,
  errorSummary,
  field,
  setError,
  statusLine,
  bound,
  checkedForm,
  confirmThen,
} from '../forms.js';
import { staffRequest } from './agent.js';
import { guarded, page, showApiError, trackChanges, saveOrCancel } from './console_kit.js';

const MANAGERS = ['supervisor', 'admin'];
const CHANNELS = ['web', 'email', 'sms', 'phone', 'in_person', 'letter', 'chat', 'monitoring', 'api'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const DAYS = [1, 2, 3, 4, 5, 6, 7];

function flashOnce(key) {
  const text = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  return text ? h('p', { class: 'flash', role: 'status' }, text) : null;
}
const FLASH = 'ventanilla.settings.flash';
const remember = (text) => sessionStorage.setItem(FLASH, text);

// ---- canned responses ----------------------------------------------------------------------------

function cannedForm(cat, item, placeholders, done) {
  const v = item
    ? {
        title: item.title,
        body: item.body,
        language: item.language,
        team: item.team || '',
        type_code: item.type_code || '',
        status: item.status || '',
      }
    : { title: '', body: '', language: 'es', team: '', type_code: '', status: '' };
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'canned-h',
      send: async () => {
        const body = {
          title: v.title.trim(),
          body: v.body,
          language: v.language || 'es',
          team: v.team || null,
          type_code: v.type_code || null,
          status: v.status || null,
        };
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          if (item) await staffRequest(`/admin/canned/${item.id}`, { method: 'PUT', body });
          else await staffRequest('/admin/canned', { method: 'POST', body });
          tracker.saved();
          remember(t('canned.saved', { title: body.title }));
          done();
        } catch (err) {
          busy(button, false);
          if (err.status === 401) throw err;
          showApiError(form, err, done);
        }
      },
    },
    h('h2', { id: 'canned-h' }, item ? t('canned.edit_title', { title: item.title }) : t('canned.new_title')),
    errorSummary(),
    field({ name: 'title', label: t('canned.field.title'), required: true, ...bound(v, 'title') }),
    field({
      name: 'body',
      kind: 'textarea',
      rows: 7,
      label: t('canned.field.body'),
      required: true,
      hint: t('canned.placeholders', {
        list: Object.entries(placeholders)
          .map(([k, v]) => `{${k}} (${pick(v)})`)
          .join(', '),
      }),
      ...bound(v, 'body'),
    }),
    field({
      name: 'language',
      kind: 'select',
      label: t('canned.field.language'),
      required: true,
      options: LANGUAGES,
      ...bound(v, 'language'),
    }),
    field({
      name: 'team',
      kind: 'select',
      label: t('canned.field.team'),
      options: (cat.teams || []).map((x) => ({ value: x.code, label: pick(x.name) })),
      ...bound(v, 'team'),
    }),
    field({
      name: 'type_code',
      kind: 'select',
      label: t('canned.field.type'),
      options: cat.types.map((x) => ({ value: x.code, label: pick(x.name) })),
      ...bound(v, 'type_code'),
    }),
    field({
      name: 'status',
      kind: 'select',
      label: t('canned.field.status'),
      hint: t('canned.field.status_hint'),
      options: ['waiting_citizen', 'resolved'].map((s) => ({ value: s, label: t(`ticket.status.${s}`) })),
      ...bound(v, 'status'),
    }),
    saveOrCancel(item ? t('admin.save') : t('canned.create'), () => {
      tracker.saved();
      done();
    }),
  );
  form.querySelector('[name=language] option[value=""]').remove();
  form.querySelector('[name=team] option[value=""]').textContent = t('canned.any_team');
  form.querySelector('[name=type_code] option[value=""]').textContent = t('canned.any_type');
  form.querySelector('[name=status] option[value=""]').textContent = t('canned.field.status_none');
  const tracker = trackChanges(form);
  return form;
}

export const renderCanned = guarded(MANAGERS, 'canned.title', async (ctx, session) => {
  const [list, cat] = await Promise.all([staffRequest('/admin/canned'), catalog()]);
  const teamName = Object.fromEntries((cat.teams || []).map((x) => [x.code, pick(x.name)]));
  const typeName = Object.fromEntries(cat.types.map((x) => [x.code, pick(x.name)]));
  const slot = h('div', { class: 'editor-slot' });
  const done = () => ctx.rerender();
  const open = (item) => {
    slot.replaceChildren(cannedForm(cat, item, list.placeholders || {}, done));
    slot.querySelector('input').focus();
  };
  const status = statusLine();
  const remove = (item, button) =>
    confirmThen(t('canned.delete_confirm', { title: item.title }), button, status, async () => {
      await staffRequest(`/admin/canned/${item.id}`, { method: 'DELETE' });
      remember(t('canned.deleted', { title: item.title }));
      done();
    });
  const rows = list.items.map((c) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, c.title),
      h('td', {}, c.language),
      h('td', {}, c.team ? teamName[c.team] || c.team : t('canned.any_team')),
      h('td', {}, c.type_code ? typeName[c.type_code] || c.type_code : t('canned.any_type')),
      h('td', {}, c.updated_by, h('br'), h('span', { class: 'muted' }, fmtDateTime(c.updated_at))),
      h(
        'td',
        { class: 'row-actions' },
        rowButton(t('admin.edit'), t('canned.edit_who', { title: c.title }), () => open(c)),
        rowButton(t('admin.delete'), t('canned.delete_who', { title: c.title }), (e) =>
          remove(c, e.currentTarget),
        ),
      ),
    ),
  );
  return page(
    session,
    '/agente/ajustes/respuestas',
    'canned.title',
    flashOnce(FLASH),
    h('p', {}, t('canned.lead')),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn primary', onclick: () => open(null) }, t('canned.new')),
    ),
    slot,
    status,
    dataTable(
      t('canned.caption'),
      ['title', 'language', 'team', 'type', 'updated', 'actions'].map((c) => t(`canned.col.${c}`)),
      rows,
      { attrs: { class: 'queue' }, region: t('canned.caption') },
    ),
  );
});

// ---- JSON editors (routing rules, SLA policy) ----------------------------------------------------

/** A settings document edited as JSON: parse errors and the API's field errors are listed by path. */
function jsonEditor({ id, titleKey, hintKey, value, path, onSaved, onReload }) {
  // The version read travels beside the document, not in it: a save from a stale one is refused
  // (409) and shown as "someone else changed this; reload".
  let { version } = value;
  const { version: _read, ...doc } = value;
  let text = JSON.stringify(doc, null, 2);
  const status = statusLine();
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': `${id}-h`,
      send: async () => {
        status.textContent = '';
        let body;
        try {
          body = JSON.parse(text);
        } catch (err) {
          showApiError(form, {
            status: 400,
            problem: {},
            errors: [{ field: 'document', message: t('settings.bad_json', { detail: err.message }) }],
          });
          return;
        }
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          const saved = await staffRequest(path, { method: 'PUT', body: { ...body, version } });
          version = saved.version;
          tracker.saved();
          busy(button, false);
          status.textContent = t('settings.saved');
          announce(t('settings.saved'));
          if (onSaved) onSaved(body);
        } catch (err) {
          busy(button, false);
          if (err.status === 401) throw err;
          showApiError(
            form,
            err,
            onReload &&
              (() => {
                tracker.saved();
                onReload();
              }),
          );
          // Every refusal also beside the document, each with the path of the value it is about.
          if (err.status !== 409 && err.errors && err.errors.length) {
            setError(form, 'document', err.errors.map((x) => `${x.field}: ${x.message}`).join(' · '));
          }
        }
      },
    },
    h('h2', { id: `${id}-h` }, t(titleKey)),
    errorSummary(),
    field({
      name: 'document',
      kind: 'textarea',
      rows: 18,
      label: t('settings.document'),
      hint: t(hintKey),
      value: text,
      onInput: (x) => {
        text = x;
      },
    }),
    status,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('admin.save'))),
  );
  form.querySelector('textarea').classList.add('code');
  form.querySelector('textarea').setAttribute('spellcheck', 'false');
  const tracker = trackChanges(form);
  return form;
}

export const renderRouting = guarded(MANAGERS, 'routing.title', async (ctx, session) => {
  const [rules, cat] = await Promise.all([staffRequest('/admin/routing/rules'), catalog()]);
  const sample = { type: '', subtype: '', channel: 'web', priority: 'medium', subject: '', description: '' };
  const result = h('div', { class: 'dry-result', 'aria-live': 'polite' });
  const subtypeField = field({
    name: 'subtype',
    kind: 'select',
    label: t('routing.subtype'),
    required: true,
    options: [],
    ...bound(sample, 'subtype'),
  });
  const fillSubtypes = () => {
    const type = cat.types.find((x) => x.code === sample.type);
    const select = subtypeField.control;
    select.replaceChildren(
      h('option', { value: '' }, t('form.choose')),
      ...(type ? type.subtypes : []).map((s) => h('option', { value: s.code }, pick(s.name))),
    );
    sample.subtype = '';
  };
  const dry = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'dry-h',
      submit: true,
      send: async () => {
        const out = await staffRequest('/admin/routing/dry-run', { method: 'POST', body: sample });
        const a = out.actions || {};
        result.replaceChildren(
          h('h3', {}, out.matched ? t('routing.matched', { rule: out.matched }) : t('routing.no_match')),
          out.matched
            ? h(
                'p',
                {},
                t('routing.actions', {
                  team: a.team || '—',
                  tier: a.tier || '—',
                  priority: a.priority ? t(`priority.${a.priority}`) : '—',
                }),
              )
            : '',
          h(
            'ul',
            {},
            out.checks.map((c) =>
              h(
                'li',
                {},
                `${c.rule}: `,
                c.matched ? t('routing.check_yes') : t('routing.check_no'),
                c.reasons.length ? ` — ${c.reasons.join('; ')}` : '',
              ),
            ),
          ),
        );
      },
      fail: (err) => {
        if (err.status === 401) throw err;
        showApiError(dry, err);
      },
    },
    h('h2', { id: 'dry-h' }, t('routing.dry_title')),
    h('p', { class: 'hint' }, t('routing.dry_lead')),
    errorSummary(),
    field({
      name: 'type',
      kind: 'select',
      label: t('routing.type'),
      required: true,
      options: cat.types.map((x) => ({ value: x.code, label: pick(x.name) })),
      onInput: (x) => {
        sample.type = x;
        fillSubtypes();
      },
    }),
    subtypeField,
    field({
      name: 'channel',
      kind: 'select',
      label: t('routing.channel'),
      options: CHANNELS.map((c) => ({ value: c, label: t(`channel.name.${c}`) })),
      ...bound(sample, 'channel', 'web'),
    }),
    field({
      name: 'priority',
      kind: 'select',
      label: t('agent.priority'),
      options: PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) })),
      ...bound(sample, 'priority', 'medium'),
    }),
    field({ name: 'subject', label: t('routing.subject'), ...bound(sample, 'subject') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('routing.try'))),
    result,
  );
  return page(
    session,
    '/agente/ajustes/asignacion',
    'routing.title',
    h('p', {}, t('routing.lead')),
    jsonEditor({
      id: 'rules',
      titleKey: 'routing.rules_title',
      hintKey: 'routing.rules_hint',
      value: rules,
      path: '/admin/routing/rules',
      onReload: () => ctx.rerender(),
    }),
    dry,
  );
});

export const renderPolicy = guarded(MANAGERS, 'policy.title', async (ctx, session) => {
  const policy = await staffRequest('/admin/sla-policy');
  return page(
    session,
    '/agente/ajustes/sla',
    'policy.title',
    h('p', {}, t('policy.lead')),
    jsonEditor({
      id: 'policy',
      titleKey: 'policy.edit_title',
      hintKey: 'policy.hint',
      value: policy,
      path: '/admin/sla-policy',
      onReload: () => ctx.rerender(),
    }),
  );
});

// ---- business calendar ----------------------------------------------------------------------------

const shiftsText = (shifts) => (shifts || []).map(([a, b]) => `${a.slice(0, 5)}-${b.slice(0, 5)}`).join(', ');

function parseShifts(text) {
  const out = [];
  for (const part of text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(part);
    if (!m) return null;
    out.push([`${m[1].padStart(2, '0')}:${m[2]}`, `${m[3].padStart(2, '0')}:${m[4]}`]);
  }
  return out;
}

export const renderCalendar = guarded(MANAGERS, 'calendar.title', async (ctx, session) => {
  const cal = await staffRequest('/admin/calendar');
  let version = cal.version;
  const v = {
    timezone: cal.timezone,
    country: cal.country,
    subdivision: cal.subdivision || '',
    days: Object.fromEntries(DAYS.map((d) => [d, shiftsText(cal.working_hours[String(d)])])),
    closures: (cal.closures || []).slice().sort().join('\n'),
  };
  const build = () => {
    const errors = [];
    const hours = {};
    for (const d of DAYS) {
      const shifts = parseShifts(v.days[d]);
      if (shifts === null) errors.push({ field: `working_hours.${d}`, message: t('calendar.bad_shifts') });
      else if (shifts.length) hours[d] = shifts;
    }
    const closures = v.closures.split(/\s+/).filter(Boolean);
    return {
      errors,
      body: {
        timezone: v.timezone.trim(),
        country: v.country.trim().toUpperCase(),
        subdivision: v.subdivision.trim() || null,
        working_hours: hours,
        closures,
      },
    };
  };
  const status = statusLine();
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'cal-h',
      send: async () => {
        const { errors, body } = build();
        if (errors.length) {
          showApiError(form, { status: 422, problem: {}, errors });
          return;
        }
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          const saved = await staffRequest('/admin/calendar', { method: 'PUT', body: { ...body, version } });
          version = saved.version;
          tracker.saved();
          status.textContent = t('settings.saved');
          announce(t('settings.saved'));
        } catch (err) {
          if (err.status === 401) throw err;
          showApiError(form, err, () => {
            tracker.saved();
            ctx.rerender();
          });
        }
        busy(button, false);
      },
    },
    h('h2', { id: 'cal-h' }, t('calendar.edit_title')),
    errorSummary(),
    field({
      name: 'timezone',
      label: t('calendar.timezone'),
      required: true,
      hint: t('calendar.timezone_hint'),
      ...bound(v, 'timezone'),
    }),
    field({
      name: 'country',
      label: t('calendar.country'),
      required: true,
      hint: t('calendar.country_hint'),
      ...bound(v, 'country'),
    }),
    field({ name: 'subdivision', label: t('calendar.subdivision'), ...bound(v, 'subdivision') }),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, t('calendar.hours')),
      h('p', { class: 'hint' }, t('calendar.hours_hint')),
      DAYS.map((d) =>
        field({
          name: `working_hours.${d}`,
          label: t(`calendar.day.${d}`),
          value: v.days[d],
          onInput: (x) => {
            v.days[d] = x;
          },
        }),
      ),
    ),
    field({
      name: 'closures',
      kind: 'textarea',
      rows: 5,
      label: t('calendar.closures'),
      hint: t('calendar.closures_hint'),
      ...bound(v, 'closures'),
    }),
    status,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('admin.save'))),
  );
  for (const el of form.querySelectorAll('fieldset .opt')) el.remove();
  const tracker = trackChanges(form);

  // "When would this be due?" on the calendar as edited (saved or not)
  const calc = {
    start: new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16),
    amount: '10',
    unit: 'days',
  };
  const answer = h('p', { class: 'due-answer', 'aria-live': 'polite' });
  const calcForm = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'calc-h',
      send: async () => {
        const { errors, body: calendar } = build();
        if (errors.length) {
          showApiError(form, { status: 422, problem: {}, errors });
          return;
        }
        const amount = Number(calc.amount);
        const start = new Date(calc.start);
        if (!calc.start || Number.isNaN(start.getTime())) {
          showApiError(calcForm, {
            status: 422,
            problem: {},
            errors: [{ field: 'start', message: t('val.required') }],
          });
          return;
        }
        const body = {
          start: start.toISOString(),
          calendar,
          [calc.unit]: calc.unit === 'days' ? Math.round(amount) : amount,
        };
        try {
          const out = await staffRequest('/admin/calendar/due', { method: 'POST', body });
          answer.textContent = t('calendar.due_is', { when: fmtDateTime(out.due), zone: out.timezone });
        } catch (err) {
          if (err.status === 401) throw err;
          answer.textContent = '';
          const errors = err.errors.map((x) =>
            ['hours', 'days', 'body'].includes(x.field) ? { ...x, field: 'amount' } : x,
          );
          showApiError(calcForm, {
            ...err,
            status: err.status,
            problem: err.problem,
            message: err.message,
            errors,
          });
        }
      },
    },
    h('h2', { id: 'calc-h' }, t('calendar.calc_title')),
    h('p', { class: 'hint' }, t('calendar.calc_lead')),
    errorSummary(),
    field({ name: 'start', label: t('calendar.start'), required: true, ...bound(calc, 'start') }),
    field({
      name: 'amount',
      kind: 'number',
      label: t('calendar.amount'),
      required: true,
      ...bound(calc, 'amount'),
    }),
    field({
      name: 'unit',
      kind: 'select',
      label: t('calendar.unit'),
      required: true,
      options: [
        { value: 'days', label: t('calendar.unit.days') },
        { value: 'hours', label: t('calendar.unit.hours') },
      ],
      ...bound(calc, 'unit', 'days'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('calendar.calc'))),
    answer,
  );
  calcForm.querySelector('[name=start]').type = 'datetime-local';
  calcForm.querySelector('[name=unit] option[value=""]').remove();

  // The year's days off on the calendar as edited: the country's (and region's) holidays, closures
  const off = { year: String(new Date().getFullYear()) };
  const offList = h('div', { class: 'holiday-list', 'aria-live': 'polite' });
  const offForm = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'off-h',
      send: async () => {
        const { errors, body: calendar } = build();
        if (errors.length) {
          showApiError(form, { status: 422, problem: {}, errors });
          return;
        }
        const button = offForm.querySelector('button[type=submit]');
        busy(button, true);
        try {
          const out = await staffRequest('/admin/calendar/holidays', {
            method: 'POST',
            body: { year: Number(off.year), calendar },
          });
          offList.replaceChildren(
            h('h3', {}, t('calendar.off_count', { n: out.items.length, year: out.year })),
            h(
              'ul',
              {},
              out.items.map((x) =>
                h(
                  'li',
                  {},
                  h('time', { datetime: x.day }, x.day),
                  ' — ',
                  x.kind === 'closure' ? t('calendar.off_closure') : x.name,
                ),
              ),
            ),
          );
        } catch (err) {
          if (err.status === 401) throw err;
          offList.replaceChildren();
          const moved = err.errors.map((x) =>
            x.field === 'year' ? x : { ...x, field: x.field.replace(/^calendar\./, '') },
          );
          if (moved.some((x) => x.field !== 'year'))
            showApiError(form, { ...err, errors: moved.filter((x) => x.field !== 'year') });
          showApiError(offForm, { ...err, errors: moved.filter((x) => x.field === 'year') });
        }
        busy(button, false);
      },
    },
    h('h2', { id: 'off-h' }, t('calendar.off_title')),
    h('p', { class: 'hint' }, t('calendar.off_lead')),
    errorSummary(),
    field({
      name: 'year',
      kind: 'number',
      label: t('calendar.off_year'),
      required: true,
      ...bound(off, 'year'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('calendar.off_show'))),
    offList,
  );
  return page(
    session,
    '/agente/ajustes/calendario',
    'calendar.title',
    h('p', {}, t('calendar.lead')),
    form,
    calcForm,
    offForm,
  );
});
