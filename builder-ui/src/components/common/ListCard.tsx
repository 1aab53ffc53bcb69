import type { ReactNode } from 'react';
import type { Polled } from '../../hooks/usePolled';

/**
 * A page's card listing what it polls: its title, why the list could not be loaded, why the last
 * action failed, the words for an empty list, and the list itself (`children`) once it has items.
 */
export function ListCard<T>({
  title,
  polled,
  loadFailed,
  failure,
  none,
  hint,
  children,
}: {
  title: string;
  polled: Polled<readonly T[]>;
  /** The sentence before the load error's message ("Could not load the codes:"). */
  loadFailed: string;
  /** Why the last action on the list failed, shown until the next one. */
  failure?: string;
  none: string;
  hint?: string;
  children: (items: readonly T[]) => ReactNode;
}) {
  return (
    <section className="people-card">
      <h3>{title}</h3>
      {hint && <p className="field__hint">{hint}</p>}
      {polled.error && (
        <p className="notice notice--error">
          {loadFailed} {polled.error.message}
        </p>
      )}
      {failure && (
        <p className="notice notice--error" role="alert">
          {failure}
        </p>
      )}
      {polled.value?.length === 0 && <p className="muted">{none}</p>}
      {polled.value && polled.value.length > 0 && children(polled.value)}
    </section>
  );
}
