import { useCallback, useSyncExternalStore } from 'react';

/**
 * Where the builder is lives in the URL hash, so a reload or a shared link opens the same
 * screen and the API server needs no route for it: `#/flows/<id>` a flow, `#/new` the gallery.
 */

const PREFIX = '#/flows/';
const NEW = '#/new';

export type Route = { kind: 'flow'; id: string } | { kind: 'new' } | { kind: 'home' };

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const hash = () => window.location.hash;

export function parseRoute(hash: string): Route {
  if (hash === NEW) return { kind: 'new' };
  if (!hash.startsWith(PREFIX)) return { kind: 'home' };
  try {
    const id = decodeURIComponent(hash.slice(PREFIX.length));
    return id ? { kind: 'flow', id } : { kind: 'home' };
  } catch {
    return { kind: 'home' };
  }
}

export function useRoute(): [Route, { openFlow: (id: string) => void; openGallery: () => void }] {
  const current = useSyncExternalStore(subscribe, hash);
  const openFlow = useCallback((id: string) => {
    window.location.hash = `${PREFIX}${encodeURIComponent(id)}`;
  }, []);
  const openGallery = useCallback(() => {
    window.location.hash = NEW;
  }, []);
  return [parseRoute(current), { openFlow, openGallery }];
}
