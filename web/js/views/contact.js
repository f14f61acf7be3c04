// Contact as the last option (A4), in the order people think: topic (with a one-line subject) ->
// the case -> suggested articles matched on what they typed and read -> "it did not solve it" ->
// the case's details -> who they are, last, with the send button -> confirmation. Five steps,
// counted from the start ("Paso 2 de 5" never changes its total); a step with nothing to choose
// (a type with one case, no article to suggest) is skipped, its number kept. The draft survives
// reloads and visits to help articles (sessionStorage) and is dropped once the request is filed.
import { h } from '../dom.js';
import { ApiError, catalog, config, optional, qs, request } from '../api.js';
import { fmtDate, fmtDateTime, getLang, pick, t, plural } from '../i18n.js';
import { checkField, emailIsValid, phoneLooksValid, toApiValue, catalogField } from '../validate.js';
import { busy, errorSummary, field, showErrors, clearErrors, statusLine, checkedForm } from '../forms.js';
import { flash, go } from '../app.js';
import { rememberCode } from './request.js';

const KEY = 'ventanilla.contact';
const STEPS = ['tipo', 'subtipo', 'articulos', 'formulario', 'datos'];
const NOTICE_CHANNELS = ['email', 'sms'];

const fresh = () => ({
  who: { name: '', email: '', phone: '', channels: ['email'], consent: false },
  type: '',
  subtype: '',
  origin: '',
  query: '',
  suggested: null,
  opened: [],
  deflection: null,
  subject: '',
  description: '',
  form: {},
  place: { address: '', lat: null, long: null },
  serverErrors: [],
  idem: null,
  unsure: false,
});

let state = load();

function load() {
  try {
    return { ...fresh(), ...JSON.parse(sessionStorage.getItem(KEY) || '{}') };
  } catch {
    return fresh();
  }
}
const save = () => sessionStorage.setItem(KEY, JSON.stringify(state));
export const hasDraft = () => Boolean(state.type);

/** A skip, not a visit: the skipped step leaves no history entry for "Back" to land on. */
const skipTo = (step) => location.replace(`#/contacto/${step}`);

/** A suggested article the citizen opened during the flow (for the deflection record). */
export function markOpened(slug) {
  if (!state.suggested || !state.suggested.some((a) => a.slug === slug)) return;
  if (!(state.opened || []).includes(slug)) {
    state.opened = [...(state.opened || []), slug];
    save();
  }
}

/**
 * POST /help/deflections: the outcome of a contact attempt that was shown articles (A4), once per
 * attempt. A courtesy: it never blocks the citizen, and an absent route is ignored.
 */
function recordDeflection(outcome) {
  if (!state.suggested || !state.suggested.length || state.deflection === outcome) return;
  state.deflection = outcome;
  save();
  request('/help/deflections', {
    method: 'POST',
    body: {
      type: state.type,
      subtype: state.subtype,
      lang: getLang(),
      shown: state.suggested.filter((a) => !a.community).map((a) => a.slug),
      opened: state.opened || [],
      outcome,
    },
  }).catch(() => {});
}

/** The chosen type, if citizens may choose it (a link can name an unknown or internal one). */
const typeOf = (cat) => externalTypes(cat).find((x) => x.code === state.type);
const subtypeOf = (cat) => {
  const type = typeOf(cat);
  return type && type.subtypes.find((s) => s.code === state.subtype);
};
/** Steps with nothing to choose: a type with a single case; no article to suggest. */
function skipped(cat, step) {
  const type = typeOf(cat);
  if (step === 'subtipo') return Boolean(type && type.subtypes.length === 1);
  if (step === 'articulos') return Array.isArray(state.suggested) && !state.suggested.length;
  return false;
}
const before = (cat, step) =>
  STEPS.slice(0, STEPS.indexOf(step))
    .reverse()
    .find((s) => !skipped(cat, s)) || null;
const after = (cat, step) => STEPS.slice(STEPS.indexOf(step) + 1).find((s) => !skipped(cat, s)) || null;
const subjectOk = () => state.subject.trim().length >= 3 && state.subject.trim().length <= 200;

/** The first step whose data is missing: a deep link to a later step lands there instead. */
function firstOpenStep(cat) {
  if (!typeOf(cat) || !subjectOk()) return 'tipo';
  if (!subtypeOf(cat)) return 'subtipo';
  return null;
}

export async function render({ params, query }) {
  const step = params[0] || 'tipo';
  // "This is a request: file it here" (a forum topic's link) pre-fills the type and subtype.
  const preset = query && query.get('tipo');
  if (preset && /^[a-z0-9-]+(\/[a-z0-9-]+)?$/.test(preset)) {
    const [type, subtype = ''] = preset.split('/');
    if (type !== state.type || subtype !== state.subtype) {
      Object.assign(state, { type, subtype, suggested: null, opened: [], deflection: null, form: {} });
      save();
    }
  }
  // From an article (its "Contactar" link): the article read and the words searched come along;
  // the words are the subject's first draft.
  const origin = query && query.get('desde');
  if (origin && /^[a-z0-9-]{1,120}$/.test(origin)) {
    state.origin = origin;
    save();
  }
  const searched = query && query.get('q');
  if (searched) {
    state.query = searched.slice(0, 200);
    if (!state.subject.trim()) state.subject = state.query;
    save();
  }
  if (step === 'enviada') return confirmation();
  if (!STEPS.includes(step)) {
    go('/contacto');
    return null;
  }
  const cat = await catalog();
  // A type with one case has it chosen for the citizen (its step is skipped).
  const type = typeOf(cat);
  if (type && !state.subtype && type.subtypes.length === 1) {
    state.subtype = type.subtypes[0].code;
    save();
  }
  const open = firstOpenStep(cat);
  if (open && STEPS.indexOf(step) > STEPS.indexOf(open)) {
    skipTo(open);
    return null;
  }
  if (STEPS.indexOf(step) > STEPS.indexOf('subtipo') && state.suggested === null) await suggest();
  if (skipped(cat, step)) {
    skipTo(after(cat, step));
    return null;
  }
  const views = {
    tipo: chooseType,
    subtipo: chooseSubtype,
    articulos: articles,
    formulario: form,
    datos: identify,
  };
  return views[step](cat);
}

function frame(cat, step, ...body) {
  const index = STEPS.indexOf(step);
  return h(
    'section',
    { class: 'flow' },
    h(
      'p',
      { class: 'eyebrow', 'data-testid': 'step-count' },
      t('contact.step', { n: index + 1, total: STEPS.length }),
    ),
    h('h1', {}, t(`contact.${step}.title`)),
    h(
      'ol',
      { class: 'steps', 'aria-label': t('contact.progress') },
      STEPS.map((s, i) => {
        const label = t(`contact.steps.${s}`);
        if (i < index && skipped(cat, s)) {
          return h(
            'li',
            { class: 'skipped' },
            label,
            h('span', { class: 'visually-hidden' }, ` ${t('contact.skipped')}`),
          );
        }
        return h(
          'li',
          {
            class: i < index ? 'done' : i === index ? 'current' : '',
            'aria-current': i === index ? 'step' : null,
          },
          i < index ? h('a', { href: `#/contacto/${s}` }, label) : label,
        );
      }),
    ),
    body,
  );
}

function nav(backTo, nextLabel = t('common.continue')) {
  return h(
    'div',
    { class: 'actions' },
    h('button', { type: 'submit', class: 'btn primary' }, nextLabel),
    backTo && h('a', { class: 'btn link', href: `#/contacto/${backTo}` }, t('common.back')),
  );
}

/** The case's time limits in words, counted properly ("1 hora hábil", "16 horas hábiles"). */
const targets = (s) =>
  s &&
  s.targets &&
  t('contact.subtipo.target_counted', {
    hours: plural('unit.business_hours', s.targets.first_response_hours),
    days: plural('unit.business_days', s.targets.resolution_days),
  });

// ---- 1. topic and subject ---------------------------------------------------------------------

const externalTypes = (cat) => cat.types.filter((x) => (x.audiences || ['external']).includes('external'));

function radios(name, legend, items, selected, onPick) {
  return h(
    'fieldset',
    { class: 'choices', 'data-for': name, 'aria-describedby': `${name}-err` },
    h('legend', { class: 'visually-hidden' }, legend),
    h('p', { class: 'error', id: `${name}-err`, hidden: true }),
    items.map((it) => {
      const id = `${name}-${it.code}`;
      return h(
        'div',
        { class: 'choice' },
        h('input', {
          type: 'radio',
          name,
          id,
          value: it.code,
          checked: it.code === selected,
          'aria-describedby': it.desc ? `${id}-d` : null,
          onchange: () => onPick(it.code),
        }),
        h('label', { for: id, class: 'choice-title' }, it.title),
        it.desc && h('p', { class: 'choice-desc', id: `${id}-d` }, it.desc),
      );
    }),
  );
}

/** Suggestions for what the citizen chose and typed, then the next step that is not skipped. */
async function toSuggestions(cat, formEl, status) {
  const button = formEl.querySelector('button[type=submit]');
  busy(button, true);
  status.textContent = t('contact.subtipo.looking');
  await suggest();
  busy(button, false);
  go(`/contacto/${after(cat, 'subtipo')}`);
}

function chooseType(cat) {
  const items = externalTypes(cat).map((x) => ({
    code: x.code,
    title: pick(x.name),
    // A type with one case shows that case's time limits here (its own step is skipped).
    desc: [pick(x.description), x.subtypes.length === 1 && targets(x.subtypes[0])]
      .filter(Boolean)
      .join(' · '),
  }));
  const status = statusLine();
  const formEl = checkedForm(
    {
      send: async () => {
        const errors = [];
        if (!typeOf(cat)) errors.push({ field: 'type', message: t('val.choose_type') });
        const subject = state.subject.trim();
        if (subject.length < 3)
          errors.push({
            field: 'subject',
            message: t(subject ? 'val.min_length' : 'val.subject_required', { n: 3 }),
          });
        if (subject.length > 200) errors.push({ field: 'subject', message: t('val.max_length', { n: 200 }) });
        if (errors.length) {
          showErrors(formEl, errors);
          return;
        }
        state.serverErrors = (state.serverErrors || []).filter((x) => x.field !== 'subject');
        const type = typeOf(cat);
        if (type.subtypes.length === 1) {
          state.subtype = type.subtypes[0].code;
          save();
          await toSuggestions(cat, formEl, status);
          return;
        }
        save();
        go('/contacto/subtipo');
      },
    },
    errorSummary(),
    radios('type', t('contact.tipo.title'), items, state.type, (code) => {
      if (code !== state.type)
        Object.assign(state, {
          type: code,
          subtype: '',
          suggested: null,
          opened: [],
          deflection: null,
          form: {},
        });
      save();
    }),
    field({
      name: 'subject',
      label: t('contact.formulario.subject'),
      required: true,
      value: state.subject,
      hint: t('contact.tipo.subject_hint'),
      onInput: (v) => {
        if (v.trim() !== state.subject.trim())
          Object.assign(state, { suggested: null, opened: [], deflection: null });
        state.subject = v;
        save();
      },
    }),
    status,
    nav(null),
  );
  const view = frame(cat, 'tipo', formEl);
  const pending = (state.serverErrors || []).filter((x) => x.field === 'subject');
  if (pending.length) showErrors(formEl, pending, t('form.server_errors_title'));
  return view;
}

// ---- 2. the case (skipped when the type has one) ----------------------------------------------

function chooseSubtype(cat) {
  const type = typeOf(cat);
  const items = type.subtypes.map((s) => ({
    code: s.code,
    title: pick(s.name),
    desc: [pick(s.description), targets(s)].filter(Boolean).join(' · '),
  }));
  const status = statusLine();
  const formEl = checkedForm(
    {
      check: () => (!state.subtype ? [{ field: 'subtype', message: t('val.choose_subtype') }] : []),
      send: async () => {
        await toSuggestions(cat, formEl, status);
      },
    },
    errorSummary(),
    h('p', { class: 'lead' }, pick(type.name)),
    radios('subtype', t('contact.subtipo.title'), items, state.subtype, (code) => {
      if (code !== state.subtype)
        Object.assign(state, { subtype: code, suggested: null, opened: [], deflection: null, form: {} });
      save();
    }),
    status,
    nav('tipo'),
  );
  return frame(cat, 'subtipo', formEl);
}

/** Fills ``state.suggested`` (GET /help/suggest); none when that route is not there yet. */
async function suggest() {
  state.suggested = await suggestions();
  state.opened = [];
  state.deflection = null;
  save();
}

/** Articles for the case, matched on the subject the citizen typed and the words they searched. */
async function suggestions() {
  try {
    const text = [...new Set([state.subject.trim(), state.query.trim()].filter(Boolean))]
      .join(' ')
      .slice(0, 200);
    const data = await optional(
      `/help/suggest?${qs({ type: state.type, subtype: state.subtype, text, lang: getLang() })}`,
    );
    // The subtype's own articles first, then the best text matches, each once.
    const list = data ? [...(data.linked || []), ...(data.matches || [])] : [];
    state.unsure = Boolean(data && data.confident === false);
    // The article the citizen came from was read already: not suggested again.
    const unique = list.filter(
      (a, i) =>
        a &&
        a.slug &&
        a.title &&
        a.slug !== state.origin &&
        list.findIndex((b) => b && b.slug === a.slug) === i,
    );
    // Accepted forum answers come after the official articles, marked "Comunidad".
    const community = ((data && data.community) || []).map((c) => ({
      slug: c.topic_id,
      title: c.title,
      summary: c.answer,
      community: c.label,
    }));
    return [
      ...unique.slice(0, 5).map((a) => ({ slug: a.slug, title: a.title, summary: a.summary || '' })),
      ...community,
    ];
  } catch {
    return []; // help is a courtesy here: never block the contact form on it
  }
}

// ---- 3. suggested articles (skipped when there are none) -------------------------------------

function articles(cat) {
  const list = state.suggested || [];
  return frame(
    cat,
    'articulos',
    h('p', { class: 'lead' }, t('contact.articulos.lead')),
    h(
      'ul',
      { class: 'suggested' },
      list.map((a) =>
        h(
          'li',
          { class: a.community ? 'community' : '' },
          a.community && h('span', { class: 'badge' }, a.community),
          a.community && ' ',
          h('a', { href: a.community ? `#/foro/tema/${a.slug}` : `#/ayuda/${a.slug}` }, a.title),
          a.summary && h('p', {}, a.summary),
        ),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn',
          onclick: () => {
            recordDeflection('resolved');
            state = fresh();
            sessionStorage.removeItem(KEY);
            flash(t('contact.articulos.glad'));
            go('/');
          },
        },
        t('contact.articulos.solved'),
      ),
      h(
        'a',
        { class: 'btn primary', href: '#/contacto/formulario', onclick: () => recordDeflection('contact') },
        t('contact.articulos.not_solved'),
      ),
    ),
    h('p', {}, h('a', { href: `#/contacto/${before(cat, 'articulos')}` }, t('common.back'))),
  );
}

// ---- 4. the case's details --------------------------------------------------------------------

/** A server error listed away from its field: the field's name first when we have one. */
function named(x) {
  const label = x.field ? t(`field.${x.field}`) : '';
  return label && label !== `field.${x.field}` ? `${label}: ${x.message}` : x.message;
}

/** Server errors that belong to the details step (all but the requester's and the subject). */
const detailError = (x) => x.field && !x.field.startsWith('requester.') && x.field !== 'subject';

function form(cat) {
  const type = typeOf(cat);
  const subtype = subtypeOf(cat);
  const fields = subtype.fields || [];
  const controls = fields.map((f) =>
    catalogField(
      f,
      state.form[f.name],
      (v) => {
        state.form[f.name] = v;
        save();
      },
      { inputmode: f.kind === 'rut' ? 'text' : null },
    ),
  );
  const formEl = h(
    'form',
    { novalidate: true, onsubmit: submit },
    errorSummary(),
    // "Nothing surely answers" is news only when no article was shown (else the citizen just said so).
    state.unsure &&
      !(state.suggested || []).length &&
      h('p', { class: 'notice', role: 'status' }, t('contact.formulario.unsure')),
    summary(type, subtype, false),
    h('p', { class: 'hint' }, t('form.required_note')),
    controls.length > 0 && h('fieldset', { class: 'group' }, h('legend', {}, pick(subtype.name)), controls),
    field({
      name: 'description',
      kind: 'textarea',
      label: t('contact.formulario.description'),
      required: true,
      value: state.description,
      rows: 6,
      onInput: (v) => {
        state.description = v;
        save();
      },
    }),
    placeFields(),
    nav(before(cat, 'formulario')),
  );

  function submit(e) {
    e.preventDefault();
    clearErrors(formEl);
    const errors = detailErrors(fields);
    if (errors.length) {
      showErrors(formEl, errors);
      return;
    }
    state.serverErrors = (state.serverErrors || []).filter((x) => !detailError(x));
    save();
    go('/contacto/datos');
  }
  const view = frame(cat, 'formulario', formEl);
  // Errors the API found in this step when the request was sent come back here (the router
  // focuses the summary once the page is shown).
  const pending = (state.serverErrors || []).filter(detailError);
  if (pending.length) showErrors(formEl, pending, t('form.server_errors_title'));
  return view;
}

function detailErrors(fields) {
  const errors = [];
  for (const f of fields) {
    const message = checkField(f, state.form[f.name]);
    if (message) errors.push({ field: `form.${f.name}`, message });
  }
  if (!state.description.trim())
    errors.push({ field: 'description', message: t('val.description_required') });
  if (state.description.length > 10000)
    errors.push({ field: 'description', message: t('val.max_length', { n: 10000 }) });
  const address = ((state.place && state.place.address) || '').trim();
  if (address && address.length < 3)
    errors.push({ field: 'location.address', message: t('val.min_length', { n: 3 }) });
  if (address.length > 400)
    errors.push({ field: 'location.address', message: t('val.max_length', { n: 400 }) });
  return errors;
}

// ---- 5. who you are, last, and send -----------------------------------------------------------

function identify(cat) {
  const type = typeOf(cat);
  const subtype = subtypeOf(cat);
  const fields = subtype.fields || [];
  // Details not given yet (a deep link to this step, an old draft): that step first.
  if (detailErrors(fields).length) {
    skipTo('formulario');
    return null;
  }
  const who = state.who;
  const set = (k) => (v) => {
    who[k] = v;
    save();
  };
  const channelBoxes = NOTICE_CHANNELS.map((c) =>
    h(
      'div',
      { class: 'field check' },
      h('input', {
        type: 'checkbox',
        id: `ch-${c}`,
        name: 'channels',
        value: c,
        checked: who.channels.includes(c),
        onchange: (e) => {
          who.channels = NOTICE_CHANNELS.filter((x) =>
            x === c ? e.target.checked : who.channels.includes(x),
          );
          save();
        },
      }),
      h('label', { for: `ch-${c}` }, t(`channel.${c}`)),
    ),
  );
  const channels = h(
    'fieldset',
    { class: 'group', 'data-for': 'requester.channels', 'aria-describedby': 'ch-hint ch-err' },
    h('legend', {}, t('contact.datos.channels')),
    h('p', { class: 'hint', id: 'ch-hint' }, t('contact.datos.channels_hint')),
    h('p', { class: 'error', id: 'ch-err', hidden: true }),
    channelBoxes,
  );
  const consent = field({
    name: 'requester.consent',
    kind: 'checkbox',
    required: true,
    value: who.consent,
    onInput: set('consent'),
    label: t('contact.datos.consent'),
  });
  consent.append(h('p', { class: 'hint' }, h('a', { href: '#/privacidad' }, t('nav.privacy'))));
  const status = statusLine();
  const formEl = h(
    'form',
    { novalidate: true, onsubmit: submit },
    errorSummary(),
    summary(type, subtype, true),
    h('p', { class: 'hint' }, t('form.required_note')),
    field({
      name: 'requester.name',
      label: t('contact.datos.name'),
      required: true,
      value: who.name,
      autocomplete: 'name',
      onInput: set('name'),
    }),
    field({
      name: 'requester.email',
      kind: 'email',
      label: t('contact.datos.email'),
      value: who.email,
      autocomplete: 'email',
      hint: t('contact.datos.email_hint'),
      onInput: set('email'),
    }),
    field({
      name: 'requester.phone',
      kind: 'phone',
      label: t('contact.datos.phone'),
      value: who.phone,
      autocomplete: 'tel',
      hint: t('contact.datos.phone_hint'),
      onInput: set('phone'),
    }),
    channels,
    consent,
    status,
    nav('formulario', t('contact.formulario.send')),
  );

  async function submit(e) {
    e.preventDefault();
    clearErrors(formEl);
    const errors = [];
    const name = who.name.trim();
    if (name.length < 2)
      errors.push({
        field: 'requester.name',
        message: t(name ? 'val.min_length' : 'val.name_required', { n: 2 }),
      });
    else if (name.length > 120)
      errors.push({ field: 'requester.name', message: t('val.max_length', { n: 120 }) });
    if (!who.email.trim() && !who.phone.trim())
      errors.push({ field: 'requester.email', message: t('val.contact_required') });
    if (who.email.trim() && !emailIsValid(who.email))
      errors.push({ field: 'requester.email', message: t('val.email') });
    if (who.phone.trim() && !phoneLooksValid(who.phone))
      errors.push({ field: 'requester.phone', message: t('val.phone') });
    if (who.channels.includes('email') && !who.email.trim())
      errors.push({ field: 'requester.channels', message: t('val.channel_email') });
    if (who.channels.includes('sms') && !who.phone.trim())
      errors.push({ field: 'requester.channels', message: t('val.channel_sms') });
    if (!who.consent) errors.push({ field: 'requester.consent', message: t('val.consent') });
    if (errors.length) {
      showErrors(formEl, errors);
      return;
    }
    const body = payload(fields);
    const text = JSON.stringify(body);
    if (!state.idem || state.idem.body !== text) state.idem = { key: crypto.randomUUID(), body: text };
    state.serverErrors = [];
    save();
    const button = formEl.querySelector('button[type=submit]');
    busy(button, true);
    status.textContent = t('contact.formulario.sending');
    try {
      const created = await request('/tickets', {
        method: 'POST',
        body,
        headers: { 'Idempotency-Key': state.idem.key },
      });
      rememberCode(created.number, created.access_code);
      sessionStorage.setItem(
        'ventanilla.created',
        JSON.stringify({
          ...created,
          subject: created.subject || state.subject.trim(),
          who: state.who,
          lang: getLang(),
          targets: subtype.targets || null,
        }),
      );
      state = fresh();
      sessionStorage.removeItem(KEY);
      go('/contacto/enviada');
    } catch (error) {
      busy(button, false);
      status.textContent = '';
      // A limit (429) is no field's fault: its detail says how long to wait.
      if (!(error instanceof ApiError) || !error.errors.length || error.status === 429) {
        showErrors(formEl, [{ field: null, message: error.message }], t('form.send_failed'));
        return;
      }
      // Errors in this step are shown beside its fields; the others are listed with a way back
      // to the step that has the field (which shows them beside it).
      state.serverErrors = error.errors;
      save();
      const here = error.errors.filter((x) => x.field && x.field.startsWith('requester.'));
      const there = error.errors.filter((x) => !here.includes(x));
      const all = [...here, ...there.map((x) => ({ field: null, message: named(x) }))];
      showErrors(formEl, all, t('form.server_errors_title'));
      const summaryBox = formEl.querySelector('.error-summary');
      if (there.some(detailError))
        summaryBox.append(
          h('p', {}, h('a', { href: '#/contacto/formulario' }, t('contact.datos.fix_details'))),
        );
      if (there.some((x) => x.field === 'subject'))
        summaryBox.append(h('p', {}, h('a', { href: '#/contacto/tipo' }, t('contact.datos.fix_subject'))));
    }
  }
  const view = frame(cat, 'datos', formEl);
  const pending = (state.serverErrors || []).filter((x) => x.field && x.field.startsWith('requester.'));
  if (pending.length) showErrors(formEl, pending, t('form.server_errors_title'));
  return view;
}

/** Where it happens (optional): an address and/or the device's position ("use my location"). */
function placeFields() {
  const place = state.place || (state.place = { address: '', lat: null, long: null });
  const shown = h('p', {
    class: 'hint',
    id: 'place-point',
    'data-testid': 'place-point',
    'aria-live': 'polite',
  });
  const remove = h(
    'button',
    {
      type: 'button',
      class: 'btn link',
      hidden: true,
      onclick: () => {
        place.lat = null;
        place.long = null;
        save();
        paint();
      },
    },
    t('place.remove'),
  );
  const locate = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      'data-testid': 'use-location',
      onclick: () => {
        if (!navigator.geolocation) {
          shown.textContent = t('place.unavailable');
          return;
        }
        shown.textContent = t('place.locating');
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(
          (pos) => {
            place.lat = Math.round(pos.coords.latitude * 1e6) / 1e6;
            place.long = Math.round(pos.coords.longitude * 1e6) / 1e6;
            locate.disabled = false;
            save();
            paint();
          },
          (err) => {
            locate.disabled = false;
            shown.textContent = t(err && err.code === 1 ? 'place.denied' : 'place.unavailable');
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
        );
      },
    },
    t('place.use_mine'),
  );
  function paint() {
    const has = place.lat !== null && place.long !== null;
    shown.textContent = has
      ? t('place.point', { lat: place.lat.toFixed(5), long: place.long.toFixed(5) })
      : t('place.none');
    remove.hidden = !has;
  }
  paint();
  return h(
    'fieldset',
    { class: 'group', 'data-for': 'location' },
    h('legend', {}, t('place.legend')),
    h('p', { class: 'hint' }, t('place.hint')),
    field({
      name: 'location.address',
      label: t('place.address'),
      value: place.address,
      autocomplete: 'street-address',
      hint: t('place.address_hint'),
      onInput: (v) => {
        place.address = v;
        save();
      },
    }),
    h('div', { class: 'actions' }, locate, remove),
    shown,
  );
}

function placePayload() {
  const place = state.place || {};
  const address = (place.address || '').trim();
  const point =
    place.lat !== null && place.lat !== undefined && place.long !== null && place.long !== undefined;
  if (!address && !point) return null;
  return { address: address || null, lat: point ? place.lat : null, long: point ? place.long : null };
}

const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1).trimEnd()}…` : text);

/** What the request is about so far, each part with a way back to change it. */
function summary(type, subtype, withDetails) {
  const change = (step, what) =>
    h(
      'a',
      { href: `#/contacto/${step}` },
      t('common.change'),
      h('span', { class: 'visually-hidden' }, ` ${what}`),
    );
  const limits = targets(subtype);
  return h(
    'div',
    { class: 'summary' },
    h('h2', {}, t('contact.formulario.summary')),
    h(
      'dl',
      {},
      h('dt', {}, t('contact.formulario.topic')),
      h('dd', {}, `${pick(type.name)} › ${pick(subtype.name)}`, ' ', change('tipo', t('contact.steps.tipo'))),
      h('dt', {}, t('contact.formulario.subject')),
      h('dd', {}, state.subject.trim(), ' ', change('tipo', t('contact.formulario.subject'))),
      withDetails && [
        h('dt', {}, t('contact.formulario.description')),
        h(
          'dd',
          {},
          clip(state.description.trim(), 160),
          ' ',
          change('formulario', t('contact.steps.formulario')),
        ),
      ],
      limits && [h('dt', {}, t('contact.formulario.targets')), h('dd', { 'data-testid': 'targets' }, limits)],
    ),
  );
}

function payload(fields) {
  const formValues = {};
  for (const f of fields) {
    const v = toApiValue(f, state.form[f.name]);
    if (v !== undefined) formValues[f.name] = v;
  }
  const who = state.who;
  return {
    type: state.type,
    subtype: state.subtype,
    subject: state.subject.trim(),
    description: state.description.trim(),
    form: formValues,
    requester: {
      name: who.name.trim(),
      email: who.email.trim() || null,
      phone: who.phone.trim() || null,
      language: getLang(),
      channels: who.channels,
      kind: 'external',
      consent: who.consent,
    },
    channel: 'web',
    seen_articles: [
      ...new Set([state.origin, ...(state.suggested || []).map((a) => a.slug)].filter(Boolean)),
    ],
    location: placePayload(),
  };
}

// ---- 6. confirmation --------------------------------------------------------------------------

/** The code in groups of four (WT5R-8KQD-VP): easier to read out and type; any grouping is accepted. */
const grouped = (code) =>
  (
    String(code || '')
      .replace(/[\s-]/g, '')
      .match(/.{1,4}/g) || []
  ).join('-');

function confirmation() {
  let created;
  try {
    created = JSON.parse(sessionStorage.getItem('ventanilla.created') || 'null');
  } catch {
    created = null;
  }
  if (!created) {
    go('/contacto');
    return null;
  }
  const who = created.who || { channels: [] };
  const ways = who.channels.map((c) => t(`contact.enviada.via_${c}`, { email: who.email, phone: who.phone }));
  const followHref = `#/solicitud/${created.number}`;
  const followUrl = `${location.origin}${location.pathname}#/solicitud`;
  const institution = h('dd', { 'data-testid': 'receipt-institution' });
  config()
    .then((cfg) => {
      institution.textContent = cfg.institution || '';
    })
    .catch(() => {});
  const copied = h('span', { class: 'copy-status', role: 'status' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(grouped(created.access_code));
      copied.textContent = t('contact.enviada.copied');
    } catch {
      copied.textContent = t('contact.enviada.copy_failed');
    }
  };
  return h(
    'section',
    { class: 'flow done' },
    h('h1', {}, t('contact.enviada.title')),
    h('p', { class: 'lead' }, t('contact.enviada.lead')),
    h(
      'dl',
      { class: 'receipt' },
      // What a printed receipt needs too: who, what, and where to follow it.
      h('dt', {}, t('contact.enviada.institution')),
      institution,
      created.subject && [h('dt', {}, t('contact.enviada.subject')), h('dd', {}, created.subject)],
      h('dt', {}, t('request.number')),
      h('dd', { class: 'big', 'data-testid': 'ticket-number' }, created.number),
      h('dt', {}, t('request.code')),
      h(
        'dd',
        {},
        h('span', { class: 'big mono', 'data-testid': 'access-code' }, grouped(created.access_code)),
        ' ',
        h(
          'button',
          { type: 'button', class: 'btn small copy-code', onclick: copy },
          t('contact.enviada.copy'),
        ),
        ' ',
        copied,
      ),
      h('dt', {}, t('contact.enviada.where')),
      h('dd', { class: 'follow-url' }, followUrl),
      h('dt', {}, t('request.expected')),
      h('dd', {}, fmtDateTime(created.expected_response_by)),
      h('dt', {}, t('request.resolution_due')),
      h('dd', {}, fmtDate(created.resolution_due)),
      created.targets && [
        h('dt', {}, t('contact.formulario.targets')),
        h('dd', { 'data-testid': 'receipt-targets' }, targets(created)),
      ],
    ),
    h('p', { class: 'notice' }, t('contact.enviada.keep_code')),
    h('h2', {}, t('contact.enviada.how_title')),
    h(
      'ul',
      {},
      ways.map((w) => h('li', {}, w)),
      h('li', {}, t('contact.enviada.via_web')),
    ),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'btn primary', href: followHref }, t('contact.enviada.follow')),
      h(
        'button',
        { type: 'button', class: 'btn', onclick: () => window.print() },
        t('contact.enviada.print'),
      ),
    ),
  );
}
