// Pages are addressed in the hash (#/sagas/<id>), so the coordinator serves one file for
// the whole dashboard and links keep working behind any path prefix.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path segments after '#/', e.g. ['sagas', '2b8f…']. */
  segments: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path, q = ''] = raw.split('?', 2);
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(path: string, params?: URLSearchParams): string {
  const q = params?.toString();
  return `#/${path}${q ? `?${q}` : ''}`;
}

/** Changes the address without adding a history entry (filters typed into a form). */
export function replaceRoute(path: string, params?: URLSearchParams): void {
  history.replaceState(null, '', href(path, params));
  dispatchEvent(new HashChangeEvent('hashchange'));
}
