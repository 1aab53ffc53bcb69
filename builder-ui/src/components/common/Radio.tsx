import type { ReactNode } from 'react';

/** One choice of a radio group, with its words beside it. */
export function Radio({
  name,
  checked,
  onSelect,
  testId,
  children,
}: {
  name: string;
  checked: boolean;
  onSelect: () => void;
  testId: string;
  children: ReactNode;
}) {
  return (
    <label>
      <input type="radio" name={name} checked={checked} onChange={onSelect} data-testid={testId} /> {children}
    </label>
  );
}
