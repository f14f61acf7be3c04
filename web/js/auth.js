// Staff sign-in with Cognito (USER_PASSWORD_AUTH) straight from the browser; tokens live in this
// tab only (sessionStorage). Locally the call goes through the dev server's /dev/cognito forward.
import { config } from './api.js';

const KEY = 'ventanilla.staff';
const TARGET = 'AWSCognitoIdentityProviderService.';

export class AuthError extends Error {
  /** ``challenge``: for kind 'new_password', what setNewPassword needs ({username, session}). */
  constructor(kind, challenge = null) { super(kind); this.kind = kind; this.challenge = challenge; }
}

/** Decode a JWT payload (base64url JSON); no verification: the API verifies every token. */
export function claims(jwt) {
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function cognito(action, body, withClient = true) {
  const cfg = await config();
  const url = cfg.cognito_endpoint ? '/dev/cognito' : `https://cognito-idp.${cfg.region}.amazonaws.com/`;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + action },
      body: JSON.stringify(withClient ? { ClientId: cfg.user_pool_client_id, ...body } : body),
    });
  } catch {
    throw new AuthError('network');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const type = String(data.__type || '').split('#').pop();
    throw new AuthError({ NotAuthorizedException: 'credentials', UserNotFoundException: 'credentials',
      PasswordResetRequiredException: 'reset', UserNotConfirmedException: 'unconfirmed',
      TooManyRequestsException: 'throttled', InvalidPasswordException: 'weak_password',
      CodeMismatchException: 'challenge_expired', ExpiredCodeException: 'challenge_expired' }[type] || 'unknown');
  }
  return data;
}

function keep(result, previous) {
  const access = result.AccessToken;
  const id = result.IdToken || previous?.id;
  const a = claims(access);
  const i = id ? claims(id) : {};
  const session = {
    access, id, refresh: result.RefreshToken || previous?.refresh,
    exp: a.exp * 1000,
    sub: a.sub,
    username: a.username || i['cognito:username'],
    name: i.name || a.username,
    groups: a['cognito:groups'] || [],
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export async function login(username, password) {
  const data = await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } });
  if (data.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
    throw new AuthError('new_password', { username: data.ChallengeParameters?.USERNAME || username, session: data.Session });
  }
  if (!data.AuthenticationResult) throw new AuthError('challenge');
  return keep(data.AuthenticationResult);
}

/** First sign-in with a temporary password: the person chooses their own; signs in on success. */
export async function setNewPassword(challenge, password) {
  let data;
  try {
    data = await cognito('RespondToAuthChallenge', {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.username, NEW_PASSWORD: password },
    });
  } catch (e) {
    // The challenge's session lasts minutes; after that Cognito answers NotAuthorized.
    throw e.kind === 'credentials' ? new AuthError('challenge_expired') : e;
  }
  if (!data.AuthenticationResult) throw new AuthError('challenge');
  return keep(data.AuthenticationResult);
}

export function current() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    return s && (s.exp > Date.now() || s.refresh) ? s : null;
  } catch {
    return null;
  }
}

/** A valid access token, refreshed when it is about to expire; null when signed out. */
export async function accessToken() {
  const s = current();
  if (!s) return null;
  if (s.exp - Date.now() > 60_000) return s.access;
  try {
    const data = await cognito('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.refresh } });
    return keep(data.AuthenticationResult, s).access;
  } catch {
    logout();
    return null;
  }
}

export function logout() {
  sessionStorage.removeItem(KEY);
}

/** Sign out everywhere: the API refuses every token from before now, Cognito signs the user out
 * globally and revokes the refresh token; then this tab forgets the session. */
export async function signOut() {
  const s = current();
  if (!s) return;
  const access = await accessToken().catch(() => null);
  const quiet = (promise) => promise.catch(() => null);
  if (access) {
    await quiet(fetch('/api/v1/agent/me/sign-out', { method: 'POST', headers: { Authorization: `Bearer ${access}` } }));
    await quiet(cognito('GlobalSignOut', { AccessToken: access }, false));
  }
  // moto has no RevokeToken; its GlobalSignOut already drops the refresh tokens.
  if (s.refresh && !(await config()).cognito_endpoint) await quiet(cognito('RevokeToken', { Token: s.refresh }));
  logout();
}
