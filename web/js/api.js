// The Ventanilla API: JSON in and out, RFC 9457 problem documents as ApiError.
import { getLang, t } from './i18n.js';

let base = '/api/v1';
let configPromise = null;
let catalogPromise = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || t('error.generic'));
    this.status = status;
    this.problem = problem || {};
    /** [{field, code, message}] */
    this.errors = (problem && problem.errors) || [];
  }
  /** The route does not exist (yet): a 404 route_not_found, or a gateway's 403/404 without a problem document. */
  get missingRoute() {
    if (this.status === 403) return !this.problem.code;
    return this.status === 404 && (!this.problem.type || this.problem.code === 'route_not_found');
  }
}

export async function request(path, { method = 'GET', body, headers = {}, token } = {}) {
  const sent = { Accept: 'application/json', 'Accept-Language': getLang(), ...headers };
  if (body !== undefined) sent['Content-Type'] = 'application/json';
  if (token) sent.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(base + path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    // Nothing is kept to send later: the citizen is told it did not go, and sends it again.
    const text = method === 'GET' ? t('error.network') : t('error.offline_not_sent');
    throw new ApiError(0, { title: text, detail: text });
  }
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export function config() {
  if (!configPromise) {
    configPromise = request('/config')
      .then((cfg) => {
        base = cfg.api_base || base;
        return cfg;
      })
      .catch((e) => {
        configPromise = null;
        throw e;
      });
  }
  return configPromise;
}

export function catalog() {
  if (!catalogPromise)
    catalogPromise = request('/catalog').catch((e) => {
      catalogPromise = null;
      throw e;
    });
  return catalogPromise;
}

/** A help route that may not be deployed yet: null when absent, the answer otherwise. */
export async function optional(path) {
  try {
    return await request(path);
  } catch (e) {
    if (e.missingRoute || e.status === 501) return null;
    throw e;
  }
}

export const qs = (params) =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString();
