import type { CompileError } from '@sopflow/core';
import { ChevronDown, ChevronUp, CircleAlert, CircleCheck } from 'lucide-react';
import { useLocale } from '../../hooks/useLocale';
import { errorMessage } from '../../i18n';
import { IconButton } from '../common/IconButton';

/**
 * Every compile error of the draft as it is drawn (and those the server answered, which may
 * know more), each naming the step or connection it is about; a step's name selects it.
 */
export function ProblemList({
  errors,
  server = false,
  onFocusNode,
  folded = false,
  onFold,
}: {
  errors: readonly CompileError[];
  /** The list is the server's answer (a refused publish or preview). */
  server?: boolean;
  onFocusNode?: (id: string) => void;
  /** Only the heading shows, with the count: the canvas gets the room. */
  folded?: boolean;
  onFold?: () => void;
}) {
  const { t, locale } = useLocale();

  return (
    <aside
      className={`problems${folded ? ' problems--folded' : ''}`}
      aria-label={t.problems}
      data-testid="problems"
      data-count={errors.length}
    >
      <h2>
        {errors.length === 0 ? <CircleCheck size={14} /> : <CircleAlert size={14} />} {t.problems}{' '}
        {errors.length > 0 && <span className="badge">{errors.length}</span>}
        {server && <span className="muted problems__server"> {t.serverProblems}</span>}
        {errors.length === 0 && (
          <span className="problems__none" data-testid="no-problems">
            {t.noProblems}
          </span>
        )}
        {onFold && (
          <IconButton
            label={folded ? t.panels.showProblems : t.panels.hideProblems}
            onClick={onFold}
            aria-expanded={!folded}
            data-testid="fold-problems"
          >
            {folded ? <ChevronUp size={14} /> : <ChevronDown size={14} />}
          </IconButton>
        )}
      </h2>
      {folded || errors.length === 0 ? null : (
        <ol>
          {errors.map((error, i) => {
            const where = error.nodeId
              ? `${t.whereNode} ${error.nodeId}`
              : error.edgeId
                ? `${t.whereEdge} ${error.edgeId}`
                : t.whereFlow;
            const text = errorMessage(error, locale);
            const nodeId = error.nodeId;
            return (
              // Errors have no id of their own and the list is rebuilt whole on each compile.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <li key={i} data-testid="problem" data-node-id={nodeId} data-code={error.code}>
                {nodeId && onFocusNode ? (
                  <button type="button" className="problems__where" onClick={() => onFocusNode(nodeId)}>
                    {where}
                  </button>
                ) : (
                  <span className="problems__where">{where}</span>
                )}
                <span>{text}</span>
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}
