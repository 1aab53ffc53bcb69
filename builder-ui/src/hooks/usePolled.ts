import { useCallback, useEffect, useState } from 'react';

/** How often live numbers refresh while the page is visible. */
export const POLL_MS = 5_000;

export interface Polled<T> {
  /** The last answer; kept through a failed refresh so numbers do not blink away. */
  value?: T;
  /** The last refresh failed (the value, if any, is older). */
  error?: Error;
  /** Which `key` the value belongs to. */
  key?: string;
}

const NOTHING: Polled<never> = {};

const hidden = () => document.visibilityState === 'hidden';

/**
 * Loads `load()` now and then every `ms` while the tab is visible; a hidden tab asks nothing
 * and catches up the moment it is shown again. No `key` means nothing to load. `refresh()`
 * asks at once (after a publish or a rollback, say).
 */
export function usePolled<T>(
  key: string | undefined,
  load: (signal: AbortSignal) => Promise<T>,
  ms = POLL_MS,
): [Polled<T>, () => void] {
  const [state, setState] = useState<Polled<T>>({});
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` fetches, so a new `load` identity alone must not restart polling; `attempt` asks again at once.
  useEffect(() => {
    if (key === undefined) {
      setState({});
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight: AbortController | undefined;
    const tick = async () => {
      timer = undefined;
      if (stopped || inFlight || hidden()) return;
      const controller = new AbortController();
      inFlight = controller;
      try {
        const value = await load(controller.signal);
        if (!stopped) setState({ value, key });
      } catch (error) {
        if (!stopped)
          setState((s) => ({
            ...(s.key === key ? s : {}),
            key,
            error: error instanceof Error ? error : new Error(String(error)),
          }));
      } finally {
        inFlight = undefined;
        if (!stopped && !hidden()) timer = setTimeout(tick, ms);
      }
    };
    const onVisibility = () => {
      if (!hidden() && timer === undefined) void tick();
    };
    void tick();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      inFlight?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, attempt, ms]);

  const refresh = useCallback(() => setAttempt((n) => n + 1), []);
  // An answer for the previous key (another step, an older version) is not this key's.
  return [state.key === key ? state : NOTHING, refresh];
}
