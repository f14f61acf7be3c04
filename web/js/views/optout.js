// "Dejar de recibir avisos": the page the link in an email or SMS opens (#/baja/<token>).
// Opening it changes nothing (mail scanners follow links): it says what stops, and a button
// confirms with a POST. Mail clients' one-click unsubscribe (RFC 8058) POSTs to the API directly.
import { h } from '../dom.js';
import { request } from '../api.js';
import { t } from '../i18n.js';
import { busy, statusLine, checkedForm } from '../forms.js';

const CHANNELS = ['email', 'sms', 'push', 'all'];

const path = (token) => `/notifications/opt-out/${encodeURIComponent(token)}`;
const what = (channel) => t(`optout.channel_${CHANNELS.includes(channel) ? channel : 'all'}`);

export async function render({ params }) {
  const [token] = params;
  let look;
  try {
    look = await request(path(token));
  } catch (e) {
    if (e.status !== 400 && e.status !== 404) throw e;
    return h(
      'section',
      { class: 'optout' },
      h('h1', {}, t('optout.invalid_title')),
      h('p', { role: 'alert' }, e.message),
      h('p', {}, t('optout.invalid_hint')),
      undo(),
    );
  }
  const status = statusLine();
  status.setAttribute('tabindex', '-1');
  if (look.already) {
    return h(
      'section',
      { class: 'optout' },
      h('h1', {}, t('optout.title')),
      h('p', { class: 'notice', role: 'status' }, t('optout.already', { what: what(look.channel) })),
      undo(),
    );
  }
  const button = h('button', { type: 'submit', class: 'btn primary' }, t('optout.confirm'));
  const form = checkedForm(
    {
      send: async () => {
        busy(button, true);
        try {
          const done = await request(path(token), { method: 'POST' });
          for (const el of [lead, explain, form]) el.remove();
          status.classList.add('flash');
          status.textContent = t('optout.done', { what: what(done.channel) });
        } catch (error) {
          busy(button, false);
          status.textContent = error.status === 400 ? error.message : t('optout.failed');
        }
        status.focus();
      },
    },
    h('div', { class: 'actions' }, button, h('a', { class: 'btn', href: '#/' }, t('optout.keep'))),
  );
  const lead = h('p', { class: 'lead' }, t('optout.what', { what: what(look.channel) }));
  const explain = h('p', {}, t('optout.explain'));
  return h(
    'section',
    { class: 'optout' },
    h('h1', {}, t('optout.title')),
    lead,
    explain,
    form,
    status,
    undo(),
  );
}

const undo = () =>
  h('p', { class: 'muted' }, t('optout.undo'), ' ', h('a', { href: '#/solicitud' }, t('nav.follow')));
