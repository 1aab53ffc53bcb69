import { type RefObject, useEffect, useRef } from 'react';

/** A `<dialog>` shown as a modal once it is mounted: pass the ref to the element. */
export function useModalDialog(): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);
  return dialog;
}
