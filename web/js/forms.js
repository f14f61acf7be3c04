// Accessible form fields: label, hint and error wired with aria-describedby; an error summary.
import { h, uid } from './dom.js';
import { t } from './i18n.js';

/**
 * A labelled control. opts: {name (the API path, e.g. "form.rut"), label, kind, required, hint,
 * value, options:[{value,label}], autocomplete, inputmode, rows, onInput}.
 * Returns the wrapper; wrapper.control is the input, select or textarea.
 */
export function field(opts) {
  const id = uid('f');
  const hintId = opts.hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  const common = {
    id,
    name: opts.name,
    'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
    'aria-required': opts.required ? 'true' : null,
    autocomplete: opts.autocomplete || null,
    inputmode: opts.inputmode || null,
    'data-field': opts.name,
  };
  let control;
  const kind = opts.kind || 'text';
  if (kind === 'textarea') {
    control = h('textarea', { ...common, rows: opts.rows || 5, value: opts.value ?? '' });
  } else if (kind === 'select') {
    control = h(
      'select',
      common,
      h('option', { value: '' }, t('form.choose')),
      (opts.options || []).map((o) =>
        h('option', { value: o.value, selected: o.value === opts.value }, o.label),
      ),
    );
  } else if (kind === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', checked: Boolean(opts.value) });
  } else {
    const type = { email: 'email', phone: 'tel', number: 'number', date: 'date' }[kind] || 'text';
    control = h('input', {
      ...common,
      type,
      value: opts.value ?? '',
      spellcheck: kind === 'text' ? null : 'false',
    });
    if (kind === 'rut') control.setAttribute('placeholder', '12.345.678-5');
  }
  if (opts.onInput) {
    control.addEventListener(kind === 'checkbox' || kind === 'select' ? 'change' : 'input', () =>
      opts.onInput(kind === 'checkbox' ? control.checked : control.value),
    );
  }
  const label = h(
    'label',
    { for: id },
    opts.label,
    opts.required
      ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')
      : h('span', { class: 'opt' }, ` (${t('form.optional')})`),
  );
  const wrap =
    kind === 'checkbox'
      ? h(
          'div',
          { class: 'field check' },
          control,
          label,
          opts.hint && h('p', { class: 'hint', id: hintId }, opts.hint),
          h('p', { class: 'error', id: errId, hidden: true }),
        )
      : h(
          'div',
          { class: 'field' },
          label,
          opts.hint && h('p', { class: 'hint', id: hintId }, opts.hint),
          h('p', { class: 'error', id: errId, hidden: true }),
          control,
        );
  wrap.control = control;
  wrap.dataset.for = opts.name;
  return wrap;
}

/** The `value` and `onInput` of a field that shows and keeps `values[key]`: field({name, label,
 * ...bound(values, 'name')}); with `fallback`, an emptied field keeps that instead of ''. */
export const bound = (values, key, fallback) => ({
  value: values[key],
  onInput: (v) => {
    values[key] = fallback !== undefined && !v ? fallback : v;
  },
});

/** Show (or clear, with '') the error of the field named `name` inside `root`. */
export function setError(root, name, message) {
  const wrap = root.querySelector(`[data-for="${CSS.escape(name)}"]`);
  if (!wrap) return false;
  const err = wrap.querySelector('.error');
  const control = wrap.control || wrap.querySelector('input, select, textarea');
  err.textContent = message ? `${t('form.error_prefix')} ${message}` : '';
  err.hidden = !message;
  wrap.classList.toggle('invalid', Boolean(message));
  if (control) {
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }
  return true;
}

export function clearErrors(root) {
  for (const wrap of root.querySelectorAll('[data-for]')) setError(root, wrap.dataset.for, '');
  const summary = root.querySelector('.error-summary');
  if (summary) summary.hidden = true;
}

/**
 * Show `errors` ([{field, message}]) beside their fields and in the summary box of `root` (a link
 * per error moves focus to its field); errors without a field here are listed only. Focuses the box.
 */
export function showErrors(root, errors, title = t('form.errors_title')) {
  const summary = root.querySelector('.error-summary');
  const items = errors.map((e) => {
    const shown = e.field && setError(root, e.field, e.message);
    const target = shown && root.querySelector(`[data-for="${CSS.escape(e.field)}"]`);
    const control = target && (target.control || target.querySelector('input, select, textarea'));
    if (!control) return h('li', {}, e.message);
    return h(
      'li',
      {},
      h(
        'a',
        {
          href: `#${control.id}`,
          onclick: (ev) => {
            ev.preventDefault();
            control.focus();
          },
        },
        e.message,
      ),
    );
  });
  if (summary) {
    summary.replaceChildren(h('h2', { id: uid('errs') }, title), h('ul', {}, items));
    summary.setAttribute('aria-labelledby', summary.firstChild.id);
    summary.hidden = false;
    summary.focus();
  }
}

/**
 * A form that stays on the page and checks itself before it sends: on submit the old errors go,
 * `check()` returns the errors to show (none: go on), then `send(event)` runs, with the `submit`
 * button (true: the form's own) busy as actionButton's (`fail`, `stay`). The other attributes are the <form>'s;
 * `novalidate`, because our messages replace the browser's.
 */
export function checkedForm({ check, send, submit, fail, stay = false, ...attrs }, ...children) {
  const form = h(
    'form',
    {
      novalidate: true,
      ...attrs,
      onsubmit: async (e) => {
        e.preventDefault();
        clearErrors(form);
        const errors = check ? check() : [];
        if (errors.length) {
          showErrors(form, errors);
          return;
        }
        const button = submit === true ? form.querySelector('button[type=submit]') : submit;
        await running(button, () => send(e), fail, stay);
      },
    },
    ...children,
  );
  return form;
}

/** The empty box showErrors fills. */
export const errorSummary = () =>
  h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });

/** A status line for async results (role=status, polite). */
export const statusLine = () => h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' });

export function busy(button, on) {
  button.disabled = on;
  button.setAttribute('aria-busy', on ? 'true' : 'false');
}

/** Run `work` with `button` (if any) busy; see actionButton for `fail` and `stay`. */
async function running(button, work, fail, stay) {
  if (button) busy(button, true);
  try {
    await work();
  } catch (error) {
    if (button) busy(button, false);
    if (!fail) throw error;
    await fail(error);
    return;
  }
  if (button && !stay) busy(button, false);
}

/**
 * A button (type="button") that runs `run()` once at a time: busy (disabled, aria-busy) from the
 * click until it ends. A failure frees it and goes to `fail(error)` (without `fail` it is thrown);
 * `stay` keeps it busy after success, when the view moves on and a second click must not send twice.
 */
export function actionButton({ run, fail, stay = false, ...attrs }, ...label) {
  const button = h(
    'button',
    {
      type: 'button',
      ...attrs,
      onclick: () => running(button, run, fail, stay),
    },
    ...label,
  );
  return button;
}

/**
 * A row action: ask `question` first (none: just go), then run `work` with the row's `button` busy.
 * Success leaves it busy (work re-renders the page); a failure frees it and says why in `status`.
 */
export async function confirmThen(question, button, status, work) {
  if (question && !window.confirm(question)) return;
  busy(button, true);
  try {
    await work();
  } catch (err) {
    busy(button, false);
    status.textContent = err.message;
  }
}
