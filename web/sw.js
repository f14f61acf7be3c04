// The portal's service worker: the app shell and the help articles a citizen read stay readable
// offline; Web Push notices are shown and open their request. Nothing is queued: a form sent
// offline fails in the page, which tells the citizen to send it again (never sent later unseen).
const VERSION = 'v1';
const SHELL = `shell-${VERSION}`;
const HELP = `help-${VERSION}`;
const HELP_KEEP = 60; // articles kept for offline reading (the oldest read go first)
const SHELL_FILES = [
  '/',
  '/css/app.css',
  '/js/app.js',
  '/js/api.js',
  '/js/dom.js',
  '/js/i18n.js',
  '/js/forms.js',
  '/js/validate.js',
  '/js/uploads.js',
  '/js/pwa.js',
  '/js/views/home.js',
  '/js/views/help.js',
  '/js/views/contact.js',
  '/js/views/request.js',
  '/js/views/request_notices.js',
  '/i18n/es.json',
  '/i18n/en.json',
  '/manifest.webmanifest',
  '/manifest.en.webmanifest',
  '/icons/icon-192.png',
];
// GET answers of the API worth keeping: the portal's settings and the help articles read.
const API_KEPT = [/^\/api\/v1\/config$/, /^\/api\/v1\/help\/articles\/[a-z0-9-]+$/];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => Promise.all(SHELL_FILES.map((f) => cache.add(f).catch(() => null))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n !== SHELL && n !== HELP).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

async function trim(cache, keep) {
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - keep)).map((k) => cache.delete(k)));
}

/** Network first (fresh when online), the kept copy when offline. */
async function networkFirst(request, cacheName, keep) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.delete(request, { ignoreSearch: false });
      await cache.put(request, response.clone());
      if (keep) await trim(cache, keep);
    }
    return response;
  } catch (error) {
    const kept =
      (await cache.match(request)) || (request.mode === 'navigate' ? await cache.match('/') : null);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return; // forms go to the network or fail in the page, never queued
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/dev/')) return;
  if (url.pathname.startsWith('/api/')) {
    // Requests, accounts and staff data are personal: never cached.
    if (API_KEPT.some((re) => re.test(url.pathname)))
      event.respondWith(networkFirst(request, HELP, HELP_KEEP));
    return;
  }
  if (url.pathname.startsWith('/manuales/')) return;
  event.respondWith(networkFirst(request, SHELL, 0));
});

self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'Ventanilla';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      lang: data.lang || 'es',
      tag: data.number ? `solicitud-${data.number}` : undefined,
      renotify: Boolean(data.number),
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: data.url || '/', number: data.number || null, kind: data.kind || null },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  let target = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin);
  if (target.origin !== self.location.origin) target = new URL('/', self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if ('focus' in client) return client.navigate(target.href).then((c) => (c || client).focus());
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
