import { type CompileWarning, FlowDocument } from '@sopflow/core';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { saveDraft, validateDraft } from '../api/flows';
import { type HistoryAction, historyReducer, initialHistory } from '../editor/history';

export type SaveState =
  | { status: 'saved' }
  | { status: 'dirty' }
  | { status: 'saving' }
  /** The document does not match the schema yet (an empty message…); the API would refuse it. */
  | { status: 'invalid' }
  | { status: 'failed'; message: string };

type Action =
  | HistoryAction<FlowDocument>
  | { type: 'update'; fn: (doc: FlowDocument) => FlowDocument; key?: string; at: number };

function reducer(state: ReturnType<typeof initialHistory<FlowDocument>>, action: Action) {
  if (action.type === 'update') {
    return historyReducer(state, {
      type: 'commit',
      value: action.fn(state.present),
      key: action.key,
      at: action.at,
    });
  }
  return historyReducer(state, action);
}

/** Waits this long after the last change before saving by itself. */
export const AUTOSAVE_MS = 800;

/**
 * The document being edited, its undo history, and saving: changes are saved by themselves a
 * moment after the last one, or at once with `flush()` (the Save button, before publishing or a
 * preview, which read the stored draft).
 */
export function useFlowEditor(initial: FlowDocument, onSaved?: () => void) {
  const [history, dispatch] = useReducer(reducer, initial, initialHistory<FlowDocument>);
  const doc = history.present;
  const docRef = useRef(doc);
  docRef.current = doc;
  const savedRef = useRef(initial);
  const inflight = useRef<Promise<boolean> | null>(null);
  const onSavedRef = useRef(onSaved);
  onSavedRef.current = onSaved;
  const [save, setSave] = useState<SaveState>({ status: 'saved' });
  /** The server's warnings on the draft as last saved. */
  const [warnings, setWarnings] = useState<readonly CompileWarning[]>([]);
  // The stored draft's warnings as it opens: no save will answer them until the first change.
  useEffect(() => {
    const abort = new AbortController();
    validateDraft(initial.id, abort.signal).then(setWarnings, () => undefined);
    return () => abort.abort();
  }, [initial.id]);

  const update = useCallback(
    (fn: (doc: FlowDocument) => FlowDocument, key?: string) =>
      dispatch({ type: 'update', fn, key, at: Date.now() }),
    [],
  );
  /** Changes the document as its starting point: no undo step leads back to what it was. */
  const settle = useCallback(
    (fn: (doc: FlowDocument) => FlowDocument) => dispatch({ type: 'reset', value: fn(docRef.current) }),
    [],
  );
  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);

  const flush = useCallback(async (): Promise<boolean> => {
    while (inflight.current) await inflight.current;
    const current = docRef.current;
    if (current === savedRef.current) return true;
    if (!FlowDocument.safeParse(current).success) {
      setSave({ status: 'invalid' });
      return false;
    }
    setSave({ status: 'saving' });
    const attempt = saveDraft(current).then(
      (answer) => {
        setWarnings(answer.warnings);
        savedRef.current = current;
        setSave(docRef.current === current ? { status: 'saved' } : { status: 'dirty' });
        onSavedRef.current?.();
        return true;
      },
      (error: Error) => {
        setSave({ status: 'failed', message: error.message });
        return false;
      },
    );
    inflight.current = attempt.finally(() => {
      inflight.current = null;
    });
    return attempt;
  }, []);

  useEffect(() => {
    if (doc === savedRef.current) return;
    setSave((s) => (s.status === 'saving' ? s : { status: 'dirty' }));
    const timer = setTimeout(() => void flush(), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [doc, flush]);

  // Leaving the page with changes not yet stored: save them, and let the browser ask.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (docRef.current !== savedRef.current) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      window.removeEventListener('beforeunload', warn);
      void flush();
    };
  }, [flush]);

  return {
    doc,
    docRef,
    update,
    settle,
    undo,
    redo,
    canUndo: history.past.length > 0,
    canRedo: history.future.length > 0,
    save,
    warnings,
    flush,
  };
}
