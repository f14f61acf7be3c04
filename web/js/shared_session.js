// One sign-in per browser, not per tab: a session kept in localStorage (every tab of the origin
// reads the same one), refreshed before it expires by one tab at a time (a Web Lock; the others
// find the new tokens in storage), and ended everywhere at once (the storage event tells every
// other tab). Used by the staff sign-in (auth.js) and the citizens' (citizen_auth.js).

/** The timer refreshes this long before expiry (minus a per-tab jitter), so no tab sends a token
 * in its last minute; a call that finds less than a minute left refreshes then. */
const AHEAD = 120_000;
const LAST_MINUTE = 60_000;

const parse = (text) => {
  try {
    return JSON.parse(text || 'null');
  } catch {
    return null;
  }
};

/**
 * ``refresh(session)`` returns the refreshed session or throws an error whose ``kind`` is
 * 'credentials' when the refresh token is no longer valid (signed out elsewhere, revoked, expired).
 * ``onChange(kind, session)`` hears what another tab did: 'signed_in', 'signed_out' or 'refreshed'.
 */
export function sharedSession(key, refresh) {
  const listeners = new Set();
  let timer = null;

  const usable = (s) => (s && (s.exp > Date.now() || s.refresh) ? s : null);
  const read = () => usable(parse(localStorage.getItem(key)));

  function schedule() {
    clearTimeout(timer);
    const s = read();
    if (!s || !s.refresh) return;
    const wait = s.exp - Date.now() - AHEAD - Math.random() * 30_000;
    timer = setTimeout(
      () => {
        fresh(read(), { ifDue: true }).catch(() => null);
      },
      Math.max(wait, 1_000),
    );
  }

  function write(session) {
    localStorage.setItem(key, JSON.stringify(session));
    known = session;
    schedule();
    return session;
  }

  function clear() {
    localStorage.removeItem(key);
    known = null;
    schedule();
  }

  /** The session after a refresh of ``seen``: refreshed here, or by another tab while this one
   * waited for the lock (its tokens are then taken as they are). */
  async function fresh(seen, { ifDue = false } = {}) {
    const run = async () => {
      const s = read();
      if (!s) return null;
      if (!seen || s.sub !== seen.sub || s.exp !== seen.exp) return s; // another tab got there first
      // A timer that fired just as another tab's refresh landed: nothing is due yet.
      if (ifDue && s.exp - Date.now() > AHEAD + 30_000) {
        schedule();
        return s;
      }
      try {
        return write(await refresh(s));
      } catch (e) {
        if (e && e.kind === 'credentials') {
          clear();
          return null;
        }
        return s.exp > Date.now() ? s : null; // offline for now: keep the sign-in, try again later
      }
    };
    return navigator.locks ? navigator.locks.request(`${key}.refresh`, run) : run();
  }

  /** The session with at least a minute of life left (refreshed if needed); null when signed out. */
  async function valid() {
    const s = read();
    if (!s) return null;
    if (s.exp - Date.now() > LAST_MINUTE) return s;
    return fresh(s);
  }

  // What this tab last knew (a cleared storage, key null, tells no old value).
  let known = read();
  window.addEventListener('storage', (e) => {
    if (e.storageArea !== localStorage || (e.key !== key && e.key !== null)) return;
    const before = known;
    const after = read();
    known = after;
    schedule();
    if (!before && !after) return;
    const kind = !after ? 'signed_out' : !before || before.sub !== after.sub ? 'signed_in' : 'refreshed';
    for (const fn of listeners) fn(kind, after);
  });
  schedule();

  return {
    read,
    write,
    clear,
    valid,
    fresh,
    /** Hear what other tabs do; returns the function that stops listening. */
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** Re-render the page the person is on when another tab signed in, out, or as someone else, and
 * the page is one of ``prefix``'s (the staff console, the citizen's account). */
export function followOtherTabs(store, prefix, signedOutText) {
  store.onChange(async (kind) => {
    if (kind === 'refreshed' || !location.hash.startsWith(prefix)) return;
    const { flash, go } = await import('./app.js');
    if (kind === 'signed_out') flash(signedOutText());
    go(location.hash.slice(1));
  });
}
