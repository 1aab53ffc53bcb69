import type { InputHTMLAttributes, ReactNode } from 'react';

/** An input with its label above it (the label wraps it, so no id is needed). */
export function TextField({ label, ...input }: { label: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <input {...input} />
    </label>
  );
}
