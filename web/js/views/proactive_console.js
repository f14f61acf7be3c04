// Proactive service, console (issue 16 items 5 and 6): subscription topics (create, rename,
// retire), sectors (upload GeoJSON with each feature's problems shown, list, delete), campaigns and
// newsletters (compose es/en, segment with its size, rendered preview, one-time or recurring
// schedule, cancel, figures), and the supervisors' dashboard card of the latest alerts and
// campaigns with their figures. Its words live here, in Spanish and English.
import { h, announce, dataTable } from '../dom.js';
import { request, catalog } from '../api.js';
import { getLang, pick, LANGUAGES } from '../i18n.js';
import { busy, errorSummary, field, showErrors, statusLine, checkedForm, actionButton } from '../forms.js';
import { checkGroup, guarded, page, showApiError } from './console_kit.js';

const WORDS = {
  es: {
    topics_title: 'Temas de suscripción',
    sectors_title: 'Sectores',
    campaigns_title: 'Campañas y boletines',
    code: 'Código',
    code_hint: 'Minúsculas, números y guiones; no cambia después (por ejemplo cortes-agua).',
    name_es: 'Nombre (español)',
    name_en: 'Nombre (inglés)',
    desc_es: 'Descripción (español)',
    desc_en: 'Descripción (inglés)',
    add_topic: 'Crear tema',
    topic_saved: 'Tema guardado.',
    rename: 'Guardar nombre',
    retire: 'Retirar',
    reactivate: 'Reactivar',
    retired: 'retirado',
    active: 'activo',
    no_topics: 'Todavía no hay temas.',
    existing_topics: 'Temas',
    retire_hint: 'Un tema retirado deja de ofrecerse en el portal; los suscriptores lo conservan.',
    upload_title: 'Cargar sectores (GeoJSON)',
    upload_hint:
      'Un FeatureCollection de polígonos; cada sector con properties.code y properties.name. Un sector con el mismo código se reemplaza.',
    file: 'Archivo GeoJSON',
    upload: 'Cargar',
    uploaded: 'Sectores guardados: {list}.',
    not_json: 'El archivo no es JSON válido: {detail}',
    no_file: 'Elija un archivo .geojson o .json.',
    feature: 'Elemento {n} ({code})',
    sectors_list: 'Sectores cargados',
    no_sectors: 'Todavía no hay sectores.',
    sector_name: 'Nombre',
    cells: 'Celdas del índice',
    vertices: 'Vértices',
    updated: 'Actualizado',
    subscribers: 'Suscriptores',
    delete: 'Eliminar',
    confirm_delete: '¿Eliminar el sector {code}?',
    deleted: 'Sector eliminado.',
    actions: 'Acciones',
    compose: 'Nueva campaña',
    campaign_name: 'Nombre interno',
    subject_es: 'Asunto (español)',
    subject_en: 'Asunto (inglés)',
    body_es: 'Texto (español)',
    body_en: 'Texto (inglés)',
    body_hint: 'Texto simple; una línea en blanco separa párrafos.',
    topics: 'Temas',
    sectors: 'Sectores (sin ninguno: todos)',
    languages: 'Idiomas (sin ninguno: todos)',
    channels: 'Canales',
    ch_email: 'Correo',
    ch_sms: 'SMS',
    ch_webpush: 'Notificación del navegador',
    segment: 'Segmento (opcional: solo ciudadanos con cuenta que coincidan)',
    age_bands: 'Tramos de edad',
    filed_types: 'Que hayan presentado solicitudes de',
    filed_months: 'En los últimos (meses)',
    send_at: 'Enviar el (fecha y hora local; vacío: ahora)',
    every_days: 'Repetir cada (días; vacío: una sola vez)',
    preview: 'Vista previa y audiencia',
    create: 'Programar campaña',
    audience: 'Audiencia: {n} suscriptores',
    estimated: 'Audiencia estimada: {n} suscriptores (según una muestra de {s})',
    preview_title: 'Así se verá el correo',
    scheduled: 'Campaña programada.',
    recent: 'Campañas recientes',
    none: 'Todavía no hay campañas.',
    cancel: 'Cancelar próximos envíos',
    st_scheduled: 'programada',
    st_sent: 'enviada',
    st_cancelled: 'cancelada',
    next_run: 'Próximo envío',
    every: 'cada {n} días',
    runs: 'envíos hechos: {n}',
    totals: 'Totales de {n} envíos:',
    figures:
      'Audiencia {audience} · enviados {sent} · entregados {delivered} · rebotes {bounced} · quejas {complaints} · bajas {unsubscribes} · fallidos {failed} · omitidos {skipped}',
    dash_title: 'Avisos y campañas recientes',
    dash_kind: 'Tipo',
    dash_name: 'Nombre',
    dash_alert: 'Aviso',
    dash_campaign: 'Campaña',
    f_audience: 'Audiencia',
    f_sent: 'Enviados',
    f_delivered: 'Entregados',
    f_bounced: 'Rebotes',
    f_complaints: 'Quejas',
    f_unsubscribes: 'Bajas',
    dash_none: 'Todavía no hay avisos ni campañas.',
    dash_more: 'Ver avisos',
    dash_more_campaigns: 'Ver campañas',
    everywhere: 'Suscripciones confirmadas a todos los sectores: {n}.',
    topic_subscribers: '{n} suscriptores confirmados',
    subscribers_hint:
      'Suscriptores: suscripciones confirmadas (correo, SMS o navegador) que siguen el sector.',
    regions: 'Regiones',
    comunas: 'Comunas',
    interests: 'Intereses',
    list_hint:
      'Separe con comas. No importan mayúsculas ni tildes (Ñuñoa = nunoa). Se comparan con lo que cada ciudadano indicó en su cuenta.',
    interests_hint: 'Los temas que el ciudadano marcó como de su interés en su cuenta.',
    seg_summary: 'Segmento: {list}',
    seg_none: 'Sin segmento: todos los suscriptores confirmados de los temas y sectores elegidos.',
    seg_within: 'en los últimos {n} meses',
  },
  en: {
    topics_title: 'Subscription topics',
    sectors_title: 'Sectors',
    campaigns_title: 'Campaigns and newsletters',
    code: 'Code',
    code_hint: 'Lowercase letters, digits and hyphens; it does not change later (e.g. water-cuts).',
    name_es: 'Name (Spanish)',
    name_en: 'Name (English)',
    desc_es: 'Description (Spanish)',
    desc_en: 'Description (English)',
    add_topic: 'Create topic',
    topic_saved: 'Topic saved.',
    rename: 'Save name',
    retire: 'Retire',
    reactivate: 'Reactivate',
    retired: 'retired',
    active: 'active',
    no_topics: 'No topics yet.',
    existing_topics: 'Topics',
    retire_hint: 'A retired topic is no longer offered on the portal; subscribers keep it.',
    upload_title: 'Upload sectors (GeoJSON)',
    upload_hint:
      'A FeatureCollection of polygons; each sector with properties.code and properties.name. A sector with the same code is replaced.',
    file: 'GeoJSON file',
    upload: 'Upload',
    uploaded: 'Sectors saved: {list}.',
    not_json: 'The file is not valid JSON: {detail}',
    no_file: 'Choose a .geojson or .json file.',
    feature: 'Feature {n} ({code})',
    sectors_list: 'Sectors loaded',
    no_sectors: 'No sectors yet.',
    sector_name: 'Name',
    cells: 'Index cells',
    vertices: 'Vertices',
    updated: 'Updated',
    subscribers: 'Subscribers',
    delete: 'Delete',
    confirm_delete: 'Delete sector {code}?',
    deleted: 'Sector deleted.',
    actions: 'Actions',
    compose: 'New campaign',
    campaign_name: 'Internal name',
    subject_es: 'Subject (Spanish)',
    subject_en: 'Subject (English)',
    body_es: 'Text (Spanish)',
    body_en: 'Text (English)',
    body_hint: 'Plain text; a blank line separates paragraphs.',
    topics: 'Topics',
    sectors: 'Sectors (none: all)',
    languages: 'Languages (none: all)',
    channels: 'Channels',
    ch_email: 'Email',
    ch_sms: 'SMS',
    ch_webpush: 'Browser notification',
    segment: 'Segment (optional: only citizens with an account who match)',
    age_bands: 'Age bands',
    filed_types: 'Who filed requests of',
    filed_months: 'In the last (months)',
    send_at: 'Send on (local date and time; empty: now)',
    every_days: 'Repeat every (days; empty: once)',
    preview: 'Preview and audience',
    create: 'Schedule campaign',
    audience: 'Audience: {n} subscribers',
    estimated: 'Estimated audience: {n} subscribers (from a sample of {s})',
    preview_title: 'How the email will look',
    scheduled: 'Campaign scheduled.',
    recent: 'Recent campaigns',
    none: 'No campaigns yet.',
    cancel: 'Cancel next sends',
    st_scheduled: 'scheduled',
    st_sent: 'sent',
    st_cancelled: 'cancelled',
    next_run: 'Next send',
    every: 'every {n} days',
    runs: 'sends done: {n}',
    totals: 'Totals of {n} sends:',
    figures:
      'Audience {audience} · sent {sent} · delivered {delivered} · bounced {bounced} · complaints {complaints} · unsubscribes {unsubscribes} · failed {failed} · skipped {skipped}',
    dash_title: 'Latest alerts and campaigns',
    dash_kind: 'Kind',
    dash_name: 'Name',
    dash_alert: 'Alert',
    dash_campaign: 'Campaign',
    f_audience: 'Audience',
    f_sent: 'Sent',
    f_delivered: 'Delivered',
    f_bounced: 'Bounced',
    f_complaints: 'Complaints',
    f_unsubscribes: 'Unsubscribes',
    dash_none: 'No alerts or campaigns yet.',
    dash_more: 'See alerts',
    dash_more_campaigns: 'See campaigns',
    everywhere: 'Confirmed subscriptions to every sector: {n}.',
    topic_subscribers: '{n} confirmed subscribers',
    subscribers_hint: 'Subscribers: confirmed subscriptions (email, SMS or browser) following the sector.',
    regions: 'Regions',
    comunas: 'Municipalities (comunas)',
    interests: 'Interests',
    list_hint:
      'Separate with commas. Case and accents do not matter (Ñuñoa = nunoa). Compared with what each citizen gave in their account.',
    interests_hint: 'The topics the citizen marked as interesting in their account.',
    seg_summary: 'Segment: {list}',
    seg_none: 'No segment: every confirmed subscriber of the chosen topics and sectors.',
    seg_within: 'in the last {n} months',
  },
};

const w = (key, params) => {
  const text = (WORDS[getLang()] || WORDS.es)[key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, n) => params[n] ?? m) : text;
};
const local = (iso) => (iso ? new Date(iso).toLocaleString(getLang() === 'es' ? 'es-CL' : 'en') : '—');
const named = (item) => (getLang() === 'en' && item.name_en ? item.name_en : item.name);
const MANAGERS = ['supervisor', 'admin'];
const FIGURES = [
  'audience',
  'sent',
  'delivered',
  'bounced',
  'complaints',
  'unsubscribes',
  'failed',
  'skipped',
];
const figureLine = (f) => w('figures', Object.fromEntries(FIGURES.map((k) => [k, (f || {})[k] || 0])));

function consolePage(path, titleKey, render) {
  return async (ctx) => {
    const { accessToken } = await import('../auth.js');
    return guarded(MANAGERS, w(titleKey), async (c, session) => {
      const token = await accessToken();
      const api = (p, opts = {}) => request(p, { ...opts, token });
      return page(session, path, w(titleKey), await render(c, api, session));
    })(ctx);
  };
}

// What a change said survives the page's new rendering (the list shows the change).
let carried = '';
function statusBox() {
  const status = statusLine();
  if (carried) {
    status.className = 'flash';
    status.textContent = carried;
    carried = '';
  }
  return status;
}
function done(ctx, text) {
  carried = text;
  announce(text);
  ctx.rerender();
}

// ---- topics ----------------------------------------------------------------------------------------

async function topicsView(ctx, api) {
  const list = (await api('/admin/subscription-topics')).items;
  const status = statusBox();
  const fields = {
    code: field({ name: 'code', label: w('code'), hint: w('code_hint'), required: true }),
    name: field({ name: 'name', label: w('name_es'), required: true }),
    name_en: field({ name: 'name_en', label: w('name_en') }),
    description: field({ name: 'description', label: w('desc_es'), kind: 'textarea', rows: 2 }),
    description_en: field({ name: 'description_en', label: w('desc_en'), kind: 'textarea', rows: 2 }),
  };
  const add = h('button', { type: 'submit', class: 'btn primary' }, w('add_topic'));
  const put = async (code, body) =>
    api(`/admin/subscription-topics/${encodeURIComponent(code)}`, { method: 'PUT', body });
  const form = checkedForm(
    {
      'aria-labelledby': 'topic-new-h',
      send: async () => {
        const code = fields.code.control.value.trim();
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(code)) {
          showErrors(form, [{ field: 'code', message: w('code_hint') }]);
          return;
        }
        const body = { name: fields.name.control.value.trim() };
        for (const k of ['name_en', 'description', 'description_en'])
          if (fields[k].control.value.trim()) body[k] = fields[k].control.value.trim();
        busy(add, true);
        try {
          await put(code, body);
          done(ctx, w('topic_saved'));
        } catch (error) {
          showApiError(form, error);
        }
        busy(add, false);
      },
    },
    errorSummary(),
    ...Object.values(fields),
    h('div', { class: 'actions' }, add),
  );
  const rows = list.map((topic) => {
    const es = field({ name: 'name', label: w('name_es'), value: topic.name, required: true });
    const en = field({ name: 'name_en', label: w('name_en'), value: topic.name_en || '' });
    const save = (active) => async (e) => {
      e.preventDefault();
      const body = { name: es.control.value.trim(), active };
      if (en.control.value.trim()) body.name_en = en.control.value.trim();
      for (const k of ['description', 'description_en']) if (topic[k]) body[k] = topic[k];
      try {
        await put(topic.code, body);
        done(ctx, w('topic_saved'));
      } catch (error) {
        showApiError(row, error);
      }
    };
    const row = h(
      'form',
      { class: 'topic-row', novalidate: true, 'data-topic': topic.code, onsubmit: save(topic.active) },
      h('h3', {}, topic.code, ' ', h('span', { class: 'badge' }, w(topic.active ? 'active' : 'retired'))),
      h(
        'p',
        { class: 'hint', 'data-testid': 'topic-subscribers' },
        w('topic_subscribers', { n: topic.subscribers ?? 0 }),
      ),
      errorSummary(),
      es,
      en,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'btn' }, w('rename')),
        h(
          'button',
          { type: 'button', class: 'btn', onclick: save(!topic.active) },
          w(topic.active ? 'retire' : 'reactivate'),
        ),
      ),
    );
    return h('li', {}, row);
  });
  return [
    status,
    h('h2', { id: 'topic-new-h' }, w('add_topic')),
    form,
    h('h2', {}, w('existing_topics')),
    h('p', { class: 'hint' }, w('retire_hint')),
    rows.length ? h('ul', { class: 'topic-list' }, rows) : h('p', {}, w('no_topics')),
  ];
}

// ---- sectors ---------------------------------------------------------------------------------------

/** The API's field errors of an upload, one line per feature ("Elemento 2 (centro): ..."). */
function featureErrors(error, features) {
  return error.errors.map((x) => {
    const m = /^features\.(\d+)/.exec(x.field || '');
    if (!m) return { field: 'file', message: x.field ? `${x.field}: ${x.message}` : x.message };
    const n = Number(m[1]);
    const code = ((features[n] || {}).properties || {}).code || '?';
    return { field: 'file', message: `${w('feature', { n: n + 1, code })}: ${x.message}` };
  });
}

async function sectorsView(ctx, api, session) {
  const admin = session.groups.includes('admin');
  const listed = await api('/admin/areas');
  const list = listed.items;
  const status = statusBox();
  const input = h('input', {
    type: 'file',
    id: 'sector-file',
    name: 'file',
    accept: '.geojson,.json,application/geo+json,application/json',
    'aria-describedby': 'sector-file-hint sector-file-err',
  });
  const problems = h('ul', { class: 'error-list', 'data-testid': 'sector-errors' });
  const box = h(
    'div',
    { class: 'field', 'data-for': 'file' },
    h('label', { for: 'sector-file' }, w('file')),
    h('p', { class: 'hint', id: 'sector-file-hint' }, w('upload_hint')),
    h('p', { class: 'error', id: 'sector-file-err', hidden: true }),
    input,
  );
  const button = h('button', { type: 'submit', class: 'btn primary' }, w('upload'));
  const show = (errors) => {
    showErrors(form, [{ field: 'file', message: errors[0].message }]);
    problems.replaceChildren(...errors.map((e) => h('li', {}, e.message)));
  };
  const form = checkedForm(
    {
      'aria-labelledby': 'sector-up-h',
      send: async () => {
        problems.replaceChildren();
        const file = input.files[0];
        if (!file) {
          show([{ message: w('no_file') }]);
          return;
        }
        let data;
        try {
          data = JSON.parse(await file.text());
        } catch (error) {
          show([{ message: w('not_json', { detail: error.message }) }]);
          return;
        }
        busy(button, true);
        try {
          const saved = await api('/admin/areas', { method: 'POST', body: data });
          done(ctx, w('uploaded', { list: saved.saved.join(', ') }));
        } catch (error) {
          show(
            error.errors && error.errors.length
              ? featureErrors(error, (data && data.features) || [])
              : [{ message: error.message }],
          );
        }
        busy(button, false);
      },
    },
    errorSummary(),
    box,
    problems,
    h('div', { class: 'actions' }, button),
  );
  const table = list.length
    ? dataTable(
        w('sectors_list'),
        [
          w('code'),
          w('sector_name'),
          w('subscribers'),
          w('vertices'),
          w('cells'),
          w('updated'),
          w('actions'),
        ],
        list.map((s) =>
          h(
            'tr',
            { 'data-sector': s.code },
            h('th', { scope: 'row' }, s.code),
            h('td', {}, named(s)),
            h('td', { 'data-testid': 'sector-subscribers' }, String(s.subscribers ?? 0)),
            h('td', {}, String(s.vertices)),
            h('td', {}, String(s.cells)),
            h('td', {}, local(s.updated_at)),
            h(
              'td',
              {},
              admin &&
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn',
                    'aria-label': `${w('delete')} ${s.code}`,
                    onclick: async (e) => {
                      if (!window.confirm(w('confirm_delete', { code: s.code }))) return;
                      busy(e.target, true);
                      await api(`/admin/areas/${encodeURIComponent(s.code)}`, { method: 'DELETE' });
                      done(ctx, w('deleted'));
                    },
                  },
                  w('delete'),
                ),
            ),
          ),
        ),
        { attrs: { class: 'sectors', 'aria-describedby': 'sector-count-hint' } },
      )
    : h('p', {}, w('no_sectors'));
  const counted = [
    h('p', { class: 'hint', id: 'sector-count-hint' }, w('subscribers_hint')),
    h('p', { 'data-testid': 'sector-everywhere' }, w('everywhere', { n: listed.everywhere ?? 0 })),
  ];
  return [
    status,
    admin ? [h('h2', { id: 'sector-up-h' }, w('upload_title')), form] : null,
    ...counted,
    table,
  ];
}

// ---- campaigns -------------------------------------------------------------------------------------

async function campaignsView(ctx, api) {
  const [topics, areas, list, cat] = await Promise.all([
    api('/admin/subscription-topics'),
    api('/admin/areas'),
    api('/admin/campaigns'),
    catalog(),
  ]);
  const status = statusBox();
  const fields = {
    name: field({ name: 'name', label: w('campaign_name'), required: true }),
    'subject.es': field({ name: 'subject.es', label: w('subject_es'), required: true }),
    'subject.en': field({ name: 'subject.en', label: w('subject_en') }),
    'body.es': field({
      name: 'body.es',
      label: w('body_es'),
      kind: 'textarea',
      rows: 6,
      required: true,
      hint: w('body_hint'),
    }),
    'body.en': field({ name: 'body.en', label: w('body_en'), kind: 'textarea', rows: 6 }),
    send_at: field({ name: 'send_at', label: w('send_at') }),
    every_days: field({ name: 'every_days', label: w('every_days'), kind: 'number', inputmode: 'numeric' }),
    'segment.filed_within_months': field({
      name: 'segment.filed_within_months',
      label: w('filed_months'),
      kind: 'number',
      value: '12',
    }),
    'segment.regions': field({ name: 'segment.regions', label: w('regions'), hint: w('list_hint') }),
    'segment.comunas': field({ name: 'segment.comunas', label: w('comunas'), hint: w('list_hint') }),
  };
  fields.send_at.control.type = 'datetime-local';
  const opts = (items) => items.map((x) => ({ value: x.code, label: named(x) }));
  const groups = {
    topics: checkGroup('topics', w('topics'), opts(topics.items.filter((x) => x.active)), []),
    sectors: checkGroup('sectors', w('sectors'), opts(areas.items), []),
    languages: checkGroup('languages', w('languages'), LANGUAGES, []),
    channels: checkGroup(
      'channels',
      w('channels'),
      ['email', 'sms', 'webpush'].map((c) => ({ value: c, label: w(`ch_${c}`) })),
      ['email'],
    ),
    'segment.age_bands': checkGroup(
      'segment.age_bands',
      w('age_bands'),
      ['<18', '18-29', '30-44', '45-59', '60-74', '75+'].map((b) => ({ value: b, label: b })),
      [],
    ),
    'segment.filed_types': checkGroup(
      'segment.filed_types',
      w('filed_types'),
      (cat.types || []).map((x) => ({ value: x.code, label: pick(x.name) })),
      [],
    ),
    'segment.interests': checkGroup(
      'segment.interests',
      w('interests'),
      opts(topics.items.filter((x) => x.active)),
      [],
    ),
  };
  groups['segment.interests'].append(h('p', { class: 'hint' }, w('interests_hint')));
  // "Ñuñoa, Providencia , ñuñoa" -> ["Ñuñoa", "Providencia"] (the API folds case and accents too).
  const listOf = (text) => {
    const seen = new Set();
    return text
      .split(/[,\n;]/)
      .map((x) => x.trim())
      .filter((x) => {
        const key = x
          .normalize('NFKD')
          .replace(/[\u0300-\u036f]/g, '')
          .toLowerCase();
        if (!x || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  };
  const body = () => {
    const v = (k) => fields[k].control.value.trim();
    const out = {
      name: v('name'),
      subject: { es: v('subject.es') },
      body: { es: v('body.es') },
      topics: groups.topics.values(),
      sectors: groups.sectors.values(),
      languages: groups.languages.values(),
      channels: groups.channels.values(),
    };
    if (v('subject.en')) out.subject.en = v('subject.en');
    if (v('body.en')) out.body.en = v('body.en');
    if (v('send_at')) out.send_at = new Date(v('send_at')).toISOString();
    if (v('every_days')) out.every_days = Number(v('every_days'));
    const bands = groups['segment.age_bands'].values();
    const types = groups['segment.filed_types'].values();
    const regions = listOf(v('segment.regions'));
    const comunas = listOf(v('segment.comunas'));
    const interests = groups['segment.interests'].values();
    if (bands.length || types.length || regions.length || comunas.length || interests.length) {
      out.segment = { regions, comunas, age_bands: bands, interests, filed_types: types };
      if (types.length && v('segment.filed_within_months'))
        out.segment.filed_within_months = Number(v('segment.filed_within_months'));
    }
    return out;
  };
  // What the preview's audience was counted with, in words (the editor checks the segment there).
  const topicName = Object.fromEntries(topics.items.map((x) => [x.code, named(x)]));
  const typeName = Object.fromEntries((cat.types || []).map((x) => [x.code, pick(x.name)]));
  const segmentLine = (seg) => {
    if (!seg) return w('seg_none');
    const parts = [
      seg.regions.length && `${w('regions')}: ${seg.regions.join(', ')}`,
      seg.comunas.length && `${w('comunas')}: ${seg.comunas.join(', ')}`,
      seg.age_bands.length && `${w('age_bands')}: ${seg.age_bands.join(', ')}`,
      seg.interests.length && `${w('interests')}: ${seg.interests.map((c) => topicName[c] || c).join(', ')}`,
      seg.filed_types.length &&
        `${w('filed_types')} ${seg.filed_types.map((c) => typeName[c] || c).join(', ')} ${w('seg_within', { n: seg.filed_within_months || 12 })}`,
    ].filter(Boolean);
    return w('seg_summary', { list: parts.join(' · ') });
  };
  const audience = h('p', { role: 'status', class: 'hint', 'data-testid': 'campaign-audience' });
  const segmentShown = h('p', { class: 'hint', 'data-testid': 'campaign-segment' });
  const shown = h('div', { class: 'campaign-preview', 'data-testid': 'campaign-preview' });
  const previewButton = actionButton(
    {
      class: 'btn',
      run: async () => {
        const sent = body();
        const p = await api('/admin/campaigns/preview', { method: 'POST', body: sent });
        audience.textContent = p.estimated
          ? w('estimated', { n: p.audience, s: p.sampled })
          : w('audience', { n: p.audience });
        segmentShown.textContent = segmentLine(sent.segment);
        const frame = h('iframe', {
          title: w('preview_title'),
          sandbox: '',
          class: 'mail-preview',
          srcdoc: p.html,
        });
        shown.replaceChildren(h('h3', {}, w('preview_title')), h('p', {}, h('strong', {}, p.subject)), frame);
      },
      fail: (error) => {
        showApiError(form, error);
      },
    },
    w('preview'),
  );
  const create = h('button', { type: 'submit', class: 'btn primary' }, w('create'));
  const form = checkedForm(
    {
      'aria-labelledby': 'campaign-new-h',
      submit: create,
      send: async () => {
        await api('/admin/campaigns', { method: 'POST', body: body() });
        done(ctx, w('scheduled'));
      },
      fail: (error) => {
        showApiError(form, error);
      },
    },
    errorSummary(),
    fields.name,
    fields['subject.es'],
    fields['subject.en'],
    fields['body.es'],
    fields['body.en'],
    groups.topics,
    groups.sectors,
    groups.languages,
    groups.channels,
    h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, w('segment')),
      fields['segment.regions'],
      fields['segment.comunas'],
      groups['segment.interests'],
      groups['segment.age_bands'],
      groups['segment.filed_types'],
      fields['segment.filed_within_months'],
    ),
    fields.send_at,
    fields.every_days,
    h('div', { class: 'actions' }, previewButton, create),
    audience,
    segmentShown,
    shown,
  );
  const recent = list.items.length
    ? h(
        'ul',
        { class: 'campaign-list' },
        list.items.map((c) =>
          h(
            'li',
            { 'data-campaign': c.id },
            h('h3', {}, c.name, ' ', h('span', { class: 'badge' }, w(`st_${c.status}`))),
            h(
              'p',
              {},
              [
                pick(c.subject),
                c.every_days ? w('every', { n: c.every_days }) : null,
                w('runs', { n: c.runs }),
                c.next_run_at && c.status === 'scheduled'
                  ? `${w('next_run')}: ${local(c.next_run_at)}`
                  : null,
              ]
                .filter(Boolean)
                .join(' · '),
            ),
            h(
              'p',
              { class: 'figures' },
              c.runs > 1 ? `${w('totals', { n: c.runs })} ${figureLine(c.figures)}` : figureLine(c.figures),
            ),
            c.status === 'scheduled' &&
              actionButton(
                {
                  class: 'btn',
                  run: async () => {
                    await api(`/admin/campaigns/${c.id}/cancel`, { method: 'POST' });
                    ctx.rerender();
                  },
                  stay: true,
                },
                w('cancel'),
              ),
          ),
        ),
      )
    : h('p', {}, w('none'));
  return [status, h('h2', { id: 'campaign-new-h' }, w('compose')), form, h('h2', {}, w('recent')), recent];
}

export const renderTopicsPage = consolePage('/agente/avisos/temas', 'topics_title', topicsView);
export const renderSectorsPage = consolePage('/agente/avisos/sectores', 'sectors_title', sectorsView);
export const renderCampaignsPage = consolePage('/agente/avisos/campanas', 'campaigns_title', campaignsView);

// ---- the supervisors' dashboard card ---------------------------------------------------------------

/** The latest alerts and campaigns with their figures (null for those who may not see them). */
export async function dashboardCard(session, token) {
  if (!session.groups.some((g) => MANAGERS.includes(g))) return null;
  const api = (p) => request(p, { token });
  const [alerts, campaigns] = await Promise.all([api('/admin/alerts'), api('/admin/campaigns')]);
  const rows = [
    ...alerts.items.map((a) => ({
      kind: w('dash_alert'),
      name: pick(a.title),
      at: a.created_at,
      f: a.figures,
    })),
    ...campaigns.items.map((c) => ({
      kind: w('dash_campaign'),
      name: c.name,
      at: c.created_at,
      f: c.figures,
    })),
  ]
    .sort((a, b) => String(b.at).localeCompare(String(a.at)))
    .slice(0, 8);
  const cols = ['audience', 'sent', 'delivered', 'bounced', 'complaints', 'unsubscribes'];
  return h(
    'section',
    { class: 'dash-card', 'aria-labelledby': 'h-proactive', 'data-testid': 'proactive-card' },
    h('h2', { id: 'h-proactive' }, w('dash_title')),
    rows.length
      ? dataTable(
          w('dash_title'),
          [w('dash_kind'), w('dash_name'), ...cols.map((k) => w(`f_${k}`))],
          rows.map((r) =>
            h(
              'tr',
              {},
              h('td', {}, r.kind),
              h('th', { scope: 'row' }, r.name),
              cols.map((k) => h('td', {}, String((r.f || {})[k] || 0))),
            ),
          ),
          { hideCaption: true },
        )
      : h('p', {}, w('dash_none')),
    h(
      'p',
      {},
      h('a', { href: '#/agente/avisos' }, w('dash_more')),
      ' · ',
      h('a', { href: '#/agente/avisos/campanas' }, w('dash_more_campaigns')),
    ),
  );
}
