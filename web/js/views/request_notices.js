// The request page's notice choices: which channels and which language the citizen hears in.
import { h, announce } from '../dom.js';
import { request } from '../api.js';
import { t } from '../i18n.js';
import { busy, errorSummary, showErrors, statusLine, checkedForm } from '../forms.js';

/** A form with a checkbox per channel the API offers and the language; saved with PUT. */
export function noticesBox(ticket, headers) {
  const notices = ticket.notices;
  if (!notices || !notices.options.length) return null;
  const values = { channels: [...notices.channels], language: notices.language };
  const status = statusLine();
  const boxes = notices.options.map((c) =>
    h(
      'div',
      { class: 'field check' },
      h('input', {
        type: 'checkbox',
        id: `notice-${c}`,
        name: 'notice-channels',
        value: c,
        checked: values.channels.includes(c),
        onchange: (e) => {
          values.channels = notices.options.filter((x) =>
            x === c ? e.target.checked : values.channels.includes(x),
          );
        },
      }),
      h('label', { for: `notice-${c}` }, t(`channel.${c}`)),
    ),
  );
  const langs = ['es', 'en'].map((l) =>
    h(
      'div',
      { class: 'field check' },
      h('input', {
        type: 'radio',
        id: `notice-lang-${l}`,
        name: 'notice-language',
        value: l,
        checked: values.language === l,
        onchange: () => {
          values.language = l;
        },
      }),
      h('label', { for: `notice-lang-${l}`, lang: l }, t(`notices.lang_${l}`)),
    ),
  );
  const formEl = checkedForm(
    {
      send: async () => {
        status.textContent = '';
        if (!values.channels.length) {
          showErrors(formEl, [{ field: 'channels', message: t('notices.choose_one') }]);
          return;
        }
        const button = formEl.querySelector('button[type=submit]');
        busy(button, true);
        try {
          const saved = await request(`/tickets/${ticket.number}/notifications`, {
            method: 'PUT',
            body: { channels: values.channels, language: values.language },
            headers,
          });
          ticket.notices = { ...notices, channels: saved.channels, language: saved.language };
          status.textContent = t('notices.saved');
          announce(t('notices.saved'));
        } catch (error) {
          showErrors(
            formEl,
            error.errors && error.errors.length ? error.errors : [{ field: null, message: error.message }],
          );
        } finally {
          busy(button, false);
        }
      },
    },
    errorSummary(),
    h(
      'fieldset',
      { class: 'group', 'data-for': 'channels', 'aria-describedby': 'notice-ch-hint notice-ch-err' },
      h('legend', {}, t('notices.channels')),
      h('p', { class: 'hint', id: 'notice-ch-hint' }, t('notices.channels_hint')),
      h('p', { class: 'error', id: 'notice-ch-err', hidden: true }),
      boxes,
    ),
    h(
      'fieldset',
      { class: 'group', 'data-for': 'language', 'aria-describedby': 'notice-lang-err' },
      h('legend', {}, t('notices.language')),
      h('p', { class: 'error', id: 'notice-lang-err', hidden: true }),
      langs,
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('notices.save'))),
    status,
  );
  return h(
    'section',
    { class: 'notices', 'aria-labelledby': 'notices-h' },
    h('h2', { id: 'notices-h' }, t('notices.title')),
    formEl,
  );
}
