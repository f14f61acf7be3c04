// Attachments of a request (B6, B10): choose a file, declare it, upload it straight to storage with
// a progress bar, then follow the check (available / rejected with the reason); download links.
import { h, announce } from './dom.js';
import { config } from './api.js';
import { fmtDateTime, t } from './i18n.js';

export const ACCEPT =
  '.pdf,.jpg,.jpeg,.png,.doc,.docx,.odt,.txt,application/pdf,image/jpeg,image/png,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text,text/plain';
const TYPES = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  txt: 'text/plain',
};
const MAX_BYTES = 10 * 1024 * 1024;

function typeOf(file) {
  if (Object.values(TYPES).includes(file.type)) return file.type;
  return TYPES[(file.name.split('.').pop() || '').toLowerCase()] || null;
}

const size = (n) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;

/** POST the file with the presigned form's fields, reporting progress (0-1). */
async function post(slot, file, onProgress) {
  const cfg = await config();
  const form = new FormData();
  for (const [k, v] of Object.entries(slot.upload.fields)) form.append(k, v);
  form.append('file', file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', cfg.upload_proxy || slot.upload.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(t('upload.failed'))));
    xhr.onerror = () => reject(new Error(t('error.network')));
    xhr.send(form);
  });
}

/**
 * The attachments box. ``api(path, options)`` calls the API with the right credentials; ``base`` is
 * the request's path (``/tickets/<n>`` or ``/agent/tickets/<n>``); ``canUpload`` false hides the input.
 */
export function attachmentsBox({ api, base, canUpload = true }) {
  const list = h('ul', { class: 'attachments', 'data-testid': 'attachments' });
  const status = h('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
  const bar = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': t('upload.progress') });
  const error = h('p', { class: 'error', id: 'upload-err', role: 'alert', hidden: true });
  const input = h('input', {
    type: 'file',
    id: 'upload-file',
    accept: ACCEPT,
    'aria-describedby': 'upload-hint upload-err',
  });

  const fail = (message) => {
    error.hidden = false;
    error.textContent = message;
    bar.hidden = true;
    input.disabled = false;
  };

  async function refresh(waitFor = null) {
    let items = [];
    for (let i = 0; i < 20; i += 1) {
      ({ items } = await api(`${base}/attachments`));
      if (!waitFor || items.some((a) => a.attachment_id === waitFor && a.status !== 'pending')) break;
      await new Promise((r) => {
        setTimeout(r, 500);
      });
    }
    list.replaceChildren(
      ...items.map((a) =>
        h(
          'li',
          { class: `att att-${a.status}` },
          a.status === 'available'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'btn link',
                  onclick: async () => {
                    const link = await api(`${base}/attachments/${a.attachment_id}`);
                    window.location.assign(link.url);
                  },
                },
                a.filename,
              )
            : h('span', {}, a.filename),
          ` · ${size(a.size)} · `,
          h('span', { class: `badge att-status-${a.status}` }, t(`upload.status.${a.status}`)),
          a.reason_text && h('span', { class: 'error' }, ` ${a.reason_text}`),
          h('span', { class: 'hint' }, ` · ${fmtDateTime(a.created_at)}`),
        ),
      ),
    );
    if (!items.length) list.replaceChildren(h('li', { class: 'hint' }, t('upload.none')));
    return items;
  }

  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    error.hidden = true;
    if (!file) return;
    const type = typeOf(file);
    if (!type) {
      fail(t('upload.bad_type'));
      return;
    }
    if (file.size > MAX_BYTES) {
      fail(t('upload.too_big'));
      return;
    }
    if (file.size === 0) {
      fail(t('upload.empty'));
      return;
    }
    input.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = t('upload.sending', { name: file.name });
    try {
      const slot = await api(`${base}/attachments`, {
        method: 'POST',
        body: { filename: file.name.slice(-160), content_type: type, size: file.size },
      });
      await post(slot, file, (share) => {
        bar.value = share;
      });
      status.textContent = t('upload.checking', { name: file.name });
      const items = await refresh(slot.attachment.attachment_id);
      const mine = items.find((a) => a.attachment_id === slot.attachment.attachment_id);
      const done =
        mine && mine.status === 'available'
          ? t('upload.done', { name: file.name })
          : mine && mine.status === 'rejected'
            ? t('upload.rejected', { name: file.name, reason: mine.reason_text || '' })
            : t('upload.still_checking');
      status.textContent = done;
      announce(done);
      bar.hidden = true;
      input.disabled = false;
      input.value = '';
    } catch (e) {
      fail((e.errors && e.errors[0] && e.errors[0].message) || e.message);
      status.textContent = '';
    }
  });

  refresh().catch(() => {});
  return h(
    'section',
    { class: 'uploads', 'aria-labelledby': 'att-h' },
    h('h2', { id: 'att-h' }, t('upload.title')),
    list,
    canUpload &&
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'upload-file' }, t('upload.label')),
        h('p', { class: 'hint', id: 'upload-hint' }, t('upload.hint')),
        input,
        bar,
        error,
      ),
    status,
  );
}
