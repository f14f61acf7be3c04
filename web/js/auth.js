// Staff sign-in with Cognito (USER_PASSWORD_AUTH) straight from the browser. One sign-in per
// browser: the tokens are shared by every tab (shared_session.js), refreshed before they expire and
// dropped in every tab at sign-out. "Forgot password" is Cognito's ForgotPassword with an emailed
// code. Locally the calls go through the dev server's /dev/cognito forward.
import { config } from './api.js';
import { t } from './i18n.js';
import { followOtherTabs, sharedSession } from './shared_session.js';

const KEY = 'ventanilla.staff';
const TARGET = 'AWSCognitoIdentityProviderService.';

export class AuthError extends Error {
  /** ``challenge``: for kind 'new_password', what setNewPassword needs ({username, session}). */
  constructor(kind, challenge = null) {
    super(kind);
    this.kind = kind;
    this.challenge = challenge;
  }
}

/** Decode a JWT payload (base64url JSON); no verification: the API verifies every token. */
export function claims(jwt) {
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')), (c) =>
    c.charCodeAt(0),
  );
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
    const type = String(data.__type || '')
      .split('#')
      .pop();
    throw new AuthError(
      {
        NotAuthorizedException: 'credentials',
        UserNotFoundException: 'credentials',
        PasswordResetRequiredException: 'reset',
        UserNotConfirmedException: 'unconfirmed',
        TooManyRequestsException: 'throttled',
        InvalidPasswordException: 'weak_password',
        CodeMismatchException: 'challenge_expired',
        ExpiredCodeException: 'challenge_expired',
        LimitExceededException: 'throttled',
      }[type] || 'unknown',
    );
  }
  return data;
}

function sessionOf(result, previous) {
  const access = result.AccessToken;
  const id = result.IdToken || previous?.id;
  const a = claims(access);
  const i = id ? claims(id) : {};
  return {
    access,
    id,
    refresh: result.RefreshToken || previous?.refresh,
    exp: a.exp * 1000,
    sub: a.sub,
    username: a.username || i['cognito:username'],
    name: i.name || a.username,
    groups: a['cognito:groups'] || [],
  };
}

const store = sharedSession(KEY, async (s) => {
  const data = await cognito('InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: s.refresh },
  });
  return sessionOf(data.AuthenticationResult, s);
});
followOtherTabs(store, '#/agente', () => t('agent.signed_out_elsewhere'));

const keep = (result) => store.write(sessionOf(result));

/** Hear what another tab did to the sign-in ('signed_in', 'signed_out', 'refreshed'). */
export const onSessionChange = (fn) => store.onChange(fn);

export async function login(username, password) {
  const data = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (data.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
    throw new AuthError('new_password', {
      username: data.ChallengeParameters?.USERNAME || username,
      session: data.Session,
    });
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

/** "Forgot password": Cognito emails a code to the account's verified address. The answer is the
 * same whether or not the account exists (the pool prevents user-existence errors). */
export async function forgotPassword(username) {
  await cognito('ForgotPassword', { Username: username });
}

/** The emailed code and the new password; the person then signs in with it. */
export async function confirmForgotPassword(username, code, password) {
  try {
    await cognito('ConfirmForgotPassword', {
      Username: username,
      ConfirmationCode: code,
      Password: password,
    });
  } catch (e) {
    throw e.kind === 'challenge_expired' ? new AuthError('code') : e;
  }
}

export function current() {
  return store.read();
}

/** A valid access token, refreshed (by one tab for all) when it is about to expire; null when
 * signed out. */
export async function accessToken() {
  const s = await store.valid();
  return s ? s.access : null;
}

/** Forget the sign-in in every tab of this browser. */
export function logout() {
  store.clear();
}

/** Sign out everywhere: the API refuses every token from before now, Cognito signs the user out
 * globally and revokes the refresh token; then every tab of this browser forgets the session. */
export async function signOut() {
  const s = current();
  if (!s) return;
  const access = await accessToken().catch(() => null);
  const quiet = (promise) => promise.catch(() => null);
  if (access) {
    await quiet(
      fetch('/api/v1/agent/me/sign-out', { method: 'POST', headers: { Authorization: `Bearer ${access}` } }),
    );
    await quiet(cognito('GlobalSignOut', { AccessToken: access }, false));
  }
  // moto has no RevokeToken; its GlobalSignOut already drops the refresh tokens.
  if (s.refresh && !(await config()).cognito_endpoint)
    await quiet(cognito('RevokeToken', { Token: s.refresh }));
  logout();
}
