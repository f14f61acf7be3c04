// Proactive service (issue 16): subscribe, confirm, manage and unsubscribe (portal), the alert
// banner, and the console's alerts page (compose, audience, publish, "restablecido", figures).
// Its words live here, in Spanish and English, beside the screens that use them.
import { h, announce } from '../dom.js';
import { request } from '../api.js';
import { getLang, pick, t as tr, LANGUAGES } from '../i18n.js';
import { busy, errorSummary, field, showErrors, statusLine, checkedForm, actionButton } from '../forms.js';
import { browserSubscription, isIos, pushSupported, standalone } from '../pwa.js';

const WORDS = {
  es: {
    subscribe_title: 'Recibir avisos',
    subscribe_lead:
      'Le avisamos de cortes de servicio, emergencias y novedades de su sector. Primero confirmará su correo o su teléfono: antes no le enviaremos nada.',
    topics: 'Temas',
    sectors: 'Sectores',
    sectors_hint: 'Elija uno o más sectores; sin ninguno, recibirá avisos de todos.',
    email: 'Correo electrónico',
    phone: 'Teléfono móvil (SMS)',
    phone_hint: 'Con código de país, por ejemplo +56912345678.',
    language: 'Idioma de los avisos',
    consent: 'Acepto recibir estos avisos y que se guarde mi contacto para enviarlos.',
    campaigns_hint:
      'También puede recibir campañas informativas según su sector, temas, idioma y los tipos de solicitudes que haya presentado; cada aviso trae cómo darse de baja.',
    privacy: 'Aviso de privacidad',
    with_account:
      'Se suscribe con su cuenta ({email}): su correo ya está verificado, no hace falta confirmarlo, y la suscripción se borra si borra la cuenta.',
    send: 'Suscribirme',
    check_email: 'Le enviamos un enlace a su correo: ábralo para confirmar la suscripción.',
    code: 'Código recibido por SMS',
    confirm_code: 'Confirmar teléfono',
    confirmed: 'Suscripción confirmada. Desde ahora recibirá los avisos que eligió.',
    confirm_title: 'Confirmar suscripción',
    confirm_lead: 'Pulse el botón para confirmar que quiere recibir avisos.',
    confirm: 'Confirmar',
    invalid_link: 'El enlace no es válido, ya se usó o venció.',
    manage_title: 'Mis avisos',
    save: 'Guardar cambios',
    saved: 'Cambios guardados.',
    unsubscribe_all: 'Dejar de recibir todos los avisos',
    unsubscribed: 'Ya no recibirá avisos. Puede volver a suscribirse cuando quiera.',
    state_email: 'Correo',
    state_sms: 'SMS',
    st_confirmed: 'confirmado',
    st_pending: 'por confirmar',
    st_unsubscribed: 'dado de baja',
    st_none: '—',
    banner: 'Avisos de servicio',
    expected: 'Normalización estimada',
    sectors_label: 'Sectores',
    alerts_title: 'Avisos a la comunidad',
    compose: 'Publicar un aviso',
    title_es: 'Título (español)',
    title_en: 'Título (inglés)',
    text_es: 'Texto (español)',
    text_en: 'Texto (inglés)',
    service: 'Servicio afectado (tipo de solicitud)',
    severity: 'Gravedad',
    sev_info: 'Información',
    sev_warning: 'Advertencia',
    sev_emergency: 'Emergencia',
    audience: 'Suscriptores que lo recibirán (como máximo): {n}',
    count: 'Calcular audiencia',
    publish: 'Publicar y enviar',
    published: 'Aviso publicado: se está enviando a los suscriptores confirmados.',
    recent: 'Avisos recientes',
    restore: 'Informar servicio restablecido',
    restored_text: 'El servicio ya fue restablecido.',
    status_open: 'abierto',
    status_restored: 'restablecido',
    figures:
      'Audiencia {audience} · enviados {sent} (correo {email}, SMS {sms}, push {push}) · fallidos {failed} · omitidos {skipped} · entregados {delivered} · rebotes {bounced} · quejas {complaints} · bajas {unsubscribes}',
    none: 'Todavía no hay avisos.',
    no_topics: 'No hay temas definidos todavía.',
    optional: 'opcional',
    push_title: 'Avisos en este teléfono',
    push_lead:
      'Reciba estos avisos también como notificación en este teléfono o computador. La notificación muestra el aviso, nunca sus datos.',
    push_enable: 'Recibir avisos en este teléfono',
    push_count: 'Dispositivos que reciben notificaciones: {n}',
    push_working: 'Activando…',
    push_on: 'Listo: los avisos llegarán también a este dispositivo.',
    push_full:
      'Ya hay 3 dispositivos recibiendo estos avisos. Deje de recibir todos los avisos y vuelva a suscribirse para cambiarlos.',
    state_push: 'Notificaciones',
    push_manage: 'Recibir avisos en este teléfono o cambiar mis avisos',
  },
  en: {
    subscribe_title: 'Get notices',
    subscribe_lead:
      'We tell you about service cuts, emergencies and news of your sector. First you confirm your email or phone: nothing is sent before.',
    topics: 'Topics',
    sectors: 'Sectors',
    sectors_hint: 'Choose one or more sectors; with none, you get notices of all.',
    email: 'Email',
    phone: 'Mobile phone (SMS)',
    phone_hint: 'With the country code, e.g. +56912345678.',
    language: 'Language of the notices',
    consent: 'I agree to receive these notices and to my contact being kept to send them.',
    campaigns_hint:
      'You may also get information campaigns by your sector, topics, language and the types of requests you filed; every notice says how to unsubscribe.',
    privacy: 'Privacy notice',
    with_account:
      'You subscribe with your account ({email}): your email is already verified, no confirmation needed, and the subscription goes if you erase the account.',
    send: 'Subscribe',
    check_email: 'We sent a link to your email: open it to confirm the subscription.',
    code: 'Code received by SMS',
    confirm_code: 'Confirm phone',
    confirmed: 'Subscription confirmed. From now on you will get the notices you chose.',
    confirm_title: 'Confirm subscription',
    confirm_lead: 'Press the button to confirm you want to receive notices.',
    confirm: 'Confirm',
    invalid_link: 'The link is invalid, already used or expired.',
    manage_title: 'My notices',
    save: 'Save changes',
    saved: 'Changes saved.',
    unsubscribe_all: 'Stop all notices',
    unsubscribed: 'You will get no more notices. You may subscribe again whenever you want.',
    state_email: 'Email',
    state_sms: 'SMS',
    st_confirmed: 'confirmed',
    st_pending: 'to be confirmed',
    st_unsubscribed: 'unsubscribed',
    st_none: '—',
    banner: 'Service notices',
    expected: 'Expected back',
    sectors_label: 'Sectors',
    alerts_title: 'Community alerts',
    compose: 'Publish an alert',
    title_es: 'Title (Spanish)',
    title_en: 'Title (English)',
    text_es: 'Text (Spanish)',
    text_en: 'Text (English)',
    service: 'Service affected (request type)',
    severity: 'Severity',
    sev_info: 'Information',
    sev_warning: 'Warning',
    sev_emergency: 'Emergency',
    audience: 'Subscribers who will get it (at most): {n}',
    count: 'Count audience',
    publish: 'Publish and send',
    published: 'Alert published: it is going out to the confirmed subscribers.',
    recent: 'Recent alerts',
    restore: 'Report service restored',
    restored_text: 'Service has been restored.',
    status_open: 'open',
    status_restored: 'restored',
    figures:
      'Audience {audience} · sent {sent} (email {email}, SMS {sms}, push {push}) · failed {failed} · skipped {skipped} · delivered {delivered} · bounced {bounced} · complaints {complaints} · unsubscribes {unsubscribes}',
    none: 'No alerts yet.',
    no_topics: 'No topics defined yet.',
    optional: 'optional',
    push_title: 'Notices on this phone',
    push_lead:
      'Get these notices as notifications on this phone or computer too. A notification shows the notice, never your data.',
    push_enable: 'Get notices on this phone',
    push_count: 'Devices receiving notifications: {n}',
    push_working: 'Turning on…',
    push_on: 'Done: the notices will also come to this device.',
    push_full:
      'Three devices already receive these notices. Stop all notices and subscribe again to change them.',
    state_push: 'Notifications',
    push_manage: 'Get notices on this phone or change my notices',
  },
};

const w = (key, params) => {
  const text = (WORDS[getLang()] || WORDS.es)[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, n) => params[n] ?? m) : text;
};
const name = (item) => (getLang() === 'en' && item.name_en ? item.name_en : item.name);

function checks(legend, field_, items, chosen = []) {
  return h(
    'fieldset',
    { class: 'field', 'data-for': field_ },
    h('legend', {}, legend),
    h('p', { class: 'error', hidden: true }),
    items.map((it) =>
      h(
        'div',
        { class: 'field check' },
        h('input', {
          type: 'checkbox',
          id: `${field_}-${it.code}`,
          name: field_,
          value: it.code,
          checked: chosen.includes(it.code),
        }),
        h('label', { for: `${field_}-${it.code}` }, name(it)),
      ),
    ),
  );
}
const checked = (form, name_) =>
  [...form.querySelectorAll(`input[name="${name_}"]:checked`)].map((el) => el.value);

// ---- the banner ------------------------------------------------------------------------------------

/** Open service alerts as a region (empty when there are none); `service` narrows to one type. */
export function banner(service) {
  const box = h('section', { class: 'service-alerts', 'aria-label': w('banner'), hidden: true });
  request(`/alerts${service ? `?service=${encodeURIComponent(service)}` : ''}`)
    .then((data) => {
      if (!data.items.length) return;
      box.append(
        ...data.items.map((a) =>
          h(
            'div',
            { class: `notice alert-${a.severity}`, role: 'status' },
            h('p', {}, h('strong', {}, a.title)),
            h('p', {}, a.text),
            a.expected_end &&
              h(
                'p',
                {},
                `${w('expected')}: ${new Date(a.expected_end).toLocaleString(getLang() === 'es' ? 'es-CL' : 'en')}`,
              ),
          ),
        ),
      );
      box.hidden = false;
    })
    .catch(() => {});
  return box;
}

// ---- subscribe -------------------------------------------------------------------------------------

export async function renderSubscribe() {
  const [topics, areas, citizen] = await Promise.all([
    request('/subscription-topics'),
    request('/areas'),
    import('../citizen_auth.js'),
  ]);
  // Signed in: the subscription is the account's (its verified email needs no link; campaign
  // segments read the account; erasing the account erases it).
  const session = citizen.current();
  const summary = errorSummary();
  const status = statusLine();
  const email = field({
    name: 'email',
    label: w('email'),
    kind: 'email',
    autocomplete: 'email',
    value: (session && session.email) || '',
  });
  const phone = field({
    name: 'phone',
    label: w('phone'),
    kind: 'phone',
    hint: w('phone_hint'),
    autocomplete: 'tel',
  });
  const lang = field({
    name: 'language',
    label: w('language'),
    kind: 'select',
    value: getLang(),
    options: LANGUAGES,
  });
  const consent = field({ name: 'consent', label: w('consent'), kind: 'checkbox', required: true });
  const button = h('button', { type: 'submit', class: 'btn primary' }, w('send'));
  const after = h('div', {});
  const form = checkedForm(
    {
      submit: button,
      send: async () => {
        const body = {
          topics: checked(form, 'topics'),
          sectors: checked(form, 'sectors'),
          language: lang.control.value || 'es',
          consent: consent.control.checked || undefined,
        };
        if (email.control.value.trim()) body.email = email.control.value.trim();
        if (phone.control.value.trim()) body.phone = phone.control.value.replace(/[\s-]/g, '');
        const token = session ? await citizen.idToken() : null;
        const made = await request('/subscriptions', { method: 'POST', body, ...(token ? { token } : {}) });
        form.hidden = true;
        after.replaceChildren(...nextSteps(made));
        after.querySelector('[tabindex]')?.focus();
      },
      fail: (error) => {
        showErrors(
          form,
          error.errors.length
            ? error.errors.map((x) => ({
                field: x.field.split('.')[0] === 'body' ? null : x.field.split('.')[0],
                message: x.message,
              }))
            : [{ field: null, message: error.message }],
        );
      },
    },
    summary,
    topics.items.length ? checks(w('topics'), 'topics', topics.items) : h('p', {}, w('no_topics')),
    areas.items.length
      ? [checks(w('sectors'), 'sectors', areas.items), h('p', { class: 'hint' }, w('sectors_hint'))]
      : null,
    session && session.email
      ? h(
          'p',
          { class: 'hint', 'data-testid': 'sub-with-account' },
          w('with_account', { email: session.email }),
        )
      : null,
    email,
    phone,
    lang,
    consent,
    h('p', { class: 'hint' }, w('campaigns_hint'), ' ', h('a', { href: '#/privacidad' }, w('privacy'))),
    h('div', { class: 'actions' }, button),
    status,
  );
  return h(
    'section',
    { class: 'subscribe' },
    h('h1', {}, w('subscribe_title')),
    h('p', { class: 'lead' }, w('subscribe_lead')),
    form,
    after,
  );
}

function nextSteps(made) {
  const out = [];
  if (made.next_steps.includes('email_link'))
    out.push(h('p', { class: 'flash', role: 'status', tabindex: '-1' }, w('check_email')));
  if (made.next_steps.includes('sms_code')) {
    const code = field({
      name: 'code',
      label: w('code'),
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      required: true,
    });
    const button = h('button', { type: 'submit', class: 'btn primary' }, w('confirm_code'));
    const done = h('p', { role: 'status' });
    const form = checkedForm(
      {
        submit: button,
        send: async () => {
          const confirmed = await request(`/subscriptions/${made.id}/confirm-sms`, {
            method: 'POST',
            body: { code: code.control.value.trim() },
          });
          form.hidden = true;
          done.className = 'flash';
          done.textContent = w('confirmed');
          if (confirmed.manage_path) done.after(manageLink(confirmed.manage_path));
          announce(w('confirmed'));
        },
        fail: (error) => {
          showErrors(
            form,
            error.errors.length
              ? error.errors.map((x) => ({ field: 'code', message: x.message }))
              : [{ field: null, message: error.message }],
          );
        },
      },
      errorSummary(),
      code,
      h('div', { class: 'actions' }, button),
    );
    out.push(form, done);
  }
  if (!made.next_steps.length)
    out.push(h('p', { class: 'flash', role: 'status', tabindex: '-1' }, w('confirmed')));
  if (made.manage_path) out.push(manageLink(made.manage_path));
  return out;
}

/** To the management page, where "Recibir avisos en este teléfono" is (after a confirmation). */
function manageLink(path) {
  return h(
    'p',
    { class: 'actions' },
    h('a', { href: path, class: 'btn', 'data-testid': 'sub-manage-link' }, w('push_manage')),
  );
}

// ---- confirm ---------------------------------------------------------------------------------------

export async function renderConfirm({ query }) {
  const token = query.get('token') || '';
  const status = statusLine();
  const button = h('button', { type: 'submit', class: 'btn primary' }, w('confirm'));
  const form = checkedForm(
    {
      send: async () => {
        busy(button, true);
        try {
          const done = await request('/subscriptions/confirm', { method: 'POST', body: { token } });
          form.hidden = true;
          status.className = 'flash';
          status.textContent = w('confirmed');
          if (done.manage_path) status.after(manageLink(done.manage_path));
        } catch (error) {
          status.textContent =
            error.status === 404 || error.status === 422 ? w('invalid_link') : error.message;
          busy(button, false);
        }
        status.focus();
      },
    },
    h('div', { class: 'actions' }, button),
  );
  status.setAttribute('tabindex', '-1');
  return h('section', {}, h('h1', {}, w('confirm_title')), h('p', {}, w('confirm_lead')), form, status);
}

// ---- manage ----------------------------------------------------------------------------------------

export async function renderManage({ params, query }) {
  const [id] = params;
  const t = query.get('t') || '';
  const path = `/subscriptions/${encodeURIComponent(id)}?t=${encodeURIComponent(t)}`;
  let sub;
  try {
    sub = await request(path);
  } catch (error) {
    if (error.status !== 404) throw error;
    return h('section', {}, h('h1', {}, w('manage_title')), h('p', { role: 'alert' }, w('invalid_link')));
  }
  const [topics, areas] = await Promise.all([request('/subscription-topics'), request('/areas')]);
  const status = statusLine();
  status.setAttribute('tabindex', '-1');
  const states = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, w('state_email')),
    h('dd', {}, `${sub.email || ''} ${w(`st_${sub.email_state}`)}`),
    h('dt', {}, w('state_sms')),
    h('dd', {}, `${sub.phone || ''} ${w(`st_${sub.sms_state}`)}`),
  );
  const save = h('button', { type: 'submit', class: 'btn primary' }, w('save'));
  const form = checkedForm(
    {
      send: async () => {
        busy(save, true);
        try {
          await request(path, {
            method: 'PUT',
            body: {
              topics: checked(form, 'topics'),
              sectors: checked(form, 'sectors'),
              language: sub.language,
            },
          });
          status.textContent = w('saved');
        } catch (error) {
          showErrors(form, [{ field: null, message: error.message }]);
        }
        busy(save, false);
        status.focus();
      },
    },
    errorSummary(),
    checks(w('topics'), 'topics', topics.items, sub.topics),
    areas.items.length ? checks(w('sectors'), 'sectors', areas.items, sub.sectors) : null,
    h('div', { class: 'actions' }, save),
  );
  const leave = actionButton(
    {
      class: 'btn note',
      run: async () => {
        const url = `/subscriptions/${encodeURIComponent(id)}/unsubscribe?t=${encodeURIComponent(t)}`;
        await request(url, { method: 'POST' });
        form.hidden = true;
        leave.hidden = true;
        status.className = 'flash';
        status.textContent = w('unsubscribed');
        status.focus();
      },
      stay: true,
    },
    w('unsubscribe_all'),
  );
  const active = sub.email_state === 'confirmed' || sub.sms_state === 'confirmed' || sub.push_devices > 0;
  if (sub.push_devices) states.append(h('dt', {}, w('state_push')), h('dd', {}, String(sub.push_devices)));
  const push = sub.email_state === 'unsubscribed' && !active ? null : pushBox(id, t, sub);
  return h(
    'section',
    {},
    h('h1', {}, w('manage_title')),
    states,
    push,
    active ? [form, h('div', { class: 'actions' }, leave)] : h('p', { class: 'notice' }, w('unsubscribed')),
    status,
  );
}

/** "Recibir avisos en este teléfono": this browser joins the subscription (permission asked on click). */
function pushBox(id, token, sub) {
  const status = h('p', { class: 'status-line', role: 'status', 'data-testid': 'sub-push-status' });
  const count = h('p', { class: 'hint' }, w('push_count', { n: sub.push_devices || 0 }));
  const box = h(
    'section',
    { class: 'push-box', 'aria-labelledby': 'sub-push-h', 'data-testid': 'sub-push-box' },
    h('h2', { id: 'sub-push-h' }, w('push_title')),
    h('p', {}, w('push_lead')),
  );
  if (!pushSupported()) {
    box.append(
      h('p', { class: 'hint' }, tr(isIos() && !standalone() ? 'push.ios_first' : 'push.unsupported')),
    );
    return box;
  }
  const button = h(
    'button',
    { type: 'button', class: 'btn primary', 'data-testid': 'sub-push-enable' },
    w('push_enable'),
  );
  button.addEventListener('click', async () => {
    busy(button, true);
    status.textContent = w('push_working');
    status.classList.remove('push-problem');
    try {
      const got = await browserSubscription();
      if (got.state !== 'on') {
        status.textContent = tr(`push.${got.state}`);
        status.classList.add('push-problem');
      } else {
        const url = `/subscriptions/${encodeURIComponent(id)}/devices?t=${encodeURIComponent(token)}`;
        const done = await request(url, { method: 'POST', body: { subscription: got.subscription } });
        count.textContent = w('push_count', { n: done.push_devices });
        status.textContent = w('push_on');
      }
    } catch (error) {
      const full = error && error.status === 409 && error.problem.code === 'sub_push_too_many';
      status.textContent = full
        ? w('push_full')
        : tr(error && error.status === 409 ? 'push.not_offered' : 'push.failed');
      status.classList.add('push-problem');
    } finally {
      busy(button, false);
      announce(status.textContent);
    }
  });
  box.append(h('div', { class: 'actions' }, button), count, status);
  return box;
}

// ---- console: alerts -------------------------------------------------------------------------------

export async function renderAlerts(ctx, session, token) {
  const api = (path, opts = {}) => request(path, { ...opts, token });
  const [topics, areas, list, catalog] = await Promise.all([
    request('/subscription-topics'),
    request('/areas'),
    api('/admin/alerts'),
    request('/catalog'),
  ]);
  const summary = errorSummary();
  const status = statusLine();
  status.setAttribute('tabindex', '-1');
  const fields = {
    'title.es': field({ name: 'title.es', label: w('title_es'), required: true }),
    'title.en': field({ name: 'title.en', label: w('title_en') }),
    'text.es': field({ name: 'text.es', label: w('text_es'), kind: 'textarea', rows: 3, required: true }),
    'text.en': field({ name: 'text.en', label: w('text_en'), kind: 'textarea', rows: 3 }),
    service: field({
      name: 'service',
      label: w('service'),
      kind: 'select',
      options: (catalog.types || catalog.items || []).map((x) => ({
        value: x.code,
        label: pick(x.name || x.label || x.code),
      })),
    }),
    severity: field({
      name: 'severity',
      label: w('severity'),
      kind: 'select',
      value: 'warning',
      required: true,
      options: ['info', 'warning', 'emergency'].map((s) => ({ value: s, label: w(`sev_${s}`) })),
    }),
  };
  const audience = h('p', { role: 'status', class: 'hint' });
  const body = () => {
    const v = (k) => fields[k].control.value.trim();
    const out = {
      title: { es: v('title.es') },
      text: { es: v('text.es') },
      sectors: checked(form, 'sectors'),
      topics: checked(form, 'topics'),
      severity: v('severity') || 'warning',
    };
    if (v('title.en')) out.title.en = v('title.en');
    if (v('text.en')) out.text.en = v('text.en');
    if (v('service')) out.service = v('service');
    return out;
  };
  const count = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      onclick: async () => {
        const b = body();
        try {
          const p = await api('/admin/campaigns/preview', {
            method: 'POST',
            body: {
              name: 'preview',
              subject: b.title,
              body: b.text,
              topics: b.topics,
              sectors: b.sectors,
              channels: ['email', 'sms'],
            },
          });
          audience.textContent = w('audience', { n: p.audience });
        } catch (error) {
          showApiErrors(form, error);
        }
      },
    },
    w('count'),
  );
  const publish = h('button', { type: 'submit', class: 'btn primary' }, w('publish'));
  const form = checkedForm(
    {
      submit: publish,
      send: async () => {
        await api('/admin/alerts', { method: 'POST', body: body() });
        status.className = 'flash';
        status.textContent = w('published');
        announce(w('published'));
        ctx.rerender();
      },
      fail: (error) => {
        showApiErrors(form, error);
      },
    },
    summary,
    fields['title.es'],
    fields['title.en'],
    fields['text.es'],
    fields['text.en'],
    checks(w('sectors'), 'sectors', areas.items),
    checks(w('topics'), 'topics', topics.items),
    fields.service,
    fields.severity,
    h('div', { class: 'actions' }, count, publish),
    audience,
  );
  const recent = list.items.length
    ? h(
        'ul',
        { class: 'alert-list' },
        list.items.map((a) => {
          const f = a.figures || {};
          const ch = f.by_channel || {};
          return h(
            'li',
            {},
            h('h3', {}, pick(a.title), ' ', h('span', { class: 'badge' }, w(`status_${a.status}`))),
            h('p', {}, `${w('sectors_label')}: ${a.sectors.join(', ')}`),
            h(
              'p',
              { class: 'figures' },
              w('figures', {
                audience: f.audience || 0,
                sent: f.sent || 0,
                email: ch.email || 0,
                sms: ch.sms || 0,
                push: (ch.push || 0) + (ch.webpush || 0),
                failed: f.failed || 0,
                skipped: f.skipped || 0,
                delivered: f.delivered || 0,
                bounced: f.bounced || 0,
                complaints: f.complaints || 0,
                unsubscribes: f.unsubscribes || 0,
              }),
            ),
            a.status === 'open' &&
              actionButton(
                {
                  class: 'btn',
                  run: async () => {
                    await api(`/admin/alerts/${a.id}/updates`, {
                      method: 'POST',
                      body: {
                        kind: 'restored',
                        text: { es: WORDS.es.restored_text, en: WORDS.en.restored_text },
                      },
                    });
                    ctx.rerender();
                  },
                  stay: true,
                },
                w('restore'),
              ),
          );
        }),
      )
    : h('p', {}, w('none'));
  return [status, h('h2', {}, w('compose')), form, h('h2', {}, w('recent')), recent];
}

function showApiErrors(form, error) {
  const names = new Set([...form.querySelectorAll('[data-for]')].map((el) => el.dataset.for));
  showErrors(
    form,
    error.errors.length
      ? error.errors.map((x) => {
          const f = x.field.split('.').slice(0, 2).join('.');
          const top = x.field.split('.')[0];
          const known = names.has(f) ? f : names.has(top) ? top : null;
          return { field: known, message: known ? x.message : `${x.field}: ${x.message}` };
        })
      : [{ field: null, message: error.message }],
  );
}

export const alertsTitle = () => w('alerts_title');

/** The console page (supervisors and admins), inside the console's frame and menu. */
export async function renderAlertsPage(ctx) {
  const { guarded, page } = await import('./console_kit.js');
  const { accessToken } = await import('../auth.js');
  return guarded(['supervisor', 'admin'], w('alerts_title'), async (c, session) =>
    page(session, '/agente/avisos', w('alerts_title'), await renderAlerts(c, session, await accessToken())),
  )(ctx);
}
