// Staff console helpers shared by every #/agente page: the session guard, sign-in, sign-out and
// the staff-side API call (the queue is agent_queue.js, the ticket page agent_ticket.js).
import { h } from '../dom.js';
import { ApiError, request } from '../api.js';
import { t } from '../i18n.js';
import { errorSummary, field, showErrors, statusLine, bound, checkedForm } from '../forms.js';
import {
  AuthError,
  accessToken,
  confirmForgotPassword,
  current,
  forgotPassword,
  login,
  logout,
  signOut,
} from '../auth.js';
import { passwordField } from '../password_field.js';
import { forgotPasswordView } from './forgot_password.js';
import { go } from '../app.js';
import { newPasswordView } from './new-password.js';
import { consoleMenu } from './console_kit.js';

const WORKING_ROLES = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'admin'];
let notice = '';

export async function staffRequest(path, options = {}) {
  const token = await accessToken();
  if (!token) throw new ApiError(401, { code: 'token_missing' });
  try {
    return await request(path, { ...options, token });
  } catch (e) {
    if (e.status === 401) {
      logout();
      notice = t('agent.expired');
    }
    throw e;
  }
}

export function withSession(view) {
  return async (ctx) => {
    const session = current();
    if (!session) return loginView();
    if (!session.groups.some((g) => WORKING_ROLES.includes(g))) {
      return h(
        'section',
        {},
        h('h1', {}, t('agent.title')),
        h('p', { role: 'alert' }, t('agent.no_role')),
        session.groups.includes('inventory') &&
          h('p', {}, h('a', { href: '#/agente/activos' }, t('assets.list_title'))),
        h('p', {}, h('a', { href: '#/agente/mi-equipo' }, t('assets.mine_title'))),
        logoutButton(),
      );
    }
    try {
      return await view(ctx, session);
    } catch (e) {
      if (e.status === 401) return loginView();
      throw e;
    }
  };
}

// ---- sign in ----------------------------------------------------------------------------------

/** The staff pool's password policy (template.yaml, StaffPool); Cognito has the last word. */
const STAFF_MIN_LENGTH = 12;

export function loginView(username = '') {
  const values = { username, password: '' };
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('agent.sign_in'));
  const forgot = (codeSent = false) => {
    const view = forgotPasswordView({
      auth: { forgotPassword, confirmForgotPassword },
      who: { label: t('agent.username'), kind: 'text', autocomplete: 'username' },
      policy: t('agent.login_error.weak_password'),
      minLength: STAFF_MIN_LENGTH,
      username: values.username.trim(),
      codeSent,
      className: 'agent',
      back: () =>
        h(
          'a',
          {
            href: '#/agente',
            class: 'btn link',
            onclick: (e) => {
              e.preventDefault();
              notice = '';
              view.replaceWith(loginView(values.username.trim()));
              document.querySelector('main h1').focus();
            },
          },
          t('reset.back'),
        ),
      done: (name) => {
        notice = t('reset.changed');
        const next = loginView(name);
        view.replaceWith(next);
        next.querySelector('h1').focus();
      },
    });
    formEl.closest('section').replaceWith(view);
    view.querySelector('h1').focus();
  };
  const formEl = checkedForm(
    {
      class: 'narrow',
      'data-staff-login': '',
      check: () => {
        const errors = [];
        if (!values.username.trim()) errors.push({ field: 'username', message: t('val.required') });
        if (!values.password) errors.push({ field: 'password', message: t('val.required') });
        return errors;
      },
      submit,
      send: async () => {
        status.textContent = t('agent.signing_in');
        await login(values.username.trim(), values.password);
        notice = '';
        go(location.hash.slice(1) || '/agente');
      },
      fail: (error) => {
        status.textContent = '';
        const kind = error instanceof AuthError ? error.kind : 'unknown';
        if (kind === 'new_password' && error.challenge) {
          const view = newPasswordView(error.challenge, () => {
            notice = '';
            go(location.hash.slice(1) || '/agente');
          });
          formEl.closest('section').replaceWith(view);
          view.querySelector('h1').focus();
          return;
        }
        // An administrator reset the password: Cognito already emailed a code.
        if (kind === 'reset') {
          forgot(true);
          return;
        }
        showErrors(
          formEl,
          [{ field: null, message: t(`agent.login_error.${kind}`) }],
          t('agent.login_failed'),
        );
      },
      stay: true,
    },
    errorSummary(),
    notice && h('p', { class: 'notice', role: 'status' }, notice),
    field({
      name: 'username',
      label: t('agent.username'),
      required: true,
      value: username,
      autocomplete: 'username',
      onInput: (v) => {
        values.username = v;
      },
    }),
    passwordField({
      name: 'password',
      label: t('agent.password'),
      required: true,
      autocomplete: 'current-password',
      ...bound(values, 'password'),
    }),
    status,
    h(
      'div',
      { class: 'actions' },
      submit,
      h('button', { type: 'button', class: 'btn link', onclick: () => forgot() }, t('reset.link')),
    ),
  );
  return h(
    'section',
    { class: 'agent' },
    h('h1', {}, t('agent.login_title')),
    h('p', {}, t('agent.login_lead')),
    formEl,
    h('p', { class: 'hint' }, t('agent.one_sign_in')),
  );
}

export function logoutButton() {
  return h(
    'button',
    {
      type: 'button',
      class: 'btn link',
      onclick: async () => {
        await signOut();
        notice = t('agent.signed_out');
        go('/agente');
      },
    },
    t('agent.sign_out'),
  );
}

export function whoBar(session) {
  return h(
    'div',
    { class: 'whobar' },
    h(
      'p',
      {},
      t('agent.signed_in_as', { name: session.name }),
      ' ',
      h('span', { class: 'muted' }, `(${session.groups.join(', ')})`),
    ),
    session.groups.some((g) => g === 'supervisor' || g === 'admin') &&
      h('a', { href: '#/agente/tablero' }, t('dash.link')),
    h('a', { href: '#/agente/nueva' }, t('entry.link')),
    h('a', { href: '#/agente/activos' }, t('assets.list_title')),
    h('a', { href: '#/agente/mi-equipo' }, t('assets.mine_title')),
    logoutButton(),
    consoleMenu(session),
  );
}
