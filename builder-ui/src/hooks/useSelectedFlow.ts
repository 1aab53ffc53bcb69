import { useCallback, useSyncExternalStore } from 'react';

/**
 * The selected flow lives in the URL hash (`#/flows/<id>`), so a reload or a shared link opens
 * the same flow, and the API server needs no route for it.
 */

const PREFIX = '#/flows/';

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function selectedId(): string | undefined {
  const hash = window.location.hash;
  if (!hash.startsWith(PREFIX)) return undefined;
  try {
    return decodeURIComponent(hash.slice(PREFIX.length)) || undefined;
  } catch {
    return undefined;
  }
}

export function useSelectedFlow(): [string | undefined, (id: string) => void] {
  const id = useSyncExternalStore(subscribe, selectedId);
  const select = useCallback((next: string) => {
    window.location.hash = `${PREFIX}${encodeURIComponent(next)}`;
  }, []);
  return [id, select];
}
