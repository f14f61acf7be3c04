// Citizen accounts (optional): sign up with email and an emailed code, sign in with the citizens'
// Cognito pool. The ID token (it carries the verified email) lives in this tab only (sessionStorage).
// Locally the calls go through the dev server's /dev/cognito forward, like the staff sign-in.
import { config } from './api.js';
import { claims } from './auth.js';

const KEY = 'ventanilla.citizen';
const TARGET = 'AWSCognitoIdentityProviderService.';

export class CitizenAuthError extends Error {
  constructor(kind) { super(kind); this.kind = kind; }
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
    const type = String(data.__type || '').split('#').pop();
    throw new CitizenAuthError({ NotAuthorizedException: 'credentials', UserNotFoundException: 'credentials',
      UsernameExistsException: 'exists', InvalidPasswordException: 'weak_password',
      UserNotConfirmedException: 'unconfirmed', CodeMismatchException: 'code', ExpiredCodeException: 'code',
      TooManyRequestsException: 'throttled', LimitExceededException: 'throttled',
      InvalidParameterException: 'invalid' }[type] || 'unknown');
  }
  return data;
}

function keep(result, previous) {
  const id = result.IdToken;
  const c = claims(id);
  const session = { id, refresh: result.RefreshToken || previous?.refresh, exp: c.exp * 1000, email: c.email, name: c.name || '' };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export async function signUp(email, password, name) {
  await cognito('SignUp', { Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }, { Name: 'name', Value: name }] });
}

export async function confirm(email, code) {
  await cognito('ConfirmSignUp', { Username: email, ConfirmationCode: code });
}

export async function resend(email) {
  await cognito('ResendConfirmationCode', { Username: email });
}

export async function signIn(email, password) {
  const data = await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } });
  if (!data.AuthenticationResult) throw new CitizenAuthError('unknown');
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

/** A valid ID token, refreshed when it is about to expire; null when signed out. */
export async function idToken() {
  const s = current();
  if (!s) return null;
  if (s.exp - Date.now() > 60_000) return s.id;
  try {
    const data = await cognito('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.refresh } });
    return keep(data.AuthenticationResult, s).id;
  } catch {
    signOut();
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}
