import { useCallback, useSyncExternalStore } from 'react';
import { defaultPanels, type PanelName, type Panels, parseChoices, storedChoices } from '../editor/panels';

const STORAGE_KEY = 'sopflow.panels';

/** One store for the whole page: the shell folds the flow list, the editor the rest. */
let choices: Partial<Panels> | undefined;
let current: Panels | undefined;
const listeners = new Set<() => void>();

function read(): Panels {
  if (!current) {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(STORAGE_KEY);
    } catch {
      // Storage may be disabled (private mode): the defaults for this window then.
    }
    choices = parseChoices(stored);
    current = { ...defaultPanels(window.innerWidth), ...choices };
  }
  return current;
}

function choose(name: PanelName, open: boolean): void {
  choices = { ...choices, [name]: open };
  current = { ...read(), [name]: open };
  try {
    localStorage.setItem(STORAGE_KEY, storedChoices(choices));
  } catch {
    // As above: the choice then lasts for this page only.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Which panels are open, and a way to open or fold one (`toggle(name)` flips it). */
export function usePanels(): [Panels, (name: PanelName, open?: boolean) => void] {
  const panels = useSyncExternalStore(subscribe, read);
  const toggle = useCallback((name: PanelName, open?: boolean) => {
    const now = read();
    const next = open ?? !now[name];
    if (now[name] !== next) choose(name, next);
  }, []);
  return [panels, toggle];
}
