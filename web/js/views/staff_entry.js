// "Nueva solicitud" (#/agente/nueva): staff enter what arrived by phone, at the counter, by letter or
// in a chat, for a citizen, or file an internal request as themselves; for an internal request they
// pick the equipment it is about ("mi equipo", or an inventory number) and it is linked on filing.
import { h, announce } from '../dom.js';
import { ApiError, catalog, qs } from '../api.js';
import { pick, t, LANGUAGES } from '../i18n.js';
import { busy, errorSummary, field, showErrors, statusLine, bound, checkedForm } from '../forms.js';
import { checkField, emailIsValid, phoneLooksValid, toApiValue, catalogField } from '../validate.js';
import { current } from '../auth.js';
import { loginView, staffRequest } from './agent.js';

const CHANNELS = ['phone', 'in_person', 'letter', 'chat'];
const WORKING_ROLES = ['agent-l1', 'agent-l2', 'agent-l3', 'supervisor', 'admin'];

const audiences = (type) => (type && type.audiences) || ['external'];

export async function renderNew() {
  const session = current();
  if (!session) return loginView();
  if (!session.groups.some((g) => WORKING_ROLES.includes(g))) {
    return h('section', {}, h('h1', {}, t('entry.title')), h('p', { role: 'alert' }, t('agent.no_role')));
  }
  const cat = await catalog();
  const root = h('section', { class: 'agent staff-entry' });
  drawForm(root, cat);
  return root;
}

function drawForm(root, cat) {
  const v = {
    channel: 'phone',
    received_at: '',
    type: '',
    subtype: '',
    subject: '',
    description: '',
    form: {},
    who: 'citizen',
    name: '',
    email: '',
    phone: '',
    language: 'es',
    channels: ['email'],
    consent: false,
    asset: '',
    idem: null,
  };
  const status = statusLine();
  const receivedBox = h('div', { hidden: true });
  const subtypeBox = h('div');
  const fieldsBox = h('div');
  const whoBox = h('div');
  const requesterBox = h('div');
  const assetBox = h('div');

  const type = () => cat.types.find((x) => x.code === v.type);
  const subtype = () => {
    const ty = type();
    return ty && ty.subtypes.find((s) => s.code === v.subtype);
  };
  const internal = () => v.who === 'self';

  // ---- channel and received-at ----
  const channelField = field({
    name: 'channel',
    kind: 'select',
    label: t('entry.channel'),
    required: true,
    value: v.channel,
    options: CHANNELS.map((c) => ({ value: c, label: t(`channel.name.${c}`) })),
    onInput: (x) => {
      v.channel = x;
      receivedBox.hidden = x !== 'letter';
    },
  });
  const received = field({
    name: 'received_at',
    label: t('entry.received_at'),
    hint: t('entry.received_at_hint'),
    ...bound(v, 'received_at'),
  });
  received.control.type = 'datetime-local';
  receivedBox.append(received);

  // ---- type, subtype and the subtype's own fields ----
  const typeField = field({
    name: 'type',
    kind: 'select',
    label: t('agent.type'),
    required: true,
    options: cat.types.map((x) => ({
      value: x.code,
      label: pick(x.name) + (audiences(x).includes('external') ? '' : ` (${t('entry.internal_only')})`),
    })),
    onInput: (x) => {
      v.type = x;
      v.subtype = '';
      v.form = {};
      drawSubtypes();
      drawFields();
      drawWho();
    },
  });
  const drawSubtypes = () => {
    const ty = type();
    subtypeBox.replaceChildren(
      ty
        ? field({
            name: 'subtype',
            kind: 'select',
            label: t('agent.subtype'),
            required: true,
            options: ty.subtypes.map((s) => ({ value: s.code, label: pick(s.name) })),
            onInput: (x) => {
              v.subtype = x;
              v.form = {};
              drawFields();
            },
          })
        : '',
    );
  };
  const drawFields = () => {
    const st = subtype();
    const defs = (st && st.fields) || [];
    fieldsBox.replaceChildren(
      defs.length
        ? h(
            'fieldset',
            { class: 'group' },
            h('legend', {}, pick(st.name)),
            defs.map((f) =>
              catalogField(f, v.form[f.name], (x) => {
                v.form[f.name] = x;
              }),
            ),
          )
        : '',
    );
  };

  // ---- for whom: a citizen, or myself (internal types) ----
  const drawWho = () => {
    const aud = audiences(type());
    if (!aud.includes('internal')) v.who = 'citizen';
    if (!aud.includes('external')) v.who = 'self';
    const radio = (value, label, disabled) =>
      h(
        'div',
        { class: 'field check' },
        h('input', {
          type: 'radio',
          id: `who-${value}`,
          name: 'who',
          value,
          checked: v.who === value,
          disabled,
          onchange: () => {
            v.who = value;
            drawRequester();
            drawAssets();
          },
        }),
        h('label', { for: `who-${value}` }, label),
      );
    whoBox.replaceChildren(
      h(
        'fieldset',
        { class: 'group', 'data-field': 'who' },
        h('legend', {}, t('entry.for_whom')),
        radio('citizen', t('entry.for_citizen'), !aud.includes('external')),
        radio('self', t('entry.for_me'), !aud.includes('internal')),
        !aud.includes('internal') && h('p', { class: 'hint' }, t('entry.self_needs_internal')),
      ),
    );
    drawRequester();
    drawAssets();
  };
  const drawRequester = () => {
    if (internal()) {
      requesterBox.replaceChildren(h('p', { class: 'hint' }, t('entry.as_myself_hint')));
      return;
    }
    const channelBox = (c) =>
      h(
        'div',
        { class: 'field check' },
        h('input', {
          type: 'checkbox',
          id: `notice-${c}`,
          checked: v.channels.includes(c),
          onchange: (e) => {
            v.channels = e.target.checked
              ? [...new Set([...v.channels, c])]
              : v.channels.filter((x) => x !== c);
          },
        }),
        h('label', { for: `notice-${c}` }, t(`channel.name.${c}`)),
      );
    requesterBox.replaceChildren(
      h(
        'fieldset',
        { class: 'group' },
        h('legend', {}, t('entry.requester')),
        field({
          name: 'requester.name',
          label: t('contact.datos.name'),
          required: true,
          ...bound(v, 'name'),
        }),
        field({
          name: 'requester.email',
          kind: 'email',
          label: t('contact.datos.email'),
          ...bound(v, 'email'),
        }),
        field({
          name: 'requester.phone',
          kind: 'phone',
          label: t('contact.datos.phone'),
          ...bound(v, 'phone'),
        }),
        h(
          'fieldset',
          { class: 'group', 'data-field': 'requester.channels' },
          h('legend', {}, t('entry.notices')),
          channelBox('email'),
          channelBox('sms'),
        ),
        field({
          name: 'requester.language',
          kind: 'select',
          label: t('entry.language'),
          options: LANGUAGES,
          ...bound(v, 'language', 'es'),
        }),
        field({
          name: 'requester.consent',
          kind: 'checkbox',
          label: t('entry.consent'),
          required: true,
          ...bound(v, 'consent'),
        }),
      ),
    );
  };

  // ---- the equipment of an internal request: my equipment, or search by inventory number ----
  let mine = null;
  let found = [];
  const drawAssets = async () => {
    if (!internal()) {
      assetBox.replaceChildren();
      return;
    }
    if (mine === null) {
      try {
        mine = (await staffRequest('/assets/mine')).items;
      } catch {
        mine = [];
      }
    }
    const options = [
      ...mine,
      ...found.filter((a) => !mine.some((m) => m.inventory_number === a.inventory_number)),
    ];
    const radio = (value, label) =>
      h(
        'div',
        { class: 'field check' },
        h('input', {
          type: 'radio',
          id: `asset-${value || 'none'}`,
          name: 'asset',
          value,
          checked: v.asset === value,
          onchange: () => {
            v.asset = value;
            fillInventoryField();
          },
        }),
        h('label', { for: `asset-${value || 'none'}` }, label),
      );
    let query = '';
    const searchStatus = h('p', { class: 'hint', role: 'status', 'data-testid': 'asset-search-status' });
    const search = async () => {
      const id = query.trim();
      if (!id) {
        searchStatus.textContent = t('val.required');
        return;
      }
      try {
        const asset = await staffRequest(`/assets/lookup?${qs({ id })}`);
        if (!found.some((a) => a.inventory_number === asset.inventory_number)) found = [...found, asset];
        v.asset = asset.inventory_number;
        await drawAssets();
        fillInventoryField();
        announce(t('entry.asset_found', { inv: asset.inventory_number }));
      } catch (e) {
        searchStatus.textContent = e.status === 404 ? t('entry.asset_not_found', { id }) : e.message;
      }
    };
    const searchField = field({
      name: 'asset_search',
      label: t('entry.asset_search'),
      hint: t('entry.asset_search_hint'),
      onInput: (x) => {
        query = x;
      },
    });
    searchField.control.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        search();
      }
    });
    assetBox.replaceChildren(
      h(
        'fieldset',
        { class: 'group', 'data-testid': 'asset-picker', 'data-field': 'asset' },
        h('legend', {}, t('entry.asset')),
        h('p', { class: 'hint' }, mine.length ? t('entry.mine_lead') : t('entry.mine_none')),
        radio('', t('entry.asset_none')),
        options.map((a) =>
          radio(
            a.inventory_number,
            `${a.inventory_number} — ${a.name}${mine.some((m) => m.inventory_number === a.inventory_number) ? ` (${t('entry.mine_tag')})` : ''}`,
          ),
        ),
        searchField,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'btn', onclick: search }, t('entry.asset_search_button')),
        ),
        searchStatus,
      ),
    );
  };
  /** A subtype that asks for the inventory number (soporte-interno/equipos) gets the chosen one. */
  const fillInventoryField = () => {
    const st = subtype();
    const def = st && (st.fields || []).find((f) => f.name === 'inventario');
    if (!def || !v.asset) return;
    v.form.inventario = v.asset;
    const input = fieldsBox.querySelector('[data-field="form.inventario"]');
    if (input) input.value = v.asset;
  };

  const formEl = checkedForm(
    { class: 'entry-form', check: () => validate(), send: () => sendEntry() },
    errorSummary(),
    h('p', { class: 'hint' }, t('form.required_note')),
    channelField,
    receivedBox,
    typeField,
    subtypeBox,
    whoBox,
    field({
      name: 'subject',
      label: t('contact.formulario.subject'),
      required: true,
      ...bound(v, 'subject'),
    }),
    fieldsBox,
    field({
      name: 'description',
      kind: 'textarea',
      label: t('contact.formulario.description'),
      required: true,
      rows: 5,
      ...bound(v, 'description'),
    }),
    requesterBox,
    assetBox,
    status,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('entry.submit'))),
  );

  const validate = () => {
    const errors = [];
    if (!v.type) errors.push({ field: 'type', message: t('val.required') });
    else if (!v.subtype) errors.push({ field: 'subtype', message: t('val.choose_subtype') });
    const subject = v.subject.trim();
    if (subject.length < 3)
      errors.push({ field: 'subject', message: t(subject ? 'val.min_length' : 'val.required', { n: 3 }) });
    if (!v.description.trim()) errors.push({ field: 'description', message: t('val.required') });
    for (const f of (subtype() && subtype().fields) || []) {
      const message = checkField(f, v.form[f.name]);
      if (message) errors.push({ field: `form.${f.name}`, message });
    }
    if (v.channel === 'letter' && v.received_at && Number.isNaN(Date.parse(v.received_at)))
      errors.push({ field: 'received_at', message: t('val.date') });
    if (!internal()) {
      if (v.name.trim().length < 2)
        errors.push({
          field: 'requester.name',
          message: t(v.name.trim() ? 'val.min_length' : 'val.required', { n: 2 }),
        });
      if (!v.email.trim() && !v.phone.trim())
        errors.push({ field: 'requester.email', message: t('entry.contact_required') });
      if (v.email.trim() && !emailIsValid(v.email.trim()))
        errors.push({ field: 'requester.email', message: t('val.email') });
      if (v.phone.trim() && !phoneLooksValid(v.phone.trim()))
        errors.push({ field: 'requester.phone', message: t('val.phone') });
      if (!v.consent) errors.push({ field: 'requester.consent', message: t('entry.consent_required') });
    }
    return errors;
  };

  /** The channels ticked that have a contact; none left: the contact given (email first). */
  const noticeChannels = () => {
    const usable = v.channels.filter((c) => (c === 'email' ? v.email.trim() : v.phone.trim()));
    if (usable.length) return usable;
    return v.email.trim() ? ['email'] : ['sms'];
  };

  const payload = () => {
    const formValues = {};
    for (const f of (subtype() && subtype().fields) || []) {
      const x = toApiValue(f, v.form[f.name]);
      if (x !== undefined) formValues[f.name] = x;
    }
    const body = {
      type: v.type,
      subtype: v.subtype,
      subject: v.subject.trim(),
      description: v.description.trim(),
      form: formValues,
      channel: v.channel,
    };
    if (v.channel === 'letter' && v.received_at) body.received_at = new Date(v.received_at).toISOString();
    if (!internal()) {
      body.requester = {
        name: v.name.trim(),
        email: v.email.trim() || null,
        phone: v.phone.trim() || null,
        language: v.language,
        channels: noticeChannels(),
        kind: 'external',
        consent: v.consent,
      };
    }
    return body;
  };

  const sendEntry = async () => {
    const body = payload();
    const text = JSON.stringify(body);
    if (!v.idem || v.idem.body !== text) v.idem = { key: crypto.randomUUID(), body: text };
    const button = formEl.querySelector('button[type=submit]');
    busy(button, true);
    status.textContent = t('contact.formulario.sending');
    let created;
    try {
      created = await staffRequest('/agent/tickets', {
        method: 'POST',
        body,
        headers: { 'Idempotency-Key': v.idem.key },
      });
    } catch (error) {
      busy(button, false);
      status.textContent = '';
      const list =
        error instanceof ApiError && error.errors.length
          ? error.errors
          : [{ field: null, message: error.message }];
      showErrors(
        formEl,
        list.map((x) => ({ ...x, field: x.field === 'requester' ? 'requester.name' : x.field })),
      );
      return;
    }
    let linked = null;
    let linkProblem = '';
    const named = body.form.inventario;
    if (typeof named === 'string' && named.trim()) {
      linked = named.trim().toUpperCase(); // the API linked the asset the form names when it filed it
    } else if (internal() && v.asset) {
      try {
        await staffRequest(`/agent/tickets/${created.number}/assets`, {
          method: 'POST',
          body: { inventory_number: v.asset },
        });
        linked = v.asset;
      } catch (error) {
        linkProblem = error.message;
      }
    }
    drawDone(root, cat, created, internal(), linked, linkProblem);
  };

  root.replaceChildren(
    h('h1', { tabindex: '-1' }, t('entry.title')),
    h('p', { class: 'lead' }, t('entry.lead')),
    h('p', {}, h('a', { href: '#/agente' }, `← ${t('agent.back_to_queue')}`)),
    formEl,
  );
  drawWho();
}

function drawDone(root, cat, created, internal, linked, linkProblem) {
  root.replaceChildren(
    h('h1', { tabindex: '-1' }, t('entry.done_title', { number: created.number })),
    h(
      'dl',
      { class: 'facts', 'data-testid': 'entry-done' },
      h('dt', {}, t('request.number')),
      h('dd', { 'data-testid': 'ticket-number' }, created.number),
      !internal && [
        h('dt', {}, t('request.code')),
        h('dd', { 'data-testid': 'access-code' }, created.access_code),
      ],
      linked && [
        h('dt', {}, t('entry.asset')),
        h(
          'dd',
          { 'data-testid': 'linked-asset' },
          h('a', { href: `#/agente/activos/${encodeURIComponent(linked)}` }, linked),
        ),
      ],
    ),
    internal ? '' : h('p', { class: 'notice' }, t('entry.tell_code')),
    !linkProblem
      ? ''
      : h(
          'p',
          { class: 'notice error-notice', role: 'alert' },
          t('entry.link_failed', { message: linkProblem }),
        ),
    h(
      'p',
      {},
      h(
        'a',
        { href: `#/agente/solicitud/${created.number}` },
        t('entry.open_ticket', { number: created.number }),
      ),
    ),
    h(
      'p',
      {},
      h('button', { type: 'button', class: 'btn', onclick: () => drawForm(root, cat) }, t('entry.another')),
    ),
  );
  root.querySelector('h1').focus();
  announce(t('entry.done_title', { number: created.number }));
}
