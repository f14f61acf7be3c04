// The help centre editor (roles editor, admin): article list with filters (#/agente/ayuda), the
// article editor with live preview, revisions, publish and archive (#/agente/ayuda/articulo/<slug>),
// new article (#/agente/ayuda/nuevo), sections and their order (#/agente/ayuda/secciones), import and
// export (#/agente/ayuda/importar), content gaps and the search log (#/agente/ayuda/busquedas) and
// the institution's search terms (#/agente/ayuda/terminos). Everything goes through the help API.
import { h, safeHtml, dataTable, rowButton } from '../dom.js';
import { go } from '../app.js';
import { catalog, qs } from '../api.js';
import { accessToken } from '../auth.js';
import { fmtDateTime, getLang, pick, t, LANGUAGES } from '../i18n.js';
import { busy, errorSummary, field, statusLine, bound, checkedForm, confirmThen } from '../forms.js';
import { staffRequest } from './agent.js';
import { checkGroup, guarded, page, showApiError, trackChanges, navLinks } from './console_kit.js';
import { lineDiff } from './editor_diff.js';

export const EDITORS = ['editor', 'admin'];
const STAGES = ['informacion', 'registro', 'evaluacion', 'pago', 'entrega', 'seguimiento'];
const STATUSES = ['draft', 'published', 'archived'];
const STALE_DAYS = 365; // a published article nobody has reviewed in a year "needs review"
const ADMIN = '/admin/help';
const FLASH = 'ventanilla.editor.flash';
const remember = (text) => sessionStorage.setItem(FLASH, text);
function flashOnce() {
  const text = sessionStorage.getItem(FLASH);
  sessionStorage.removeItem(FLASH);
  return text ? h('p', { class: 'flash', role: 'status' }, text) : null;
}

const langOf = (query) => (query.get('lang') === 'en' ? 'en' : query.get('lang') === 'es' ? 'es' : getLang());
const articleHref = (slug, lang) => `#/agente/ayuda/articulo/${slug}?lang=${lang}`;

/** "Needs review": a draft waiting for someone, or a published article untouched for a year. */
export function needsReview(row, now = Date.now()) {
  if (row.status === 'draft') return true;
  return row.status === 'published' && now - new Date(row.updated_at).getTime() > STALE_DAYS * 86400000;
}

/** Every article of a language (the API pages by 100; a help centre holds a few hundred). */
async function allArticles(lang) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 10; i += 1) {
    const page_ = await staffRequest(`${ADMIN}/articles?${qs({ lang, limit: 100, cursor })}`);
    items.push(...page_.items);
    cursor = page_.next_cursor;
    if (!cursor) break;
  }
  return items;
}

function subnav(here) {
  const links = [
    ['/agente/ayuda', 'editor.nav.articles'],
    ['/agente/ayuda/secciones', 'editor.nav.sections'],
    ['/agente/ayuda/importar', 'editor.nav.import'],
    ['/agente/ayuda/busquedas', 'editor.nav.searches'],
    ['/agente/ayuda/terminos', 'editor.nav.terms'],
  ];
  return navLinks({ class: 'subnav', 'aria-label': t('editor.nav.label') }, links, here);
}

const stageOptions = () => STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) }));

// ---- list ------------------------------------------------------------------------------------------

export const renderList = guarded(EDITORS, 'editor.title', async (ctx, session) => {
  const f = {
    lang: langOf(ctx.query),
    status: ctx.query.get('status') || '',
    section: ctx.query.get('section') || '',
    stage: ctx.query.get('stage') || '',
    review: ctx.query.get('review') === '1',
    text: ctx.query.get('q') || '',
  };
  const rows = await allArticles(f.lang);
  const sections = [...new Set(rows.map((r) => r.section_path.join('/')))].sort();
  const shown = rows.filter(
    (r) =>
      (!f.status || r.status === f.status) &&
      (!f.section ||
        r.section_path.join('/') === f.section ||
        r.section_path.join('/').startsWith(`${f.section}/`)) &&
      (!f.stage || r.stage === f.stage) &&
      (!f.review || needsReview(r)) &&
      (!f.text || `${r.title} ${r.slug}`.toLowerCase().includes(f.text.toLowerCase())),
  );
  const apply = (e) => {
    e.preventDefault();
    go(
      `/agente/ayuda?${qs({ lang: f.lang, status: f.status, section: f.section, stage: f.stage, review: f.review ? '1' : '', q: f.text })}`,
    );
  };
  const filters = h(
    'form',
    { class: 'filters admin-form', role: 'search', 'aria-label': t('editor.filters'), onsubmit: apply },
    field({
      name: 'lang',
      kind: 'select',
      label: t('editor.f.lang'),
      options: LANGUAGES,
      ...bound(f, 'lang', 'es'),
    }),
    field({
      name: 'status',
      kind: 'select',
      label: t('editor.f.status'),
      options: STATUSES.map((s) => ({ value: s, label: t(`editor.status.${s}`) })),
      ...bound(f, 'status'),
    }),
    field({
      name: 'section',
      kind: 'select',
      label: t('editor.f.section'),
      options: sections.map((s) => ({ value: s, label: s })),
      ...bound(f, 'section'),
    }),
    field({
      name: 'stage',
      kind: 'select',
      label: t('editor.f.stage'),
      options: stageOptions(),
      ...bound(f, 'stage'),
    }),
    field({ name: 'q', label: t('editor.f.text'), ...bound(f, 'text') }),
    field({
      name: 'review',
      kind: 'checkbox',
      label: t('editor.f.review'),
      hint: t('editor.f.review_hint'),
      ...bound(f, 'review'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('editor.filter'))),
  );
  for (const el of filters.querySelectorAll('.opt')) el.remove();
  for (const s of filters.querySelectorAll('select[name=lang]')) s.querySelector('option[value=""]').remove();
  for (const s of filters.querySelectorAll('select[name=status], select[name=section], select[name=stage]'))
    s.querySelector('option[value=""]').textContent = t('editor.all');
  const table = dataTable(
    t('editor.caption_count', { n: shown.length, total: rows.length }),
    ['title', 'section', 'stage', 'status', 'updated'].map((c) => t(`editor.col.${c}`)),
    shown.map((r) =>
      h(
        'tr',
        {},
        h(
          'th',
          { scope: 'row' },
          h('a', { href: articleHref(r.slug, r.lang) }, r.title),
          h('br'),
          h('span', { class: 'muted' }, r.slug),
        ),
        h('td', {}, r.section_path.join(' › ')),
        h('td', {}, t(`stage.${r.stage}`)),
        h(
          'td',
          {},
          h('span', { class: `badge art-${r.status}` }, t(`editor.status.${r.status}`)),
          needsReview(r) ? [' ', h('span', { class: 'badge review' }, t('editor.needs_review'))] : '',
        ),
        h('td', {}, r.updated_by, h('br'), h('span', { class: 'muted' }, fmtDateTime(r.updated_at))),
      ),
    ),
    { attrs: { class: 'queue' }, region: t('editor.caption') },
  );
  return page(
    session,
    '/agente/ayuda',
    'editor.title',
    subnav('/agente/ayuda'),
    flashOnce(),
    h('p', {}, t('editor.lead')),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'btn primary', href: `#/agente/ayuda/nuevo?lang=${f.lang}` }, t('editor.new')),
    ),
    filters,
    shown.length ? table : h('p', { role: 'status' }, t('editor.none')),
  );
});

// ---- the article form ---------------------------------------------------------------------------------

/** Pickers: request subtypes grouped by type; related articles and the translation from the list. */
function subtypePicker(cat, chosen) {
  const options = cat.types.flatMap((type) =>
    type.subtypes.map((s) => ({
      value: `${type.code}/${s.code}`,
      label: `${pick(type.name)} › ${pick(s.name)}`,
    })),
  );
  const box = checkGroup('request_types', t('editor.field.request_types'), options, chosen);
  box.classList.add('picker');
  return box;
}

function relatedPicker(rows, slug, chosen) {
  const options = rows.filter((r) => r.slug !== slug).map((r) => ({ value: r.slug, label: r.title }));
  const box = checkGroup('related', t('editor.field.related'), options, chosen);
  box.classList.add('picker');
  const filter = h('input', {
    type: 'search',
    class: 'picker-filter',
    'aria-label': t('editor.related_filter'),
    placeholder: t('editor.related_filter'),
    oninput: () => {
      const q = filter.value.toLowerCase();
      for (const label of box.querySelectorAll('label'))
        label.hidden =
          Boolean(q) && !label.textContent.toLowerCase().includes(q) && !label.querySelector('input').checked;
    },
  });
  box.querySelector('legend').after(filter);
  return box;
}

const splitList = (text, sep) =>
  text
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean);

/** The editor: fields left, live preview right (the server's Markdown and sanitiser, as the portal). */
function articleForm({ article, lang, rows, otherRows, cat, seed, onSaved, onReload }) {
  const a = article || {};
  const v = {
    slug: a.slug || seed.slug || '',
    title: a.title || seed.title || '',
    summary: a.summary || '',
    body_md: a.body_md || seed.body_md || '',
    section_path: (a.section_path || seed.section_path || []).join('/'),
    section_titles: (a.section_titles || seed.section_titles || []).join(' / '),
    stage: a.stage || seed.stage || 'informacion',
    tags: (a.tags || seed.tags || []).join(', '),
    translation_of: a.translation_of || seed.translation_of || '',
  };
  const preview = h('div', { class: 'article-body preview-body', 'data-testid': 'preview', lang });
  const previewState = statusLine();
  let timer = null;
  let asked = 0;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const out = await staffRequest(`${ADMIN}/preview`, { method: 'POST', body: { body_md: v.body_md } });
        if (mine === asked) {
          preview.replaceChildren(safeHtml(out.html));
          previewState.textContent = '';
        }
      } catch (err) {
        if (mine === asked) previewState.textContent = err.message;
      }
    }, 300);
  };
  const sectionsList = [...new Set(rows.map((r) => r.section_path.join('/')))].sort();
  const datalist = h(
    'datalist',
    { id: 'sections-known' },
    sectionsList.map((s) => h('option', { value: s })),
  );
  const status = statusLine();
  const subtypes = subtypePicker(cat, a.request_types || seed.request_types || []);
  const related = relatedPicker(rows, a.slug, a.related || []);
  const body = () => ({
    title: v.title.trim(),
    summary: v.summary.trim(),
    body_md: v.body_md,
    section_path: splitList(v.section_path, '/'),
    section_titles: splitList(v.section_titles, '/'),
    stage: v.stage,
    tags: splitList(v.tags, ','),
    request_types: subtypes.values(),
    related: related.values(),
    translation_of: v.translation_of || null,
  });
  const form = checkedForm(
    {
      class: 'admin-form article-editor',
      'aria-labelledby': 'art-h',
      submit: true,
      send: async () => {
        let saved;
        if (article)
          saved = await staffRequest(`${ADMIN}/articles/${a.slug}?lang=${lang}`, {
            method: 'PUT',
            body: { ...body(), revision: a.revision },
          });
        else
          saved = await staffRequest(`${ADMIN}/articles`, {
            method: 'POST',
            body: { ...body(), slug: v.slug.trim(), lang },
          });
        tracker.saved();
        remember(t(article ? 'editor.saved' : 'editor.created', { title: saved.title }));
        onSaved(saved);
      },
      fail: (err) => {
        if (err.status === 401) throw err;
        showApiError(form, err, onReload);
      },
      stay: true,
    },
    h(
      'h2',
      { id: 'art-h' },
      article ? t('editor.edit_title') : t('editor.new_title', { lang: lang.toUpperCase() }),
    ),
    errorSummary(),
    h(
      'div',
      { class: 'editor-cols' },
      h(
        'div',
        { class: 'editor-fields' },
        !article &&
          field({
            name: 'slug',
            label: t('editor.field.slug'),
            required: true,
            hint: t('editor.field.slug_hint'),
            ...bound(v, 'slug'),
          }),
        field({ name: 'title', label: t('editor.field.title'), required: true, ...bound(v, 'title') }),
        field({
          name: 'summary',
          kind: 'textarea',
          rows: 2,
          label: t('editor.field.summary'),
          required: true,
          hint: t('editor.field.summary_hint'),
          ...bound(v, 'summary'),
        }),
        field({
          name: 'body_md',
          kind: 'textarea',
          rows: 16,
          label: t('editor.field.body'),
          required: true,
          value: v.body_md,
          hint: t('editor.field.body_hint'),
          onInput: (x) => {
            v.body_md = x;
            refresh();
          },
        }),
        field({
          name: 'section_path',
          label: t('editor.field.section_path'),
          required: true,
          hint: t('editor.field.section_path_hint'),
          ...bound(v, 'section_path'),
        }),
        field({
          name: 'section_titles',
          label: t('editor.field.section_titles'),
          required: true,
          hint: t('editor.field.section_titles_hint'),
          ...bound(v, 'section_titles'),
        }),
        field({
          name: 'stage',
          kind: 'select',
          label: t('editor.field.stage'),
          required: true,
          options: stageOptions(),
          ...bound(v, 'stage'),
        }),
        field({
          name: 'tags',
          label: t('editor.field.tags'),
          hint: t('editor.field.tags_hint'),
          ...bound(v, 'tags'),
        }),
        field({
          name: 'translation_of',
          kind: 'select',
          label: t('editor.field.translation_of', { lang: lang === 'es' ? 'EN' : 'ES' }),
          hint: t('editor.field.translation_hint'),
          options: otherRows.map((r) => ({ value: r.slug, label: `${r.title} (${r.slug})` })),
          ...bound(v, 'translation_of'),
        }),
        subtypes,
        related,
      ),
      h(
        'section',
        { class: 'editor-preview', 'aria-labelledby': 'prev-h' },
        h('h3', { id: 'prev-h' }, t('editor.preview')),
        h('p', { class: 'hint' }, t('editor.preview_hint')),
        previewState,
        preview,
      ),
    ),
    datalist,
    status,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, article ? t('admin.save') : t('editor.create')),
    ),
  );
  form.querySelector('[name=stage] option[value=""]').remove();
  form.querySelector('[name=translation_of] option[value=""]').textContent = t('editor.no_translation');
  form.querySelector('[name=section_path]').setAttribute('list', 'sections-known');
  form.querySelector('[name=body_md]').classList.add('code');
  const tracker = trackChanges(form);
  form.fill = (snap) => {
    // A restored revision: its content in the fields, saved only when the editor saves.
    const set = (name, value) => {
      const el = form.querySelector(`[name="${name}"]`);
      if (el) {
        el.value = value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
      }
    };
    set('title', snap.title || '');
    set('summary', snap.summary || '');
    set('body_md', snap.body_md || '');
    set('section_path', (snap.section_path || []).join('/'));
    set('section_titles', (snap.section_titles || []).join(' / '));
    set('stage', snap.stage || 'informacion');
    set('tags', (snap.tags || []).join(', '));
    for (const box of form.querySelectorAll('input[name=request_types]'))
      box.checked = (snap.request_types || []).includes(box.value);
    for (const box of form.querySelectorAll('input[name=related]'))
      box.checked = (snap.related || []).includes(box.value);
  };
  refresh();
  return form;
}

async function editorData(lang) {
  const other = lang === 'es' ? 'en' : 'es';
  const [rows, otherRows, cat] = await Promise.all([allArticles(lang), allArticles(other), catalog()]);
  return { rows, otherRows, cat };
}

export const renderNew = guarded(EDITORS, 'editor.new', async (ctx, session) => {
  const lang = langOf(ctx.query);
  const { rows, otherRows, cat } = await editorData(lang);
  const seed = {};
  const from = ctx.query.get('de');
  if (from) {
    // A translation: the same place in the help centre, linked to the original.
    const original = await staffRequest(`${ADMIN}/articles/${from}?lang=${lang === 'es' ? 'en' : 'es'}`);
    Object.assign(seed, {
      slug: original.slug,
      translation_of: original.slug,
      section_path: original.section_path,
      section_titles: original.section_titles,
      stage: original.stage,
      tags: original.tags,
      request_types: original.request_types,
    });
  }
  const q = ctx.query.get('q');
  if (q)
    Object.assign(seed, {
      title: q,
      slug: q
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 80),
    });
  const form = articleForm({
    article: null,
    lang,
    rows,
    otherRows,
    cat,
    seed,
    onSaved: (saved) => go(articleHref(saved.slug, saved.lang).slice(1)),
  });
  return page(
    session,
    '/agente/ayuda',
    'editor.new',
    subnav(''),
    q && h('p', { class: 'notice' }, t('editor.from_query', { q })),
    form,
  );
});

// ---- one article: edit, publish/archive, translation, revisions -------------------------------------

function revisionsBox(article, lang, form) {
  const out = h(
    'section',
    { 'aria-labelledby': 'rev-h', class: 'revisions' },
    h('h2', { id: 'rev-h' }, t('editor.revisions')),
  );
  const list = h('ol', { class: 'rev-list' });
  const diffBox = h('div', { class: 'rev-diff', 'aria-live': 'polite' });
  out.append(list, diffBox);
  staffRequest(`${ADMIN}/articles/${article.slug}/revisions?lang=${lang}`)
    .then((revs) => {
      list.replaceChildren(
        ...revs.items.map((r) =>
          h(
            'li',
            {},
            h(
              'p',
              {},
              h('strong', {}, t('editor.rev_n', { n: r.revision })),
              ' · ',
              t(`editor.action.${r.action}`),
              ' · ',
              r.by,
              ' · ',
              fmtDateTime(r.at),
              r.note ? ` · ${r.note}` : '',
            ),
            r.changed.length
              ? h('p', { class: 'muted' }, t('editor.changed', { list: r.changed.join(', ') }))
              : '',
            h(
              'div',
              { class: 'row-actions' },
              rowButton(t('editor.diff'), t('editor.diff_n', { n: r.revision }), () => {
                diffBox.replaceChildren(
                  h(
                    'h3',
                    { tabindex: '-1' },
                    t('editor.diff_title', { n: r.revision, current: article.revision }),
                  ),
                  diffView(r.snapshot, article),
                );
                diffBox.querySelector('h3').focus();
              }),
              r.revision !== article.revision &&
                rowButton(t('editor.restore'), t('editor.restore_n', { n: r.revision }), () => {
                  form.fill(r.snapshot);
                  const status = form.querySelector('.status-line');
                  status.textContent = t('editor.restored', { n: r.revision });
                  form.querySelector('[name=title]').focus();
                }),
            ),
          ),
        ),
      );
    })
    .catch((err) => {
      list.replaceChildren(h('li', { role: 'alert' }, err.message));
    });
  return out;
}

/** What changed between a revision and the current article: fields side by side, the text line by line. */
function diffView(snap, current) {
  const fields = [
    'title',
    'summary',
    'section_path',
    'section_titles',
    'stage',
    'tags',
    'request_types',
    'related',
    'status',
  ];
  const show = (x) => (Array.isArray(x) ? x.join(', ') : x == null ? '' : String(x));
  const changed = fields.filter((f) => show(snap[f]) !== show(current[f]));
  const lines = lineDiff(String(snap.body_md || ''), String(current.body_md || ''));
  return h(
    'div',
    {},
    changed.length
      ? dataTable(
          t('editor.diff_fields'),
          [t('editor.diff_field'), t('editor.diff_then'), t('editor.diff_now')],
          changed.map((f) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, f),
              h('td', {}, show(snap[f])),
              h('td', {}, show(current[f])),
            ),
          ),
          { attrs: { class: 'diff-fields' } },
        )
      : h('p', {}, t('editor.diff_same_fields')),
    h(
      'pre',
      { class: 'diff', 'aria-label': t('editor.diff_text') },
      lines.map(([op, text]) =>
        op === '=' ? h('span', {}, `  ${text}\n`) : h(op === '+' ? 'ins' : 'del', {}, `${op} ${text}\n`),
      ),
    ),
  );
}

export const renderArticle = guarded(EDITORS, 'editor.edit_title', async (ctx, session) => {
  const [slug] = ctx.params;
  const lang = langOf(ctx.query);
  let article;
  try {
    article = await staffRequest(`${ADMIN}/articles/${slug}?lang=${lang}`);
  } catch (e) {
    if (e.status === 404)
      return page(
        session,
        '/agente/ayuda',
        'editor.edit_title',
        subnav(''),
        h('p', { role: 'alert' }, e.message),
      );
    throw e;
  }
  const { rows, otherRows, cat } = await editorData(lang);
  const reload = () => ctx.rerender();
  const form = articleForm({
    article,
    lang,
    rows,
    otherRows,
    cat,
    seed: {},
    onSaved: reload,
    onReload: reload,
  });
  const status = statusLine();
  const act = async (what, button) => {
    if (what === 'archive' && !window.confirm(t('editor.archive_confirm', { title: article.title }))) return;
    busy(button, true);
    try {
      const out = await staffRequest(`${ADMIN}/articles/${slug}/${what}?lang=${lang}`, {
        method: 'POST',
        body: { revision: article.revision },
      });
      remember(t(what === 'publish' ? 'editor.published' : 'editor.archived', { title: out.title }));
      reload();
    } catch (err) {
      busy(button, false);
      if (err.status === 401) throw err;
      status.replaceChildren(
        err.status === 409 && err.problem.code === 'stale_revision'
          ? [
              t('admin.conflict'),
              ' ',
              h('button', { type: 'button', class: 'btn small', onclick: reload }, t('admin.reload')),
            ]
          : err.message,
      );
    }
  };
  const otherLang = lang === 'es' ? 'en' : 'es';
  const translation = article.translation_of || (article.translations || [])[0];
  const translated = translation && otherRows.find((r) => r.slug === translation);
  return page(
    session,
    '/agente/ayuda',
    'editor.edit_title',
    subnav(''),
    flashOnce(),
    h('p', { class: 'lead' }, article.title),
    h(
      'p',
      { class: 'badges' },
      h(
        'span',
        { class: `badge art-${article.status}`, 'data-testid': 'article-status' },
        t(`editor.status.${article.status}`),
      ),
      ' ',
      t('editor.rev_n', { n: article.revision }),
      ' · ',
      `${lang.toUpperCase()} · ${article.slug}`,
    ),
    h(
      'div',
      { class: 'actions' },
      article.status !== 'published' &&
        h(
          'button',
          { type: 'button', class: 'btn primary', onclick: (e) => act('publish', e.currentTarget) },
          t('editor.publish'),
        ),
      article.status === 'published' &&
        h('a', { class: 'btn', href: `#/ayuda/${article.slug}` }, t('editor.view_portal')),
      article.status !== 'archived' &&
        h(
          'button',
          { type: 'button', class: 'btn', onclick: (e) => act('archive', e.currentTarget) },
          t('editor.archive'),
        ),
    ),
    status,
    h(
      'p',
      {},
      translated
        ? [
            t('editor.translation_is', { lang: otherLang.toUpperCase() }),
            ' ',
            h('a', { href: articleHref(translated.slug, otherLang) }, translated.title),
          ]
        : h(
            'a',
            { href: `#/agente/ayuda/nuevo?lang=${otherLang}&de=${article.slug}` },
            t('editor.translate', { lang: otherLang.toUpperCase() }),
          ),
    ),
    form,
    revisionsBox(article, lang, form),
  );
});

// ---- sections and their order ------------------------------------------------------------------------

export const renderSections = guarded(EDITORS, 'editor.sections_title', async (ctx, session) => {
  const lang = langOf(ctx.query);
  const rows = await allArticles(lang);
  const bySection = new Map();
  for (const r of rows.filter((x) => x.status === 'published')) {
    const key = r.section_path.join('/');
    if (!bySection.has(key)) bySection.set(key, []);
    bySection.get(key).push(r);
  }
  const status = statusLine();
  const move = async (section, list, index, delta, button) => {
    const order = list.map((r) => r.slug);
    const [item] = order.splice(index, 1);
    order.splice(index + delta, 0, item);
    busy(button, true);
    try {
      await staffRequest(`${ADMIN}/reorder`, {
        method: 'POST',
        body: { lang, section: section.split('/').pop(), slugs: order },
      });
      remember(t('editor.reordered', { title: item }));
      ctx.rerender();
    } catch (err) {
      busy(button, false);
      if (err.status === 401) throw err;
      status.textContent = err.message;
    }
  };
  const keys = [...bySection.keys()].sort();
  const tree = h(
    'ul',
    { class: 'section-tree' },
    keys.map((key) => {
      const list = bySection
        .get(key)
        .sort((x, y) => x.position - y.position || x.title.localeCompare(y.title));
      const depth = key.split('/').length - 1;
      return h(
        'li',
        { style: `margin-left:${depth * 1.25}rem` },
        h(
          'h2',
          { class: 'section-name' },
          key.split('/').join(' › '),
          ' ',
          h('span', { class: 'muted' }, `(${list.length})`),
        ),
        h(
          'ol',
          {},
          list.map((r, i) =>
            h(
              'li',
              {},
              h('a', { href: articleHref(r.slug, lang) }, r.title),
              ' ',
              h(
                'span',
                { class: 'row-actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn small',
                    disabled: i === 0,
                    'aria-label': t('editor.move_up', { title: r.title }),
                    onclick: (e) => move(key, list, i, -1, e.currentTarget),
                  },
                  '↑',
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'btn small',
                    disabled: i === list.length - 1,
                    'aria-label': t('editor.move_down', { title: r.title }),
                    onclick: (e) => move(key, list, i, 1, e.currentTarget),
                  },
                  '↓',
                ),
              ),
            ),
          ),
        ),
      );
    }),
  );
  return page(
    session,
    '/agente/ayuda/secciones',
    'editor.sections_title',
    subnav('/agente/ayuda/secciones'),
    flashOnce(),
    h('p', {}, t('editor.sections_lead')),
    h(
      'p',
      {},
      h(
        'a',
        { href: `#/agente/ayuda/secciones?lang=${lang === 'es' ? 'en' : 'es'}` },
        t('editor.sections_other', { lang: lang === 'es' ? 'English' : 'Español' }),
      ),
    ),
    status,
    keys.length ? tree : h('p', {}, t('editor.none')),
  );
});

// ---- import and export ----------------------------------------------------------------------------

async function download(path, name) {
  const token = await accessToken();
  const res = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(t('error.generic'));
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const renderImport = guarded(EDITORS, 'editor.import_title', async (ctx, session) => {
  let text = '';
  const report = h('div', { class: 'import-report', 'aria-live': 'polite' });
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'imp-h',
      send: async () => {
        report.replaceChildren();
        const button = form.querySelector('button[type=submit]');
        busy(button, true);
        try {
          const token = await accessToken();
          const res = await fetch(`/api/v1${ADMIN}/import`, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${token}`,
              'Content-Type': 'application/x-ndjson',
              'Accept-Language': getLang(),
            },
            body: text,
          });
          const data = await res.json().catch(() => ({}));
          if (!res.ok) {
            const errors = data.errors || [];
            report.replaceChildren(
              h('h3', { tabindex: '-1' }, t('editor.import_failed', { n: errors.length })),
              h('p', {}, t('editor.import_none_written')),
              dataTable(
                t('editor.import_errors'),
                ['line', 'field', 'message'].map((c) => t(`editor.imp.${c}`)),
                errors.map((x) => {
                  const m = /^lines\.(\d+)\.?(.*)$/.exec(x.field || '') || [];
                  return h(
                    'tr',
                    {},
                    h('td', {}, x.line ?? m[1] ?? '—'),
                    h('td', {}, m[2] || x.field || ''),
                    h('td', {}, x.message),
                  );
                }),
                { attrs: { class: 'queue' } },
              ),
            );
            if (!errors.length) report.append(h('p', { role: 'alert' }, data.detail || t('error.generic')));
            report.querySelector('h3').focus();
          } else {
            tracker.saved();
            report.replaceChildren(
              h(
                'h3',
                { tabindex: '-1' },
                t('editor.imported', { n: data.imported, created: data.created, updated: data.updated }),
              ),
              h(
                'ul',
                {},
                data.slugs.map((s) => h('li', {}, h('a', { href: articleHref(s, 'es') }, s))),
              ),
            );
            report.querySelector('h3').focus();
          }
        } finally {
          busy(button, false);
        }
      },
    },
    h('h2', { id: 'imp-h' }, t('editor.import')),
    h('p', { class: 'hint' }, t('editor.import_lead')),
    errorSummary(),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'imp-file' }, t('editor.import_file')),
      h('input', {
        id: 'imp-file',
        type: 'file',
        accept: '.jsonl,.ndjson,application/x-ndjson',
        onchange: async (e) => {
          const file = e.target.files[0];
          if (file) {
            text = await file.text();
            form.querySelector('[name=jsonl]').value = text;
          }
        },
      }),
    ),
    field({
      name: 'jsonl',
      kind: 'textarea',
      rows: 10,
      label: t('editor.import_text'),
      hint: t('editor.import_text_hint'),
      onInput: (x) => {
        text = x;
      },
    }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('editor.import_go')),
    ),
    report,
  );
  form.querySelector('[name=jsonl]').classList.add('code');
  const tracker = trackChanges(form);
  const status = statusLine();
  const exportBox = h(
    'section',
    { 'aria-labelledby': 'exp-h' },
    h('h2', { id: 'exp-h' }, t('editor.export')),
    h('p', {}, t('editor.export_lead')),
    h(
      'div',
      { class: 'actions' },
      ['es', 'en', ''].map((l) =>
        h(
          'button',
          {
            type: 'button',
            class: 'btn',
            onclick: async () => {
              try {
                await download(`${ADMIN}/export${l ? `?lang=${l}` : ''}`, `ayuda-${l || 'todo'}.jsonl`);
                status.textContent = t('editor.exported');
              } catch (err) {
                status.textContent = err.message;
              }
            },
          },
          t(`editor.export_${l || 'all'}`),
        ),
      ),
    ),
    status,
  );
  return page(
    session,
    '/agente/ayuda/importar',
    'editor.import_title',
    subnav('/agente/ayuda/importar'),
    form,
    exportBox,
  );
});

// ---- content gaps and the search log ---------------------------------------------------------------

export const renderSearches = guarded(EDITORS, 'editor.searches_title', async (ctx, session) => {
  const lang = langOf(ctx.query);
  const day = ctx.query.get('day') || new Date().toISOString().slice(0, 10);
  const [gaps, log] = await Promise.all([
    staffRequest(`${ADMIN}/content-gaps?${qs({ lang, limit: 100 })}`),
    staffRequest(`${ADMIN}/searches?${qs({ day, limit: 200 })}`),
  ]);
  const create = (q, l) =>
    h(
      'a',
      {
        class: 'btn small',
        href: `#/agente/ayuda/nuevo?${qs({ lang: l, q })}`,
        'aria-label': t('editor.create_from_q', { q }),
      },
      t('editor.create_from'),
    );
  const dayForm = checkedForm(
    {
      class: 'filters admin-form',
      send: () => {
        go(`/agente/ayuda/busquedas?${qs({ lang, day: dayForm.querySelector('[name=day]').value })}`);
      },
    },
    field({ name: 'day', kind: 'date', label: t('editor.log_day'), value: day }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('editor.show'))),
  );
  dayForm.querySelector('.opt').remove();
  return page(
    session,
    '/agente/ayuda/busquedas',
    'editor.searches_title',
    subnav('/agente/ayuda/busquedas'),
    h('p', {}, t('editor.searches_lead')),
    h(
      'p',
      {},
      h(
        'a',
        { href: `#/agente/ayuda/busquedas?${qs({ lang: lang === 'es' ? 'en' : 'es', day })}` },
        t('editor.sections_other', { lang: lang === 'es' ? 'English' : 'Español' }),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'gaps-h' },
      h('h2', { id: 'gaps-h' }, t('editor.gaps')),
      gaps.items.length
        ? dataTable(
            t('editor.gaps_caption'),
            ['query', 'count', 'unsure', 'last', 'words', 'actions'].map((c) => t(`editor.gap.${c}`)),
            gaps.items.map((g) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, g.query),
                h('td', {}, String(g.count)),
                h('td', {}, String(g.unsure)),
                h('td', {}, fmtDateTime(g.last_at)),
                h(
                  'td',
                  {},
                  g.candidates.length
                    ? h(
                        'a',
                        { href: `#/agente/ayuda/terminos?${qs({ term: g.candidates[0] })}` },
                        g.candidates.join(', '),
                      )
                    : '—',
                ),
                h('td', { class: 'row-actions' }, create(g.query, lang)),
              ),
            ),
            { attrs: { class: 'queue' }, region: t('editor.gaps') },
          )
        : h('p', {}, t('editor.gaps_none')),
    ),
    h(
      'section',
      { 'aria-labelledby': 'log-h' },
      h('h2', { id: 'log-h' }, t('editor.log')),
      dayForm,
      log.items.length
        ? dataTable(
            t('editor.log_caption', { day: log.day }),
            ['at', 'query', 'lang', 'results', 'clicked', 'actions'].map((c) => t(`editor.logc.${c}`)),
            log.items.map((x) =>
              h(
                'tr',
                {},
                h('td', {}, fmtDateTime(x.at)),
                h('th', { scope: 'row' }, x.query),
                h('td', {}, x.lang.toUpperCase()),
                h('td', {}, String(x.results)),
                h('td', {}, x.clicked.join(', ') || '—'),
                h('td', { class: 'row-actions' }, create(x.query, x.lang)),
              ),
            ),
            { attrs: { class: 'queue' }, region: t('editor.log') },
          )
        : h('p', {}, t('editor.log_none')),
    ),
  );
});

// ---- search terms (synonyms) -----------------------------------------------------------------------

const COUNTRIES = ['CL', 'MX', 'CO', 'AR', 'PE'];

export const renderTerms = guarded(EDITORS, 'editor.terms_title', async (ctx, session) => {
  const list = await staffRequest(`${ADMIN}/synonyms`);
  const v = { term: ctx.query.get('term') || '', means: '', note: '' };
  const status = statusLine();
  const countries = checkGroup(
    'countries',
    t('editor.term.countries'),
    COUNTRIES.map((c) => ({ value: c, label: c })),
    [],
  );
  const form = checkedForm(
    {
      class: 'admin-form',
      'aria-labelledby': 'term-h',
      submit: true,
      send: async () => {
        const saved = await staffRequest(`${ADMIN}/synonyms`, {
          method: 'POST',
          body: {
            term: v.term.trim(),
            means: v.means.trim(),
            note: v.note.trim(),
            countries: countries.values(),
          },
        });
        tracker.saved();
        remember(t('editor.term_saved', { term: saved.term }));
        go('/agente/ayuda/terminos');
      },
      fail: (err) => {
        if (err.status === 401) throw err;
        showApiError(form, err);
      },
      stay: true,
    },
    h('h2', { id: 'term-h' }, t('editor.term_new')),
    errorSummary(),
    field({
      name: 'term',
      label: t('editor.term.term'),
      required: true,
      hint: t('editor.term.term_hint'),
      ...bound(v, 'term'),
    }),
    field({
      name: 'means',
      label: t('editor.term.means'),
      required: true,
      hint: t('editor.term.means_hint'),
      ...bound(v, 'means'),
    }),
    countries,
    field({ name: 'note', label: t('editor.term.note'), ...bound(v, 'note') }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('editor.term_save')),
    ),
  );
  const tracker = trackChanges(form);
  const remove = (item, button) =>
    confirmThen(t('editor.term_delete_confirm', { term: item.term }), button, status, async () => {
      await staffRequest(`${ADMIN}/synonyms/${item.id}`, { method: 'DELETE' });
      remember(t('editor.term_deleted', { term: item.term }));
      ctx.rerender();
    });
  return page(
    session,
    '/agente/ayuda/terminos',
    'editor.terms_title',
    subnav('/agente/ayuda/terminos'),
    flashOnce(),
    h('p', {}, t('editor.terms_lead', { n: list.lexicon_entries })),
    form,
    status,
    list.items.length
      ? dataTable(
          t('editor.terms_caption'),
          ['term', 'means', 'countries', 'updated', 'actions'].map((c) => t(`editor.termc.${c}`)),
          list.items.map((x) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, x.term),
              h('td', {}, x.means),
              h('td', {}, x.countries.join(', ') || t('editor.all')),
              h('td', {}, x.updated_by, h('br'), h('span', { class: 'muted' }, fmtDateTime(x.updated_at))),
              h(
                'td',
                { class: 'row-actions' },
                rowButton(t('admin.delete'), t('editor.term_delete_who', { term: x.term }), (e) =>
                  remove(x, e.currentTarget),
                ),
              ),
            ),
          ),
          { attrs: { class: 'queue' }, region: t('editor.terms_caption') },
        )
      : h('p', {}, t('editor.terms_none')),
  );
});
