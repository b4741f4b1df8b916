// Talks to the coordinator's /v1 API with the operator's key. Paths are relative to the
// page (/ui/ -> ../v1), so the dashboard also works behind a proxy that adds a path prefix.
// Errors arrive as application/problem+json and become ApiProblem with their stable code.
import { storedKey } from './session';

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: { field: string; message: string }[] = [],
  ) {
    super(detail);
  }

  /** The endpoint does not exist in this coordinator (an older version): a page says so instead of failing. */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'ROUTE_NOT_FOUND';
  }

  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

type Listener = (problem: ApiProblem) => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called when any request answers 401: the key was revoked or mistyped. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export function apiUrl(path: string): string {
  return new URL(`../${path.replace(/^\//, '')}`, document.baseURI).toString();
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown; key?: string | null } = {}): Promise<T> {
  const key = init.key === undefined ? storedKey() : init.key;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path), { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), cache: 'no-store' });
  } catch {
    throw new ApiProblem(0, 'NETWORK_ERROR', 'the coordinator did not answer (is it running?)');
  }
  const text = await res.text();
  const body = text === '' ? undefined : safeJson(text);
  if (!res.ok) {
    const p = (body ?? {}) as { code?: string; detail?: string; errors?: { field: string; message: string }[] };
    const problem = new ApiProblem(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? res.statusText, p.errors ?? []);
    if (problem.unauthenticated) unauthenticatedListeners.forEach((l) => l(problem));
    throw problem;
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
