// A password field with a "show password" toggle: a real button whose aria-pressed says whether the
// text is shown (its name stays the same, as a toggle's should), for staff and citizens alike.
import { h } from './dom.js';
import { field } from './forms.js';
import { t } from './i18n.js';

export function passwordField(opts) {
  const wrap = field(opts);
  const input = wrap.control;
  input.type = 'password';
  input.setAttribute('spellcheck', 'false');
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'btn link reveal',
      'aria-pressed': 'false',
      'aria-controls': input.id,
      onclick: () => {
        const show = input.type === 'password';
        input.type = show ? 'text' : 'password';
        toggle.setAttribute('aria-pressed', String(show));
        // Hidden again when the form is sent: the browser offers to save it, and it is not left on screen.
        const form = input.form;
        if (show && form && !form.dataset.revealReset) {
          form.dataset.revealReset = '1';
          form.addEventListener(
            'submit',
            () => {
              for (const b of form.querySelectorAll('button.reveal[aria-pressed=true]')) b.click();
            },
            { capture: true },
          );
        }
      },
    },
    t('password.show'),
  );
  input.after(toggle);
  return wrap;
}
