import type { ReactNode } from 'react';

/** A table with a row of column headings; its children are the body (`<tbody>`). */
export function Table({
  className,
  testId,
  columns,
  children,
}: {
  className: string;
  testId?: string;
  columns: readonly ReactNode[];
  children: ReactNode;
}) {
  return (
    <table className={className} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((column, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the headings are fixed, in their order
            <th key={i} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      {children}
    </table>
  );
}
