// The portal as an installable app: the service worker, the offline banner, the install prompt
// and the "notices on your phone" box of the request page (Web Push, asked for, never on load).
import { h, announce } from './dom.js';
import { request } from './api.js';
import { getLang, t } from './i18n.js';

let installEvent = null;
const installListeners = new Set();

/** Register /sw.js, keep the manifest in the page's language and show the offline banner. */
export function startApp() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault(); // shown from the request page's box, when the citizen chooses
    installEvent = e;
    installListeners.forEach((fn) => fn());
  });
  window.addEventListener('appinstalled', () => {
    installEvent = null;
    installListeners.forEach((fn) => fn());
  });
  const banner = document.getElementById('offline-banner');
  const show = () => {
    if (!banner) return;
    banner.hidden = navigator.onLine; // role=status: screen readers hear it when it appears
  };
  window.addEventListener('online', show);
  window.addEventListener('offline', show);
  show();
  syncManifest();
}

/** The manifest in the page's language (Spanish by default). */
export function syncManifest() {
  const link = document.querySelector('link[rel=manifest]');
  if (link)
    link.setAttribute('href', getLang() === 'en' ? '/manifest.en.webmanifest' : '/manifest.webmanifest');
}

const standalone = () =>
  window.matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
const pushSupported = () =>
  'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
const isIos = () => /iphone|ipad|ipod/i.test(navigator.userAgent);

function keyBytes(base64url) {
  const raw = atob(
    base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4),
  );
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Ask for permission and this browser's push subscription (only ever from a click). Answers
 * { state: 'blocked' | 'dismissed' } or { state: 'on', subscription } (PushSubscription.toJSON()). */
export async function browserSubscription() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return { state: permission === 'denied' ? 'blocked' : 'dismissed' };
  const { public_key: key } = await request('/push/key');
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    // The browser asks its vendor's push service; one out of reach never answers: give up after 20 s.
    const timeout = new Promise((_, reject) => {
      setTimeout(() => reject(new Error('push service timeout')), 20000);
    });
    subscription = await Promise.race([
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }),
      timeout,
    ]);
  }
  return { state: 'on', subscription: subscription.toJSON() };
}

export { pushSupported, isIos, standalone };

/** Subscribe this browser (after the citizen asked) and file it under the request. */
async function subscribe(number, headers) {
  const got = await browserSubscription();
  if (got.state !== 'on') return got.state;
  await request('/devices', {
    method: 'POST',
    body: { platform: 'webpush', number, subscription: got.subscription },
    headers,
  });
  return 'on';
}

/** "Reciba avisos en su teléfono": notices by Web Push and, where the browser offers it, install. */
export function pushBox(ticket, headers) {
  if (ticket.status === 'closed') return null;
  const status = h('p', { class: 'status-line', role: 'status', 'data-testid': 'push-status' });
  const actions = h('div', { class: 'actions' });
  const box = h(
    'section',
    { class: 'push-box', 'aria-labelledby': 'push-h', 'data-testid': 'push-box' },
    h('h2', { id: 'push-h' }, t('push.title')),
    h('p', {}, t('push.lead')),
    actions,
    status,
  );
  const draw = () => {
    actions.replaceChildren();
    if (pushSupported()) {
      const on =
        Notification.permission === 'granted' && ticket.notices && ticket.notices.channels.includes('push');
      const button = h(
        'button',
        { type: 'button', class: 'btn primary', 'data-testid': 'push-enable' },
        t(on ? 'push.enable_again' : 'push.enable'),
      );
      button.addEventListener('click', async () => {
        button.disabled = true;
        status.textContent = t('push.working');
        try {
          const result = await subscribe(ticket.number, headers);
          status.textContent = t(`push.${result}`);
          status.classList.toggle('push-problem', result !== 'on');
          if (result === 'on' && ticket.notices && !ticket.notices.channels.includes('push')) {
            ticket.notices = { ...ticket.notices, channels: [...ticket.notices.channels, 'push'] };
          }
        } catch (error) {
          status.textContent = error && error.status === 409 ? t('push.not_offered') : t('push.failed');
          status.classList.add('push-problem');
        } finally {
          button.disabled = false;
          announce(status.textContent);
        }
      });
      actions.append(button);
    } else {
      actions.append(
        h('p', { class: 'hint' }, t(isIos() && !standalone() ? 'push.ios_first' : 'push.unsupported')),
      );
    }
    if (installEvent && !standalone()) {
      const install = h(
        'button',
        { type: 'button', class: 'btn', 'data-testid': 'push-install' },
        t('push.install'),
      );
      install.addEventListener('click', async () => {
        const prompt = installEvent;
        installEvent = null;
        prompt.prompt();
        const choice = await prompt.userChoice.catch(() => null);
        status.textContent = t(
          choice && choice.outcome === 'accepted' ? 'push.installed' : 'push.install_later',
        );
        draw();
      });
      actions.append(install);
    } else if (isIos() && !standalone()) {
      actions.append(h('p', { class: 'hint' }, t('push.ios_install')));
    }
  };
  installListeners.add(draw);
  draw();
  return box;
}
