// Citizen accounts (optional): sign up with email and an emailed code, sign in with the citizens'
// Cognito pool. One sign-in per browser: the tokens (the ID token carries the verified email) are
// shared by every tab, refreshed before they expire and dropped in every tab at sign-out
// (shared_session.js). Locally the calls go through the dev server's /dev/cognito forward.
import { config } from './api.js';
import { claims } from './auth.js';
import { t } from './i18n.js';
import { followOtherTabs, sharedSession } from './shared_session.js';

const KEY = 'ventanilla.citizen';
const TARGET = 'AWSCognitoIdentityProviderService.';

export class CitizenAuthError extends Error {
  constructor(kind) {
    super(kind);
    this.kind = kind;
  }
}

async function cognito(action, body) {
  const cfg = await config();
  if (!cfg.citizen_pool_client_id) throw new CitizenAuthError('unavailable');
  const url = cfg.cognito_endpoint ? '/dev/cognito' : `https://cognito-idp.${cfg.region}.amazonaws.com/`;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + action },
      body: JSON.stringify({ ClientId: cfg.citizen_pool_client_id, ...body }),
    });
  } catch {
    throw new CitizenAuthError('network');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const type = String(data.__type || '')
      .split('#')
      .pop();
    throw new CitizenAuthError(
      {
        NotAuthorizedException: 'credentials',
        UserNotFoundException: 'credentials',
        UsernameExistsException: 'exists',
        InvalidPasswordException: 'weak_password',
        UserNotConfirmedException: 'unconfirmed',
        CodeMismatchException: 'code',
        ExpiredCodeException: 'code',
        TooManyRequestsException: 'throttled',
        LimitExceededException: 'throttled',
        InvalidParameterException: 'invalid',
      }[type] || 'unknown',
    );
  }
  return data;
}

function sessionOf(result, previous) {
  const id = result.IdToken;
  const c = claims(id);
  return {
    id,
    access: result.AccessToken,
    refresh: result.RefreshToken || previous?.refresh,
    exp: c.exp * 1000,
    sub: c.sub,
    email: c.email,
    name: c.name || '',
  };
}

const store = sharedSession(KEY, async (s) => {
  const data = await cognito('InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: s.refresh },
  });
  return sessionOf(data.AuthenticationResult, s);
});
followOtherTabs(store, '#/cuenta', () => t('account.signed_out_elsewhere'));

const keep = (result) => store.write(sessionOf(result));

/** "Forgot password": Cognito emails a code to the account's address (same answer for an unknown one). */
export async function forgotPassword(email) {
  await cognito('ForgotPassword', { Username: email.trim().toLowerCase() });
}

export async function confirmForgotPassword(email, code, password) {
  await cognito('ConfirmForgotPassword', {
    Username: email.trim().toLowerCase(),
    ConfirmationCode: code,
    Password: password,
  });
}

export async function signUp(email, password, name) {
  await cognito('SignUp', {
    Username: email,
    Password: password,
    UserAttributes: [
      { Name: 'email', Value: email },
      { Name: 'name', Value: name },
    ],
  });
}

export async function confirm(email, code) {
  await cognito('ConfirmSignUp', { Username: email, ConfirmationCode: code });
}

export async function resend(email) {
  await cognito('ResendConfirmationCode', { Username: email });
}

export async function signIn(email, password) {
  const data = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  if (!data.AuthenticationResult) throw new CitizenAuthError('unknown');
  return keep(data.AuthenticationResult);
}

export function current() {
  return store.read();
}

/** A valid ID token, refreshed (by one tab for all) when it is about to expire; null when signed out. */
export async function idToken() {
  const s = await store.valid();
  return s ? s.id : null;
}

/** Sign out of this browser, every tab at once; Cognito revokes the refresh token (in AWS; the
 * local moto has no RevokeToken, its tokens simply expire). Other devices stay signed in. */
export function signOut() {
  const s = current();
  store.clear();
  if (s && s.refresh) {
    config()
      .then((cfg) => (cfg.cognito_endpoint ? null : cognito('RevokeToken', { Token: s.refresh })))
      .catch(() => null);
  }
}
