import { ExternalLink } from 'lucide-react';
import type { ReactNode } from 'react';

/** A link to a run (or a list of runs) in the Temporal UI, opened in a new tab. */
export function TemporalLink({
  href,
  testId,
  children,
}: {
  href: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <a href={href} target="_blank" rel="noreferrer" data-testid={testId}>
      <ExternalLink size={12} aria-hidden="true" /> {children}
    </a>
  );
}
