import { Plus } from 'lucide-react';
import type { FlowSummary } from '../../api/flows';
import { useLocale } from '../../hooks/useLocale';
import type { Remote } from '../../hooks/useRemote';

interface Props {
  flows: Remote<FlowSummary[]>;
  selectedId: string | undefined;
  onSelect: (id: string) => void;
  onRetry: () => void;
  onNew: () => void;
  /** The gallery is open. */
  creating: boolean;
}

export function FlowList({ flows, selectedId, onSelect, onRetry, onNew, creating }: Props) {
  const { t } = useLocale();
  return (
    <nav className="flow-list" aria-label={t.flows}>
      <button
        type="button"
        className="primary flow-list__new"
        onClick={onNew}
        aria-current={creating ? 'page' : undefined}
        data-testid="new-flow"
      >
        <Plus size={16} /> {t.newFlow}
      </button>
      <h2>{t.flows}</h2>
      {flows.status === 'loading' && <p className="muted">{t.loading}</p>}
      {flows.status === 'failed' && (
        <div className="notice notice--error" role="alert">
          <p>
            {t.loadFailed} {flows.error.message}
          </p>
          <p className="muted">{t.apiHint}</p>
          <button type="button" onClick={onRetry}>
            {t.retry}
          </button>
        </div>
      )}
      {flows.status === 'ready' && flows.value.length === 0 && <p className="muted">{t.noFlows}</p>}
      {flows.status === 'ready' && flows.value.length > 0 && (
        <ul>
          {flows.value.map((flow) => (
            <li key={flow.id}>
              <button
                type="button"
                aria-current={flow.id === selectedId ? 'page' : undefined}
                onClick={() => onSelect(flow.id)}
                data-testid={`flow-${flow.id}`}
              >
                <span className="flow-list__name">{flow.name}</span>
                <span className="flow-list__meta">
                  <code>{flow.id}</code>
                  <span className={`status status--${flow.status}`}>{t.statuses[flow.status]}</span>
                  {flow.latestVersion !== null && <span>v{flow.latestVersion}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
