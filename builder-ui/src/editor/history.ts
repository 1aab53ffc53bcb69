/**
 * Undo and redo as a history of whole documents. Documents are immutable, so a history entry
 * shares every unchanged node with its neighbours and costs little.
 */

export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** What the last change was (e.g. typing in one field), to fold a burst into one step. */
  lastKey?: string;
  lastAt?: number;
}

export type HistoryAction<T> =
  | { type: 'commit'; value: T; key?: string; at: number }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'reset'; value: T };

/** How many steps back undo reaches. */
export const HISTORY_LIMIT = 200;

/** Changes with the same key this close together are one undo step (typing a word is one). */
export const COALESCE_MS = 1000;

export function initialHistory<T>(value: T): History<T> {
  return { past: [], present: value, future: [] };
}

export function historyReducer<T>(state: History<T>, action: HistoryAction<T>): History<T> {
  switch (action.type) {
    case 'commit': {
      if (action.value === state.present) return state;
      const coalesce =
        action.key !== undefined &&
        action.key === state.lastKey &&
        state.lastAt !== undefined &&
        action.at - state.lastAt < COALESCE_MS &&
        state.future.length === 0;
      return {
        past: coalesce ? state.past : [...state.past, state.present].slice(-HISTORY_LIMIT),
        present: action.value,
        future: [],
        lastKey: action.key,
        lastAt: action.at,
      };
    }
    case 'undo': {
      const previous = state.past.at(-1);
      if (previous === undefined) return state;
      return { past: state.past.slice(0, -1), present: previous, future: [state.present, ...state.future] };
    }
    case 'redo': {
      const [next, ...rest] = state.future;
      if (next === undefined) return state;
      return { past: [...state.past, state.present], present: next, future: rest };
    }
    case 'reset':
      return initialHistory(action.value);
  }
}
