import type { CompileError, CompileWarning } from '@sopflow/core';
import { ChevronDown, ChevronUp, CircleAlert, CircleCheck, TriangleAlert } from 'lucide-react';
import { useLocale } from '../../hooks/useLocale';
import { errorMessage } from '../../i18n';
import { IconButton } from '../common/IconButton';

/**
 * Every compile error of the draft as it is drawn (and those the server answered, which may
 * know more), each naming the step or connection it is about; a step's name selects it. Below
 * them, the server's warnings on the saved draft, which do not stop publishing.
 */
export function ProblemList({
  errors,
  warnings = [],
  stepNameOf = (id) => id,
  server = false,
  onFocusNode,
  folded = false,
  onFold,
}: {
  errors: readonly CompileError[];
  warnings?: readonly CompileWarning[];
  /** What the operator calls a step, by its id. */
  stepNameOf?: (nodeId: string) => string;
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
        {warnings.length > 0 && (
          <span className="problems__warning-count" data-testid="warning-count">
            <TriangleAlert size={12} /> {t.warningCount(warnings.length)}
          </span>
        )}
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
      {folded || warnings.length === 0 ? null : (
        <ul className="problems__warnings">
          {warnings.map((warning, i) => {
            const nodeId = warning.nodeId;
            const where = nodeId ? `${t.whereNode} ${stepNameOf(nodeId)}` : t.whereFlow;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: the server's list, rebuilt whole on each save
              <li key={i} data-testid="warning" data-node-id={nodeId} data-code={warning.code}>
                <Where where={where} nodeId={nodeId} onFocusNode={onFocusNode} />
                <span>{errorMessage(warning, locale)}</span>
              </li>
            );
          })}
        </ul>
      )}
      {folded || errors.length === 0 ? null : (
        <ol>
          {errors.map((error, i) => {
            const where = error.nodeId
              ? `${t.whereNode} ${stepNameOf(error.nodeId)}`
              : error.edgeId
                ? `${t.whereEdge} ${error.edgeId}`
                : t.whereFlow;
            const text = errorMessage(error, locale);
            const nodeId = error.nodeId;
            return (
              // Errors have no id of their own and the list is rebuilt whole on each compile.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <li key={i} data-testid="problem" data-node-id={nodeId} data-code={error.code}>
                <Where where={where} nodeId={nodeId} onFocusNode={onFocusNode} />
                <span>{text}</span>
              </li>
            );
          })}
        </ol>
      )}
    </aside>
  );
}

/** Where a problem or warning is: a button that selects its step, when it has one and may be selected. */
function Where({
  where,
  nodeId,
  onFocusNode,
}: {
  where: string;
  nodeId: string | undefined;
  onFocusNode: ((id: string) => void) | undefined;
}) {
  return nodeId && onFocusNode ? (
    <button type="button" className="problems__where" onClick={() => onFocusNode(nodeId)}>
      {where}
    </button>
  ) : (
    <span className="problems__where">{where}</span>
  );
}
