import { useCallback, useEffect, useRef, useState } from 'react';

export type Remote<T> =
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'failed'; error: Error };

/**
 * Loads `load()` whenever `key` changes, or on `reload()`; while `key` is undefined nothing is
 * asked (the state stays `loading`). A superseded request is aborted so a
 * slow answer for the previous key can never overwrite the current one. A reload keeps showing
 * what was loaded until the new answer comes, so lists do not flicker.
 */
export function useRemote<T>(
  key: string | undefined,
  load: (signal: AbortSignal) => Promise<T>,
): [Remote<T>, () => void] {
  const [state, setState] = useState<Remote<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const loadedKey = useRef<string | undefined>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` fetches, so a new `load` identity alone must not refetch; `attempt` is the reload trigger.
  useEffect(() => {
    if (key === undefined) return;
    const controller = new AbortController();
    if (loadedKey.current !== key) setState({ status: 'loading' });
    load(controller.signal).then(
      (value) => {
        loadedKey.current = key;
        setState({ status: 'ready', value });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        loadedKey.current = key;
        setState({ status: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    return () => controller.abort();
  }, [key, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return [state, reload];
}
