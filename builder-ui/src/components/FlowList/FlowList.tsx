import { ChevronsLeft, ChevronsRight, Plus, Search, Users } from 'lucide-react';
import { useState } from 'react';
import { type FlowSummary, listRunningNow } from '../../api/flows';
import { flowMatches, hasChinese } from '../../editor/names';
import { RUNNING_NOW_POLL_MS, runningNowKey, showsRunningNow } from '../../editor/running-now';
import { useLocale } from '../../hooks/useLocale';
import { usePinyin } from '../../hooks/usePinyin';
import { usePolled } from '../../hooks/usePolled';
import type { Remote } from '../../hooks/useRemote';
import { IconButton } from '../common/IconButton';
import { LoadFailed } from '../common/LoadFailed';

interface Props {
  flows: Remote<FlowSummary[]>;
  selectedId: string | undefined;
  onSelect: (id: string) => void;
  onRetry: () => void;
  onNew: () => void;
  /** The gallery is open. */
  creating: boolean;
  /** Folded to a rail, so the canvas gets the room. */
  folded: boolean;
  onFold: () => void;
}

export function FlowList({ flows, selectedId, onSelect, onRetry, onNew, creating, folded, onFold }: Props) {
  const { t } = useLocale();
  // The counts refresh on their own clock; the list itself reloads only when flows change.
  const [running] = usePolled(
    flows.status === 'ready' ? runningNowKey(flows.value) : undefined,
    listRunningNow,
    RUNNING_NOW_POLL_MS,
  );
  const [query, setQuery] = useState('');
  const all = flows.status === 'ready' ? flows.value : [];
  // Pinyin is for finding Chinese names by Latin letters: loaded once such a search is typed.
  const pinyin = usePinyin(/[a-z]/i.test(query) && all.some((f) => hasChinese(f.name)));
  const shown = query.trim() ? all.filter((flow) => flowMatches(flow, query, pinyin)) : all;
  if (folded)
    return (
      <nav className="flow-list flow-list--folded" aria-label={t.flows}>
        <IconButton
          label={t.panels.showFlows}
          onClick={onFold}
          aria-expanded={false}
          data-testid="fold-flows"
        >
          <ChevronsRight size={16} />
        </IconButton>
        <IconButton
          label={t.newFlow}
          onClick={onNew}
          aria-current={creating ? 'page' : undefined}
          data-testid="new-flow"
        >
          <Plus size={16} />
        </IconButton>
      </nav>
    );
  return (
    <nav className="flow-list" aria-label={t.flows}>
      <div className="flow-list__top">
        <button
          type="button"
          className="primary flow-list__new"
          onClick={onNew}
          aria-current={creating ? 'page' : undefined}
          data-testid="new-flow"
        >
          <Plus size={16} /> {t.newFlow}
        </button>
        <IconButton label={t.panels.hideFlows} onClick={onFold} aria-expanded data-testid="fold-flows">
          <ChevronsLeft size={16} />
        </IconButton>
      </div>
      <h2>{t.flows}</h2>
      {flows.status === 'loading' && <p className="muted">{t.loading}</p>}
      {flows.status === 'failed' && (
        <LoadFailed what={t.loadFailed} error={flows.error} onRetry={onRetry} hint={t.apiHint} />
      )}
      {flows.status === 'ready' && flows.value.length === 0 && <p className="muted">{t.noFlows}</p>}
      {all.length > 0 && (
        <label className="flow-list__search">
          <Search size={14} aria-hidden="true" />
          <input
            type="search"
            value={query}
            placeholder={t.searchFlows}
            aria-label={t.searchFlows}
            onChange={(e) => setQuery(e.target.value)}
            data-testid="flow-search"
          />
        </label>
      )}
      {all.length > 0 && shown.length === 0 && (
        <p className="muted" data-testid="flow-search-none">
          {t.noFlowsFound}
        </p>
      )}
      {shown.length > 0 && (
        <ul>
          {shown.map((flow) => (
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
                  {showsRunningNow(flow) && (
                    <RunningNow count={running.value?.get(flow.id)} flowId={flow.id} />
                  )}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}

/** How many contacts are in a flow now: `–` when Temporal did not answer, blank until the first answer. */
function RunningNow({ count, flowId }: { count: number | null | undefined; flowId: string }) {
  const { t } = useLocale();
  return (
    <span
      className={`flow-list__running${count ? ' flow-list__running--some' : ''}`}
      title={count === null ? t.temporalUnreachable : t.flowRunningNowTitle}
      data-testid={`flow-running-${flowId}`}
      data-count={count ?? undefined}
    >
      <Users size={11} aria-hidden="true" />
      {count === undefined ? '…' : count === null ? '–' : t.flowRunningNow(count)}
    </span>
  );
}
