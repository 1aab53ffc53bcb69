import type { FlowDocument } from '@sopflow/core';
import { useEffect, useRef, useState } from 'react';
import {
  getStats,
  getVersionDocument,
  listVersions,
  type MigrationReport,
  migrateContacts,
} from '../../api/flows';
import {
  defaultTargets,
  mappingOf,
  movedCount,
  OLDER_VERSIONS_READ,
  type StepTargets,
  type WaitingVersion,
  waitingVersions,
} from '../../editor/migration';
import { useLocale } from '../../hooks/useLocale';
import { stepName } from '../../nodes';
import { Table } from '../common/Table';

type Phase =
  | { phase: 'loading' }
  | { phase: 'choosing'; next: FlowDocument; older: WaitingVersion[]; targets: Record<number, StepTargets> }
  | { phase: 'moving' }
  | { phase: 'moved'; reports: MigrationReport[] }
  | { phase: 'failed'; message: string };

/**
 * After a publish: who still runs older versions, by the step they wait at, and for each step
 * where its contacts would go in the new version (a preview of the move). The operator lets them
 * finish on their versions, or moves them; with nobody on an older version it closes at once.
 */
export function OlderVersions({
  flowId,
  version,
  onDone,
}: {
  flowId: string;
  version: number;
  onDone: () => void;
}) {
  const { t, locale } = useLocale();
  const [state, setState] = useState<Phase>({ phase: 'loading' });
  // The latest callback, so a parent drawing a new one does not count the contacts again.
  const done = useRef(onDone);
  done.current = onDone;

  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      try {
        const versions = (await listVersions(flowId, abort.signal))
          .map((v) => v.version)
          .filter((v) => v < version)
          .sort((a, b) => b - a)
          .slice(0, OLDER_VERSIONS_READ);
        const [next, stats] = await Promise.all([
          getVersionDocument(flowId, version, abort.signal),
          Promise.all(versions.map((v) => getStats(flowId, v, abort.signal))),
        ]);
        const older = waitingVersions(stats);
        if (older.length === 0) return done.current();
        setState({
          phase: 'choosing',
          next,
          older,
          targets: Object.fromEntries(older.map((v) => [v.version, defaultTargets(v, next)])),
        });
      } catch (error) {
        if (!abort.signal.aborted) setState({ phase: 'failed', message: (error as Error).message });
      }
    })();
    return () => abort.abort();
  }, [flowId, version]);

  const move = async (older: WaitingVersion[], targets: Record<number, StepTargets>) => {
    setState({ phase: 'moving' });
    try {
      const reports: MigrationReport[] = [];
      for (const { version: from } of older) {
        const mapping = mappingOf(targets[from] ?? {});
        if (mapping) reports.push(await migrateContacts(flowId, { from, to: version, mapping }));
      }
      setState({ phase: 'moved', reports });
    } catch (error) {
      setState({ phase: 'failed', message: `${t.migrateFailed} ${(error as Error).message}` });
    }
  };

  if (state.phase === 'loading' || state.phase === 'moving')
    return <p className="muted">{state.phase === 'loading' ? t.olderLoading : t.migrating}</p>;
  if (state.phase === 'failed')
    return (
      <>
        <p className="notice notice--error" role="alert" data-testid="older-error">
          {state.message}
        </p>
        <div className="dialog__actions">
          <button type="button" onClick={onDone}>
            {t.close}
          </button>
        </div>
      </>
    );
  if (state.phase === 'moved')
    return (
      <>
        <ul data-testid="older-moved">
          {state.reports.map((report) => (
            <li key={report.from}>
              {t.migrated(
                report.from,
                report.nodes.reduce((sum, n) => sum + n.signalled, 0),
              )}
            </li>
          ))}
        </ul>
        <div className="dialog__actions">
          <button type="button" className="primary" onClick={onDone} data-testid="older-close">
            {t.close}
          </button>
        </div>
      </>
    );

  const { next, older, targets } = state;
  const total = older.reduce((sum, v) => sum + movedCount(v, {}).waiting, 0);
  const choices = next.nodes.filter((n) => n.type !== 'trigger');
  const anyMoves = older.some((v) => mappingOf(targets[v.version] ?? {}));
  return (
    <div data-testid="older-versions">
      <h3>{t.olderTitle}</h3>
      <p className="muted">{t.olderIntro(total)}</p>
      {older.map((v) => {
        const chosen = targets[v.version] ?? {};
        const { moving, waiting } = movedCount(v, chosen);
        return (
          <section key={v.version} data-testid={`older-${v.version}`}>
            <h4>{t.olderVersion(v.version, waiting)}</h4>
            <Table className="people-table" columns={[t.olderStep, t.olderWaiting, t.olderMoveTo]}>
              <tbody>
                {v.steps.map((step) => (
                  <tr key={step.nodeId}>
                    <td title={step.nodeId}>{stepName({ id: step.nodeId, ...step }, locale)}</td>
                    <td data-testid={`older-${v.version}-${step.nodeId}-waiting`}>{step.waiting}</td>
                    <td>
                      <select
                        aria-label={`${t.olderMoveTo}: ${stepName({ id: step.nodeId, ...step }, locale)}`}
                        value={chosen[step.nodeId] ?? ''}
                        onChange={(e) =>
                          setState({
                            ...state,
                            targets: {
                              ...targets,
                              [v.version]: { ...chosen, [step.nodeId]: e.target.value },
                            },
                          })
                        }
                        data-testid={`older-${v.version}-${step.nodeId}`}
                      >
                        <option value="">{t.stayOn(v.version)}</option>
                        {choices.map((n) => (
                          <option key={n.id} value={n.id}>
                            {stepName(n, locale)}
                          </option>
                        ))}
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <p className="muted" data-testid={`older-${v.version}-moving`}>
              {t.olderMoving(moving, waiting)}
            </p>
          </section>
        );
      })}
      <div className="dialog__actions">
        <button type="button" onClick={onDone} data-testid="older-drain">
          {t.drain}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!anyMoves}
          onClick={() => void move(older, targets)}
          data-testid="older-migrate"
        >
          {t.migrate}
        </button>
      </div>
    </div>
  );
}
