import type { CompileError } from '@sopflow/engine';
import { useReactFlow } from '@xyflow/react';
import { useLocale } from '../../hooks/useLocale';
import { errorMessage } from '../../i18n';

export function ProblemList({ errors }: { errors: readonly CompileError[] }) {
  const { t, locale } = useLocale();
  const { fitView } = useReactFlow();

  return (
    <aside className="problems" aria-label={t.problems}>
      <h2>
        {t.problems} {errors.length > 0 && <span className="badge">{errors.length}</span>}
      </h2>
      {errors.length === 0 ? (
        <p className="notice notice--ok">{t.noProblems}</p>
      ) : (
        <ol>
          {errors.map((error, i) => {
            const where = error.nodeId
              ? `${t.whereNode} ${error.nodeId}`
              : error.edgeId
                ? `${t.whereEdge} ${error.edgeId}`
                : t.whereFlow;
            const text = errorMessage(error, locale);
            return (
              // Errors have no id of their own and the list is rebuilt whole on each compile.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <li key={i}>
                {error.nodeId ? (
                  <button
                    type="button"
                    className="problems__where"
                    onClick={() => fitView({ nodes: [{ id: error.nodeId! }], duration: 300, maxZoom: 1.5 })}
                  >
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
