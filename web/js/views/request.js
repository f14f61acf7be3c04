// Follow a request with its number and private access code (B6): status, public timeline, reply.
import { h, announce, mount } from '../dom.js';
import { ApiError, request } from '../api.js';
import { fmtDate, fmtDateTime, t } from '../i18n.js';
import { busy, errorSummary, field, showErrors, statusLine, bound, checkedForm } from '../forms.js';
import { textProblems } from '../validate.js';
import { go } from '../app.js';
import { noticesBox } from './request_notices.js';
import { pushBox } from '../pwa.js';
import { attachmentsBox } from '../uploads.js';

const KEY = 'ventanilla.codes';
const SESSIONS = 'ventanilla.sessions';
const NUMBER_RE = /^[0-9]{4}-[0-9]{3,}$/;

function stored(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || '{}');
  } catch {
    return {};
  }
}
const codes = () => stored(KEY);
/** Keep the code for this browser tab only, so a reload does not ask again. */
export function rememberCode(number, code) {
  sessionStorage.setItem(KEY, JSON.stringify({ ...codes(), [number]: code }));
}
/** The session a notice's link opened (never the code), for this tab only. */
function rememberSession(number, session) {
  sessionStorage.setItem(SESSIONS, JSON.stringify({ ...stored(SESSIONS), [number]: session }));
}
function forget(number) {
  for (const key of [KEY, SESSIONS]) {
    const all = stored(key);
    delete all[number];
    sessionStorage.setItem(key, JSON.stringify(all));
  }
}
/** The header that opens the request: the link's session, else the code typed; null when neither. */
function keyHeaders(number) {
  const session = stored(SESSIONS)[number];
  if (session) return { 'X-Ticket-Session': session };
  const code = codes()[number];
  return code ? { 'X-Access-Code': code } : null;
}

const ACCOUNT = 'ventanilla.citizen'; // citizen_auth.js's sign-in, read without loading it

/** Signed in with a citizen account, one's own request opens without its code: the account gets a
 * session on it. False when not signed in or not the account's request. */
async function accountSession(number) {
  if (!localStorage.getItem(ACCOUNT)) return false;
  const citizen = await import('../citizen_auth.js');
  const token = await citizen.idToken();
  if (!token) return false;
  try {
    const opened = await request(`/me/tickets/${encodeURIComponent(number)}/session`, {
      method: 'POST',
      token,
    });
    rememberSession(number, opened.session);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500) return false;
    throw e;
  }
}

/** A notice's link (#/solicitud/<n>?t=<token>): exchange the one-time token for a session. */
async function openLink(number, token) {
  history.replaceState(null, '', `#/solicitud/${number}`); // the token leaves the address bar
  try {
    const opened = await request(`/tickets/${encodeURIComponent(number)}/session`, {
      method: 'POST',
      body: { token },
    });
    rememberSession(number, opened.session);
    return null;
  } catch (e) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500) return t('request.link_used');
    throw e;
  }
}

/** #/solicitud: ask for number and code. */
export async function renderLookup({ query }) {
  return lookupForm(query.get('numero') || '', '', null);
}

function lookupForm(number, code, problem) {
  const values = { number, code };
  const formEl = checkedForm(
    {
      send: () => {
        const n = values.number.trim();
        const c = values.code.trim();
        const errors = [];
        if (!NUMBER_RE.test(n))
          errors.push({ field: 'number', message: t(n ? 'val.ticket_number' : 'val.number_required') });
        if (!c) errors.push({ field: 'code', message: t('val.code_required') });
        if (errors.length) {
          showErrors(formEl, errors);
          return;
        }
        rememberCode(n, c);
        go(`/solicitud/${n}`);
      },
    },
    errorSummary(),
    problem &&
      h(
        'p',
        {
          class: 'notice error-notice',
          role: 'alert',
          tabindex: '-1',
          'data-autofocus': '',
          'data-testid': 'lookup-problem',
        },
        problem,
      ),
    field({
      name: 'number',
      label: t('request.number'),
      required: true,
      value: number,
      hint: t('request.number_hint'),
      onInput: (v) => {
        values.number = v;
      },
    }),
    field({
      name: 'code',
      label: t('request.code'),
      required: true,
      value: code,
      hint: t('request.code_hint'),
      autocomplete: 'off',
      onInput: (v) => {
        values.code = v;
      },
    }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('request.lookup_submit')),
    ),
  );
  return h(
    'section',
    { class: 'narrow' },
    h('h1', {}, t('request.lookup_title')),
    h('p', {}, t('request.lookup_lead')),
    formEl,
  );
}

/** #/solicitud/<number>[?t=<one-time token>] (older links: ?codigo=...) */
export async function render({ params, query, again = false }) {
  const [number] = params;
  if (query.get('t')) {
    const refused = await openLink(number, query.get('t'));
    if (refused) return lookupForm(number, '', refused);
  }
  if (query.get('codigo')) {
    rememberCode(number, query.get('codigo'));
    history.replaceState(null, '', `#/solicitud/${number}`); // the code leaves the address bar
  }
  let code = keyHeaders(number);
  if (!code && (await accountSession(number))) code = keyHeaders(number);
  if (!code) return lookupForm(number, '', null);
  let ticket;
  try {
    ticket = await request(`/tickets/${encodeURIComponent(number)}`, { headers: code });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      forget(number);
      // an hour's session ran out: signed in, the account opens the request again (once)
      if (code['X-Ticket-Session'] && !again && (await accountSession(number))) {
        return render({ params, query: new URLSearchParams(), again: true });
      }
      return lookupForm(
        number,
        '',
        t(code['X-Ticket-Session'] ? 'request.session_ended' : 'request.not_found'),
      );
    }
    throw e;
  }
  const root = h('section', { class: 'ticket' });
  draw(root, ticket, code);
  return root;
}

/** #/solicitud/<number>/encuesta[?t=<token>]: the request, opened at its survey (the resolved
 * notice's button); after the answer, or when already rated, the same page at its thank-you. */
export async function renderSurvey(ctx) {
  const page = await render(ctx);
  const survey = page && page.querySelector && page.querySelector('#survey-h');
  if (survey) survey.setAttribute('data-autofocus', '');
  if (page && page.classList && page.classList.contains('ticket')) {
    history.replaceState(null, '', `#/solicitud/${ctx.params[0]}/encuesta`);
  }
  return page;
}

/** ``code`` is the header object that opens the request (session or access code). */
function draw(root, ticket, code, message = '') {
  const status = statusLine();
  status.textContent = message;
  status.setAttribute('tabindex', '-1');
  const replyValue = { body: '' };
  const closed = ticket.status === 'closed';
  const formEl = checkedForm(
    {
      class: 'reply',
      check: () => textProblems('body', replyValue.body, 10000, 'val.message_required'),
      send: async () => {
        const text = replyValue.body.trim();
        const button = formEl.querySelector('button');
        busy(button, true);
        try {
          const updated = await request(`/tickets/${ticket.number}/messages`, {
            method: 'POST',
            body: { body: text },
            headers: code,
          });
          draw(root, updated, code, t('request.reply_sent'));
          announce(t('request.reply_sent'));
          root.querySelector('.timeline li:last-child')?.scrollIntoView({ block: 'nearest' });
          root.querySelector('h1').focus();
        } catch (error) {
          busy(button, false);
          showErrors(
            formEl,
            error.errors && error.errors.length ? error.errors : [{ field: null, message: error.message }],
          );
        }
      },
    },
    h('h2', {}, t('request.reply_title')),
    errorSummary(),
    field({
      name: 'body',
      kind: 'textarea',
      label: t('request.reply_label'),
      required: true,
      hint: t(ticket.status === 'resolved' ? 'request.reply_hint_reopen' : 'request.reply_hint'),
      ...bound(replyValue, 'body'),
    }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'btn primary' }, t('request.reply_submit')),
    ),
  );

  const answered = ticket.first_response_at;
  // The answer that matters now: the latest message (or status change with a message) from staff.
  const current = [...ticket.timeline]
    .reverse()
    .find((e) => e.body && !mine(e) && e.action !== 'created' && e.action !== 'survey');
  mount(
    root,
    h('p', { class: 'eyebrow' }, t('request.eyebrow')),
    h('h1', { tabindex: '-1' }, t('request.title', { number: ticket.number })),
    h('p', { class: 'lead' }, ticket.subject),
    h(
      'p',
      {},
      h('span', { class: `badge status-${ticket.status}`, 'data-testid': 'status' }, ticket.status_label),
    ),
    status,
    mergedBox(ticket),
    ticket.paused && h('p', { class: 'notice' }, t('request.paused_note')),
    // The answer that matters now comes before the dates: on a phone it is what the notice was about.
    current &&
      h(
        'section',
        { class: 'current-answer', 'aria-labelledby': 'answer-h', 'data-testid': 'current-answer' },
        h(
          'h2',
          { id: 'answer-h' },
          t(ticket.status === 'waiting_citizen' ? 'request.we_need' : 'request.latest_answer'),
        ),
        h(
          'p',
          { class: 'tl-head' },
          h('strong', {}, current.author),
          ' · ',
          h('time', { datetime: current.at }, fmtDateTime(current.at)),
        ),
        h('div', { class: 'tl-body' }, current.body),
        ticket.status === 'waiting_citizen' &&
          h(
            'p',
            { class: 'actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'btn primary',
                onclick: () => {
                  const box = formEl.querySelector('textarea');
                  box.scrollIntoView({ block: 'center' });
                  box.focus();
                },
              },
              t('request.answer_now'),
            ),
          ),
      ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('request.created')),
      h('dd', {}, fmtDateTime(ticket.created_at)),
      // Once answered, "expected before" gives way to when we answered.
      answered
        ? [
            h('dt', {}, t('request.answered_at')),
            h('dd', { 'data-testid': 'answered-at' }, fmtDateTime(answered)),
          ]
        : !ticket.merged_into && [
            h('dt', {}, t('request.expected')),
            h('dd', {}, fmtDateTime(ticket.expected_response_by)),
          ],
      !ticket.resolved_at &&
        !ticket.merged_into && [
          h('dt', {}, t('request.resolution_due')),
          h('dd', {}, fmtDate(ticket.resolution_due)),
        ],
      ticket.legal_due && [
        h('dt', {}, t('request.legal_due')),
        h('dd', { 'data-testid': 'legal-due' }, fmtDate(ticket.legal_due)),
      ],
      ticket.resolved_at && [
        h('dt', {}, t('request.resolved_at')),
        h('dd', {}, fmtDateTime(ticket.resolved_at)),
      ],
    ),
    surveyBox(root, ticket, code),
    h(
      'section',
      { class: 'my-request', 'aria-labelledby': 'mine-h' },
      h('h2', { id: 'mine-h' }, t('request.what_you_wrote')),
      ticket.description && h('div', { class: 'tl-body', 'data-testid': 'description' }, ticket.description),
      (ticket.form_answers.length || (ticket.location && ticket.location.address)) &&
        h(
          'dl',
          { class: 'facts' },
          ticket.location &&
            ticket.location.address && [
              h('dt', {}, t('request.address')),
              h('dd', {}, ticket.location.address),
            ],
          ticket.form_answers.map((a) => [h('dt', {}, a.label), h('dd', {}, a.value)]),
        ),
    ),
    conversationBox(ticket, current),
    closed ? !ticket.merged_into && h('p', { class: 'notice' }, t('request.closed_note')) : formEl,
    attachmentsBox({
      api: (path, options = {}) =>
        request(path, { ...options, headers: { ...(options.headers || {}), ...code } }),
      base: `/tickets/${encodeURIComponent(ticket.number)}`,
      canUpload: !closed,
    }),
    pushBox(ticket, code),
    noticesBox(ticket, code),
    h(
      'p',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'btn link',
          onclick: () => {
            forget(ticket.number);
            go('/solicitud');
          },
        },
        t('request.leave'),
      ),
    ),
  );
}

/** A merged request says where it went and how the survivor is doing (not its conversation, which
 * may be another person's); the citizen who filed both opens the survivor with its own code. */
function mergedBox(ticket) {
  const into = ticket.merged_into;
  if (!into) return null;
  return h(
    'section',
    { class: 'notice merged', 'aria-labelledby': 'merged-h', 'data-testid': 'merged-into' },
    h('h2', { id: 'merged-h' }, t('request.merged_title', { number: into.number })),
    h('p', {}, t('request.merged_lead', { number: into.number })),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('request.merged_status', { number: into.number })),
      h(
        'dd',
        {},
        h(
          'span',
          { class: `badge status-${into.status}`, 'data-testid': 'merged-status' },
          into.status_label,
        ),
      ),
      into.resolved_at && [h('dt', {}, t('request.resolved_at')), h('dd', {}, fmtDateTime(into.resolved_at))],
    ),
    into.same_requester &&
      h(
        'p',
        {},
        t('request.merged_same'),
        ' ',
        h(
          'a',
          { href: `#/solicitud?numero=${encodeURIComponent(into.number)}` },
          t('request.merged_open', { number: into.number }),
        ),
      ),
  );
}

const SCORES = [1, 2, 3, 4, 5];

/** The satisfaction survey (1-5 and a comment), once per resolution; a thank-you once answered. */
function surveyBox(root, ticket, code) {
  if (!ticket.survey_open) {
    if (!ticket.csat_score || !ticket.resolved_at) return null;
    return h(
      'section',
      { class: 'survey done', 'aria-labelledby': 'survey-h' },
      h('h2', { id: 'survey-h', tabindex: '-1' }, t('survey.title')),
      h(
        'p',
        { 'data-testid': 'survey-thanks' },
        t('survey.thanks', { score: ticket.csat_score, label: t(`survey.score.${ticket.csat_score}`) }),
      ),
    );
  }
  const values = { score: null, comment: '' };
  const formEl = checkedForm(
    {
      check: () => {
        const errors = [];
        if (!values.score) errors.push({ field: 'score', message: t('survey.choose') });
        if (values.comment.length > 2000)
          errors.push({ field: 'comment', message: t('val.max_length', { n: 2000 }) });
        return errors;
      },
      submit: true,
      send: async () => {
        const updated = await request(`/tickets/${ticket.number}/survey`, {
          method: 'POST',
          body: { score: values.score, comment: values.comment.trim() || null },
          headers: code,
        });
        draw(root, updated, code, t('survey.sent'));
        announce(t('survey.sent'));
        root.querySelector('#survey-h').focus();
      },
      fail: async (error) => {
        if (error instanceof ApiError && error.status === 409) {
          // Already answered (e.g. in another tab) or reopened meanwhile: show the current state.
          const fresh = await request(`/tickets/${ticket.number}`, { headers: code });
          draw(root, fresh, code, error.message);
          root.querySelector('.status-line').focus();
          return;
        }
        showErrors(
          formEl,
          error.errors && error.errors.length ? error.errors : [{ field: null, message: error.message }],
        );
      },
      stay: true,
    },
    errorSummary(),
    h(
      'fieldset',
      { class: 'rating', 'data-for': 'score', 'aria-describedby': 'score-hint score-err' },
      h('legend', {}, t('survey.question')),
      h('p', { class: 'hint', id: 'score-hint' }, t('survey.scale')),
      h('p', { class: 'error', id: 'score-err', hidden: true }),
      h(
        'div',
        { class: 'rating-row' },
        SCORES.map((n) =>
          h(
            'div',
            { class: 'rating-choice' },
            h('input', {
              type: 'radio',
              name: 'score',
              id: `score-${n}`,
              value: String(n),
              onchange: () => {
                values.score = n;
              },
            }),
            h(
              'label',
              { for: `score-${n}` },
              h('span', { class: 'rating-n' }, String(n)),
              ' ',
              h('span', { class: 'rating-label' }, t(`survey.score.${n}`)),
            ),
          ),
        ),
      ),
    ),
    field({
      name: 'comment',
      kind: 'textarea',
      rows: 3,
      label: t('survey.comment'),
      hint: t('survey.comment_hint'),
      ...bound(values, 'comment'),
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('survey.submit'))),
  );
  return h(
    'section',
    { class: 'survey', 'aria-labelledby': 'survey-h' },
    h('h2', { id: 'survey-h', tabindex: '-1' }, t('survey.title')),
    h('p', {}, t('survey.lead')),
    formEl,
  );
}

/** Whether the citizen wrote ``entry`` (the API names them "Usted"/"You" in the language asked). */
const YOU = new Set(['Usted', 'You']);
const mine = (entry) => YOU.has(entry.author) || entry.author === t('request.you');

/** The conversation, newest last, as a chat: the citizen's messages on one side, the
 * institution's on the other, each headed by who wrote it and when (the side is never told by
 * colour alone); steps without a message ("received", "in progress") are short lines between
 * them. The message that is the current answer is marked as such. */
function conversationBox(ticket, current) {
  const shown = ticket.timeline.filter(
    (entry) => entry.action !== 'created' || !ticket.description || entry.body !== ticket.description,
  );
  return h(
    'section',
    { class: 'conversation', 'aria-labelledby': 'conv-h' },
    h('h2', { id: 'conv-h' }, t('request.conversation')),
    h(
      'ol',
      { class: 'timeline chat', 'data-testid': 'conversation' },
      shown.map((entry) => {
        const when = h('time', { datetime: entry.at }, fmtDateTime(entry.at));
        if (!entry.body || entry.action === 'created') {
          const text = entry.action === 'created' && entry.body ? null : describe(entry);
          if (text)
            return h(
              'li',
              { class: `step tl-${entry.action}` },
              h('p', { class: 'tl-what' }, text),
              ' ',
              when,
            );
        }
        const own = mine(entry);
        const tag = entry.action !== 'message' && entry.action !== 'created' && describe(entry);
        return h(
          'li',
          {
            class: `msg ${own ? 'msg-mine' : 'msg-theirs'}${entry === current ? ' msg-current' : ''} tl-${entry.action}`,
          },
          h(
            'h3',
            { class: 'msg-who' },
            own ? t('request.you') : entry.author,
            entry === current && h('span', { class: 'msg-flag' }, ' · ', t('request.current_flag')),
          ),
          h('p', { class: 'msg-when' }, when),
          tag && h('p', { class: 'tl-what' }, tag),
          h('div', { class: 'tl-body' }, entry.body),
        );
      }),
    ),
  );
}

function describe(entry) {
  if (entry.action === 'status_changed' && entry.status)
    return t('timeline.status', { status: t(`status.${entry.status}`) });
  if (entry.action === 'survey' && entry.score) return t('timeline.survey_score', { score: entry.score });
  if (entry.action === 'merged' && entry.other) return t('timeline.merged_with', { number: entry.other });
  if (entry.action === 'extension' && entry.days)
    return t('timeline.extension_days', { days: entry.days, date: fmtDate(entry.legal_due) });
  return t(`timeline.${entry.action}`);
}
