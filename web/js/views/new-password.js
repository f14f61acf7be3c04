// First sign-in of a staff member invited with a temporary password (Cognito's
// NEW_PASSWORD_REQUIRED): they choose their own password here, then enter the console.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { busy, errorSummary, field, showErrors, statusLine, bound, checkedForm } from '../forms.js';
import { AuthError, setNewPassword } from '../auth.js';

/** Mirrors the user pool's policy (template.yaml, StaffPool); Cognito has the last word. */
const MIN_LENGTH = 12;

export function newPasswordView(challenge, onSignedIn) {
  const values = { password: '', confirm: '' };
  const status = statusLine();
  const formEl = checkedForm(
    {
      class: 'narrow',
      check: () => {
        const errors = [];
        if (values.password.length < MIN_LENGTH)
          errors.push({ field: 'new_password', message: t('agent.new_password_short', { n: MIN_LENGTH }) });
        else if (values.confirm !== values.password)
          errors.push({ field: 'confirm_password', message: t('agent.new_password_mismatch') });
        return errors;
      },
      send: async () => {
        const button = formEl.querySelector('button');
        busy(button, true);
        status.textContent = t('agent.signing_in');
        try {
          await setNewPassword(challenge, values.password);
          onSignedIn();
        } catch (error) {
          busy(button, false);
          status.textContent = '';
          const kind = error instanceof AuthError ? error.kind : 'unknown';
          const problem =
            kind === 'weak_password'
              ? { field: 'new_password', message: t('agent.login_error.weak_password') }
              : { field: null, message: t(`agent.login_error.${kind}`) };
          showErrors(formEl, [problem], t('agent.login_failed'));
        }
      },
    },
    errorSummary(),
    field({
      name: 'new_password',
      label: t('agent.new_password'),
      hint: t('agent.new_password_hint', { n: MIN_LENGTH }),
      required: true,
      autocomplete: 'new-password',
      ...bound(values, 'password'),
    }),
    field({
      name: 'confirm_password',
      label: t('agent.new_password_confirm'),
      required: true,
      autocomplete: 'new-password',
      ...bound(values, 'confirm'),
    }),
    status,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('agent.new_password_save')),
    ),
  );
  for (const input of formEl.querySelectorAll('input')) input.type = 'password';
  return h(
    'section',
    { class: 'agent' },
    h('h1', { tabindex: '-1' }, t('agent.new_password_title')),
    h('p', {}, t('agent.new_password_lead', { user: challenge.username })),
    formEl,
  );
}
