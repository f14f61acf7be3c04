// "Mi cuenta" (optional citizen account): sign up with an emailed code, sign in, my requests from
// every channel, my data (download), my consents, delete my account (with confirmation).
import { h, announce, dataTable } from '../dom.js';
import { ApiError, request } from '../api.js';
import { fmtDate, t, LANGUAGES } from '../i18n.js';
import { errorSummary, field, showErrors, statusLine, bound, checkedForm, actionButton } from '../forms.js';
import { go, flash } from '../app.js';
import * as citizen from '../citizen_auth.js';
import { passwordField as revealable } from '../password_field.js';
import { forgotPasswordView } from './forgot_password.js';

const PURPOSES = ['notices_email', 'notices_sms', 'campaigns', 'forum'];
const AGE_BANDS = ['<18', '18-29', '30-44', '45-59', '60-74', '75+'];

async function api(path, options = {}) {
  const token = await citizen.idToken();
  if (!token) throw new ApiError(401, { title: t('account.signed_out') });
  return request(path, { ...options, token });
}

function authMessage(error) {
  return t(`account.auth.${error && error.kind ? error.kind : 'unknown'}`);
}

/** #/cuenta: the account when signed in, else the sign-in form. */
export async function render(ctx) {
  if (!citizen.current()) return signInForm();
  let me;
  try {
    me = await api('/me');
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
      citizen.signOut();
      return signInForm(t('account.signed_out'));
    }
    throw error;
  }
  const tickets = await api('/me/tickets?limit=10');
  return dashboard(me, tickets, ctx);
}

function signInForm(notice = '', email = '') {
  const values = { email, password: '' };
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('account.sign_in'));
  const form = checkedForm(
    {
      check: () => {
        const errors = [];
        if (!values.email.trim()) errors.push({ field: 'email', message: t('val.required') });
        if (!values.password) errors.push({ field: 'password', message: t('val.required') });
        return errors;
      },
      submit,
      send: async () => {
        await citizen.signIn(values.email.trim(), values.password);
        announce(t('account.signed_in'));
        go('/cuenta');
      },
      fail: (error) => {
        showErrors(form, [{ field: 'password', message: authMessage(error) }]);
      },
    },
    errorSummary(),
    notice && h('p', { class: 'notice', role: 'status' }, notice),
    field({
      name: 'email',
      kind: 'email',
      label: t('account.email'),
      required: true,
      value: email,
      autocomplete: 'username',
      onInput: (v) => {
        values.email = v;
      },
    }),
    passwordField('password', t('account.password'), 'current-password', (v) => {
      values.password = v;
    }),
    h(
      'div',
      { class: 'actions' },
      submit,
      h(
        'button',
        {
          type: 'button',
          class: 'btn link',
          onclick: () => {
            const view = forgotView(values.email.trim().toLowerCase());
            form.closest('section').replaceWith(view);
            view.querySelector('h1').focus();
          },
        },
        t('reset.link'),
      ),
    ),
  );
  return h(
    'section',
    { class: 'narrow' },
    h('h1', { tabindex: '-1' }, t('account.title')),
    h('p', {}, t('account.lead')),
    form,
    h(
      'p',
      {},
      t('account.no_account'),
      ' ',
      h('a', { href: '#/cuenta/registro' }, t('account.sign_up_link')),
    ),
    h('p', { class: 'hint' }, t('account.optional')),
  );
}

function passwordField(name, label, autocomplete, onInput, hint) {
  return revealable({ name, label, required: true, autocomplete, hint, onInput });
}

/** Mirrors the citizens' pool password policy (template.yaml, CitizenPool). */
const CITIZEN_MIN_LENGTH = 10;

function forgotView(email) {
  const view = forgotPasswordView({
    auth: { forgotPassword: citizen.forgotPassword, confirmForgotPassword: citizen.confirmForgotPassword },
    who: { label: t('account.email'), kind: 'email', autocomplete: 'username' },
    policy: t('account.auth.weak_password'),
    minLength: CITIZEN_MIN_LENGTH,
    username: email,
    className: 'narrow',
    back: () =>
      h(
        'a',
        {
          href: '#/cuenta',
          class: 'btn link',
          onclick: (e) => {
            e.preventDefault();
            view.replaceWith(signInForm('', email));
            document.querySelector('main h1').focus();
          },
        },
        t('reset.back'),
      ),
    done: (name) => {
      const next = signInForm(t('reset.changed'), name);
      view.replaceWith(next);
      next.querySelector('h1').focus();
    },
  });
  return view;
}

/** #/cuenta/registro: email, name and password, then the code the email brings. */
export async function renderSignUp() {
  const values = { name: '', email: '', password: '', code: '' };
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('account.sign_up'));
  const section = h('section', { class: 'narrow' });
  const form = checkedForm(
    {
      check: () => {
        const errors = [];
        if (values.name.trim().length < 2)
          errors.push({ field: 'name', message: t('val.min_length', { n: 2 }) });
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email.trim()))
          errors.push({ field: 'email', message: t('val.email') });
        if (
          values.password.length < 10 ||
          !/[a-z]/.test(values.password) ||
          !/[A-Z]/.test(values.password) ||
          !/[0-9]/.test(values.password)
        ) {
          errors.push({ field: 'password', message: t('account.auth.weak_password') });
        }
        return errors;
      },
      submit,
      send: async () => {
        await citizen.signUp(values.email.trim(), values.password, values.name.trim());
        section.replaceChildren(...confirmStep(values));
        section.querySelector('h1').focus();
      },
      fail: (error) => {
        showErrors(form, [
          { field: error.kind === 'weak_password' ? 'password' : 'email', message: authMessage(error) },
        ]);
      },
    },
    errorSummary(),
    field({
      name: 'name',
      label: t('account.name'),
      required: true,
      autocomplete: 'name',
      ...bound(values, 'name'),
    }),
    field({
      name: 'email',
      kind: 'email',
      label: t('account.email'),
      required: true,
      autocomplete: 'email',
      hint: t('account.email_hint'),
      ...bound(values, 'email'),
    }),
    passwordField(
      'password',
      t('account.password'),
      'new-password',
      (v) => {
        values.password = v;
      },
      t('account.password_hint'),
    ),
    h('div', { class: 'actions' }, submit),
    status,
  );
  section.append(
    h('h1', { tabindex: '-1' }, t('account.sign_up_title')),
    h('p', {}, t('account.sign_up_lead')),
    form,
    h('p', {}, h('a', { href: '#/cuenta' }, t('account.have_account'))),
  );
  return section;
}

function confirmStep(values) {
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('account.confirm'));
  const status = statusLine();
  const form = checkedForm(
    {
      check: () =>
        !/^\d{6}$/.test(values.code.trim()) ? [{ field: 'code', message: t('account.code_format') }] : [],
      submit,
      send: async () => {
        await citizen.confirm(values.email.trim(), values.code.trim());
        await citizen.signIn(values.email.trim(), values.password);
        flash(t('account.welcome'));
        go('/cuenta');
      },
      fail: (error) => {
        showErrors(form, [{ field: 'code', message: authMessage(error) }]);
      },
    },
    errorSummary(),
    field({
      name: 'code',
      label: t('account.code'),
      required: true,
      autocomplete: 'one-time-code',
      inputmode: 'numeric',
      hint: t('account.code_hint', { email: values.email.trim() }),
      ...bound(values, 'code'),
    }),
    h(
      'div',
      { class: 'actions' },
      submit,
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          onclick: async () => {
            try {
              await citizen.resend(values.email.trim());
              status.textContent = t('account.code_resent');
            } catch (error) {
              status.textContent = authMessage(error);
            }
          },
        },
        t('account.resend'),
      ),
    ),
    status,
  );
  return [h('h1', { tabindex: '-1' }, t('account.confirm_title')), form];
}

function dashboard(me, tickets, ctx) {
  return h(
    'section',
    {},
    h('h1', {}, t('account.title')),
    h(
      'p',
      {},
      t('account.hello', { name: me.name || me.contacts.map((c) => c.value)[0] || '' }),
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'btn link',
          onclick: () => {
            citizen.signOut();
            announce(t('account.signed_out_now'));
            go('/cuenta');
          },
        },
        t('account.sign_out'),
      ),
    ),
    myRequests(tickets),
    myData(me, ctx),
    myPhones(me, ctx),
    myConsents(me, ctx),
    download(),
    deleteBox(),
  );
}

function myRequests(page) {
  const list = h('ul', { class: 'my-requests' });
  const add = (items) =>
    list.append(
      ...items.map((tk) =>
        h(
          'li',
          {},
          h('a', { href: `#/solicitud/${tk.number}` }, tk.number),
          ' · ',
          tk.subject,
          ' · ',
          h('span', { class: 'badge' }, tk.status_label),
          ' · ',
          t(`account.channel.${tk.channel}`),
          ' · ',
          fmtDate(tk.created_at),
        ),
      ),
    );
  add(page.items);
  let cursor = page.next_cursor;
  const more = actionButton(
    {
      class: 'btn',
      hidden: !cursor,
      run: async () => {
        const next = await api(`/me/tickets?limit=10&cursor=${encodeURIComponent(cursor)}`);
        add(next.items);
        cursor = next.next_cursor;
        more.hidden = !cursor;
      },
    },
    t('account.more'),
  );
  return h(
    'section',
    { 'aria-labelledby': 'acc-req' },
    h('h2', { id: 'acc-req' }, t('account.requests')),
    page.items.length ? list : h('p', {}, t('account.no_requests')),
    more,
    h('p', { class: 'hint' }, t('account.requests_hint')),
  );
}

function myData(me, ctx) {
  const values = {
    name: me.name,
    language: me.language,
    region: me.segment.region || '',
    comuna: me.segment.comuna || '',
    age_band: me.segment.age_band || '',
  };
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('account.save'));
  const form = checkedForm(
    {
      check: () =>
        values.name.trim().length < 2 ? [{ field: 'name', message: t('val.min_length', { n: 2 }) }] : [],
      submit,
      send: async () => {
        await api('/me', {
          method: 'PUT',
          body: {
            name: values.name.trim(),
            language: values.language,
            notice_channels: me.notice_channels,
            version: me.version,
            segment: {
              region: values.region.trim() || null,
              comuna: values.comuna.trim() || null,
              age_band: values.age_band || null,
              topics: me.segment.topics,
            },
          },
        });
        flash(t('account.saved'));
        ctx.rerender();
      },
      fail: (error) => {
        if (error instanceof ApiError && error.errors.length)
          showErrors(
            form,
            error.errors.map((x) => ({ field: x.field.replace('segment.', ''), message: x.message })),
          );
        else status.textContent = error.message;
      },
    },
    errorSummary(),
    h('p', {}, t('account.verified'), ' ', me.contacts.map((c) => c.value).join(', ') || t('account.none')),
    field({
      name: 'name',
      label: t('account.name'),
      required: true,
      autocomplete: 'name',
      ...bound(values, 'name'),
    }),
    field({
      name: 'language',
      kind: 'select',
      label: t('account.language'),
      options: LANGUAGES,
      ...bound(values, 'language', 'es'),
    }),
    field({ name: 'region', label: t('account.region'), ...bound(values, 'region') }),
    field({ name: 'comuna', label: t('account.comuna'), ...bound(values, 'comuna') }),
    field({
      name: 'age_band',
      kind: 'select',
      label: t('account.age_band'),
      options: AGE_BANDS.map((b) => ({ value: b, label: b })),
      ...bound(values, 'age_band'),
    }),
    h('p', { class: 'hint' }, t('account.segment_hint_campaigns')),
    h('div', { class: 'actions' }, submit),
    status,
  );
  return h(
    'section',
    { 'aria-labelledby': 'acc-data' },
    h('h2', { id: 'acc-data' }, t('account.my_data')),
    form,
  );
}

/** Verified phones, and adding one: an SMS code proves it before it joins the account (only a
 * verified phone matches requests sent by SMS). */
function myPhones(me, ctx) {
  const phones = me.contacts.filter((c) => c.kind === 'phone');
  const box = h(
    'section',
    { 'aria-labelledby': 'acc-phone' },
    h('h2', { id: 'acc-phone', tabindex: '-1' }, t('account.phone.title')),
  );
  const values = { phone: '', code: '' };
  const problems = (form, error, fallback) => {
    if (error instanceof ApiError && error.errors.length)
      showErrors(
        form,
        error.errors.map((x) => ({ field: x.field, message: x.message })),
      );
    else showErrors(form, [{ field: fallback, message: error.message }]);
  };
  const codeForm = (pending) => {
    const status = statusLine();
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('account.phone.confirm'));
    const form = checkedForm(
      {
        check: () =>
          !/^\d{6}$/.test(values.code.trim()) ? [{ field: 'code', message: t('account.code_format') }] : [],
        submit,
        send: async () => {
          await api('/me/phone/confirm', { method: 'POST', body: { code: values.code.trim() } });
          flash(t('account.phone.verified', { phone: pending.phone }));
          ctx.rerender();
        },
        fail: (error) => {
          problems(form, error, 'code');
        },
        stay: true,
      },
      errorSummary(),
      field({
        name: 'code',
        label: t('account.phone.code'),
        required: true,
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
        hint: t('account.phone.code_hint', { phone: pending.phone }),
        ...bound(values, 'code'),
      }),
      h(
        'div',
        { class: 'actions' },
        submit,
        h(
          'button',
          {
            type: 'button',
            class: 'btn',
            onclick: () => {
              form.replaceWith(phoneForm());
            },
          },
          t('account.phone.other'),
        ),
      ),
      status,
    );
    return form;
  };
  const phoneForm = () => {
    const submit = h('button', { type: 'submit', class: 'btn' }, t('account.phone.send'));
    const form = checkedForm(
      {
        check: () => (!values.phone.trim() ? [{ field: 'phone', message: t('val.required') }] : []),
        submit,
        send: async () => {
          const pending = await api('/me/phone', { method: 'POST', body: { phone: values.phone.trim() } });
          values.code = '';
          const next = codeForm(pending);
          form.replaceWith(next);
          announce(t('account.phone.sent', { phone: pending.phone }));
          next.querySelector('input').focus();
        },
        fail: (error) => {
          problems(form, error, 'phone');
        },
        stay: true,
      },
      errorSummary(),
      field({
        name: 'phone',
        kind: 'phone',
        label: t('account.phone.label'),
        required: true,
        autocomplete: 'tel',
        hint: t('account.phone.hint'),
        ...bound(values, 'phone'),
      }),
      h('div', { class: 'actions' }, submit),
    );
    return form;
  };
  box.append(
    phones.length
      ? h(
          'ul',
          {},
          phones.map((c) =>
            h('li', {}, c.value, ' · ', t('account.phone.verified_on', { date: fmtDate(c.verified_at) })),
          ),
        )
      : h('p', {}, t('account.phone.none')),
    phoneForm(),
  );
  return box;
}

function myConsents(me, ctx) {
  const state = Object.fromEntries(me.consents.map((c) => [c.purpose, c]));
  const status = statusLine();
  const rows = PURPOSES.map((purpose) => {
    const c = state[purpose] || { given: false };
    const button = actionButton(
      {
        class: 'btn',
        run: async () => {
          await api('/me/consents', { method: 'POST', body: { purpose, given: !c.given } });
          flash(t(c.given ? 'account.consent_withdrawn' : 'account.consent_given'));
          ctx.rerender();
        },
        fail: (error) => {
          status.textContent = error.message;
        },
        stay: true,
      },
      t(c.given ? 'account.withdraw' : 'account.give'),
      h('span', { class: 'visually-hidden' }, `: ${t(`account.purpose.${purpose}`)}`),
    );
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, t(`account.purpose.${purpose}`)),
      h('td', {}, c.given ? t('account.given_on', { date: fmtDate(c.at) }) : t('account.not_given')),
      h('td', {}, button),
    );
  });
  return h(
    'section',
    { 'aria-labelledby': 'acc-cons' },
    h('h2', { id: 'acc-cons' }, t('account.consents')),
    h('p', {}, t('account.consents_lead')),
    dataTable(
      t('account.consents'),
      [t('account.purpose_col'), t('account.state_col'), t('account.action_col')],
      rows,
      { hideCaption: true },
    ),
    status,
  );
}

function download() {
  const status = statusLine();
  const button = actionButton(
    {
      class: 'btn',
      run: async () => {
        const data = await api('/me/export');
        const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
        const link = h('a', { href: URL.createObjectURL(blob), download: 'mis-datos-ventanilla.json' });
        document.body.append(link);
        link.click();
        link.remove();
        status.textContent = t('account.downloaded');
      },
      fail: (error) => {
        status.textContent = error.message;
      },
    },
    t('account.download'),
  );
  return h(
    'section',
    { 'aria-labelledby': 'acc-dl' },
    h('h2', { id: 'acc-dl' }, t('account.download_title')),
    h('p', {}, t('account.download_lead')),
    button,
    status,
  );
}

function deleteBox() {
  const values = { confirm: false };
  const submit = h('button', { type: 'submit', class: 'btn danger' }, t('account.delete'));
  const result = h('div', { role: 'status' });
  const form = checkedForm(
    {
      check: () =>
        !values.confirm ? [{ field: 'confirm', message: t('account.delete_confirm_needed') }] : [],
      submit,
      send: async () => {
        const done = await api('/me', { method: 'DELETE' });
        citizen.signOut();
        flash(t('account.deleted', { n: done.requests_anonymised.length }));
        go('/cuenta');
      },
      fail: (error) => {
        result.textContent = error.message;
      },
      stay: true,
    },
    errorSummary(),
    field({
      name: 'confirm',
      kind: 'checkbox',
      label: t('account.delete_confirm'),
      required: true,
      ...bound(values, 'confirm'),
    }),
    h('div', { class: 'actions' }, submit),
    result,
  );
  return h(
    'section',
    { 'aria-labelledby': 'acc-del', class: 'danger-zone' },
    h('h2', { id: 'acc-del' }, t('account.delete_title')),
    h('p', {}, t('account.delete_lead')),
    form,
  );
}
