// The REST client: every call carries the signed-in key, and for an admin the tenant it acts on.
// Errors come back as RFC 9457 problem details; ApiError keeps the parts the pages show.

const KEY = 'millrace.key';
const TENANT = 'millrace.tenant';
// The dashboard lives at /dashboard/, so the API is two levels up from this module.
const BASE = new URL('../../api/v1/', import.meta.url).pathname;

/** An HTTP error with the problem detail the server sent. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The session: the key lives in sessionStorage, so closing the tab signs out. */
export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  set key(v) { v ? sessionStorage.setItem(KEY, v) : sessionStorage.removeItem(KEY); },
  /** The tenant an admin acts on (sent as Millrace-Tenant), or the tenant key's own tenant. */
  get tenant() { return sessionStorage.getItem(TENANT); },
  set tenant(v) { v ? sessionStorage.setItem(TENANT, v) : sessionStorage.removeItem(TENANT); },
  /** 'admin' or 'tenant', found at sign-in. */
  role: null,
  signOut() { this.key = null; this.tenant = null; this.role = null; },
};

/**
 * Calls the API. `scoped` adds the Millrace-Tenant header for an admin acting on a tenant's routes: the picked
 * tenant's, or `tenant` when given (a page about one tenant). Resolves to the parsed JSON body (or null).
 */
export async function api(path, { method = 'GET', body, scoped = false, tenant, key = session.key, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (scoped && session.role === 'admin' && (tenant ?? session.tenant)) headers['Millrace-Tenant'] = tenant ?? session.tenant;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(BASE + path.replace(/^\//, ''), {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Server unreachable', detail: 'The server did not answer: ' + e.message });
  }
  const text = await res.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = { title: res.statusText, detail: text.slice(0, 300) }; }
  }
  if (!res.ok) throw new ApiError(res.status, json || { title: res.statusText || `HTTP ${res.status}` });
  return json;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Follows a Server-Sent Events route with fetch, so the key goes in the Authorization header as on every other call
 * (EventSource cannot send headers, and a key in the URL would end up in logs and history). Calls
 * onEvent(id, data, type) per event (type is the SSE 'event:' field: the channel, or 'error'); resolves when the
 * stream ends or `signal` aborts it; rejects with ApiError when it cannot open.
 */
export async function stream(path, { scoped = false, tenant, key = session.key, signal, onEvent, onOpen } = {}) {
  const headers = { Accept: 'text/event-stream' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (scoped && session.role === 'admin' && (tenant ?? session.tenant)) headers['Millrace-Tenant'] = tenant ?? session.tenant;
  let res;
  try {
    res = await fetch(BASE + path.replace(/^\//, ''), { headers, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') return;
    throw new ApiError(0, { title: 'Server unreachable', detail: 'The server did not answer: ' + e.message });
  }
  if (!res.ok) {
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = { title: res.statusText, detail: text.slice(0, 300) }; }
    throw new ApiError(res.status, json);
  }
  onOpen?.();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      // Events end with a blank line; comments (': keep-alive') carry no data.
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id = null;
        let type = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) id = line.slice(3).trim();
          else if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length) onEvent(id, data.join('\n'), type);
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  }
}
