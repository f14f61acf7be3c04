// "Forgot password" through Cognito, for staff (auth.js) and citizens (citizen_auth.js): ask for
// a code (emailed to the account's verified address), then the code and a new password. The answer
// to the first step is the same whether the account exists or not.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { errorSummary, field, showErrors, statusLine, bound, checkedForm } from '../forms.js';
import { passwordField } from '../password_field.js';

/**
 * ``auth``: { forgotPassword(name), confirmForgotPassword(name, code, password) }.
 * ``who``: { label, kind ('text' | 'email'), autocomplete } of the account's name field.
 * ``policy``: the pool's password rule, in words; ``minLength`` mirrors it (Cognito has the last word).
 * ``done(name)``: called once the password is changed (back to the sign-in, name filled in).
 * ``username`` and ``codeSent``: start at the code step (e.g. an administrator reset the password).
 */
export function forgotPasswordView({
  auth,
  who,
  policy,
  minLength,
  done,
  back,
  username = '',
  codeSent = false,
  className = '',
}) {
  const section = h('section', { class: className || null });
  const values = { name: username, code: '', password: '' };

  const errorOf = (error) => {
    const kind = error && error.kind;
    if (kind === 'code' || kind === 'challenge_expired')
      return { field: 'code', message: t('reset.error.code') };
    if (kind === 'weak_password' || kind === 'invalid') return { field: 'new_password', message: policy };
    return {
      field: null,
      message: t(`reset.error.${['throttled', 'network', 'credentials'].includes(kind) ? kind : 'unknown'}`),
    };
  };

  function askStep() {
    const status = statusLine();
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('reset.send_code'));
    const form = checkedForm(
      {
        class: 'narrow',
        check: () => (!values.name.trim() ? [{ field: 'account', message: t('reset.error.account') }] : []),
        submit,
        send: async () => {
          await auth.forgotPassword(values.name.trim());
          show(codeStep());
        },
        fail: (error) => {
          const problem = errorOf(error);
          showErrors(form, [problem.field ? problem : { field: 'account', message: problem.message }]);
        },
        stay: true,
      },
      errorSummary(),
      field({
        name: 'account',
        kind: who.kind,
        label: who.label,
        required: true,
        autocomplete: who.autocomplete,
        ...bound(values, 'name'),
      }),
      h('div', { class: 'actions' }, submit, back()),
      status,
    );
    return [h('h1', { tabindex: '-1' }, t('reset.title')), h('p', {}, t('reset.lead')), form];
  }

  function codeStep() {
    const status = statusLine();
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('reset.save'));
    const form = checkedForm(
      {
        class: 'narrow',
        check: () => {
          const errors = [];
          if (!/^\d{6}$/.test(values.code.trim()))
            errors.push({ field: 'code', message: t('reset.error.code_format') });
          if (values.password.length < minLength) errors.push({ field: 'new_password', message: policy });
          return errors;
        },
        submit,
        send: async () => {
          await auth.confirmForgotPassword(values.name.trim(), values.code.trim(), values.password);
          done(values.name.trim());
        },
        fail: (error) => {
          showErrors(form, [errorOf(error)]);
        },
        stay: true,
      },
      errorSummary(),
      field({
        name: 'code',
        label: t('reset.code'),
        required: true,
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
        hint: t('reset.code_hint'),
        ...bound(values, 'code'),
      }),
      passwordField({
        name: 'new_password',
        label: t('reset.new_password'),
        hint: policy,
        required: true,
        autocomplete: 'new-password',
        ...bound(values, 'password'),
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
                await auth.forgotPassword(values.name.trim());
                status.textContent = t('reset.code_resent');
              } catch (error) {
                status.textContent = errorOf(error).message;
              }
            },
          },
          t('reset.resend'),
        ),
        back(),
      ),
      status,
    );
    return [
      h('h1', { tabindex: '-1' }, t('reset.code_title')),
      h('p', {}, t(codeSent ? 'reset.code_lead_admin' : 'reset.code_lead', { name: values.name.trim() })),
      form,
    ];
  }

  function show(nodes) {
    section.replaceChildren(...nodes);
    section.querySelector('h1').focus();
  }

  section.append(...(codeSent ? codeStep() : askStep()));
  return section;
}
