import type { ButtonHTMLAttributes, ReactNode } from 'react';

/**
 * A button that shows only an icon: its label is both the tooltip and what a screen reader says,
 * unless `title` says more (a shortcut). `danger` marks a destructive one.
 */
export function IconButton({
  label,
  title = label,
  danger = false,
  children,
  ...rest
}: {
  label: string;
  title?: string;
  danger?: boolean;
  children: ReactNode;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'type' | 'className' | 'aria-label' | 'title'>) {
  return (
    <button
      {...rest}
      type="button"
      className={danger ? 'icon-button danger' : 'icon-button'}
      title={title}
      aria-label={label}
    >
      {children}
    </button>
  );
}
