import type { FlowDocument } from '@sopflow/core';
import { getNodeContacts } from '../../api/flows';
import type { FlowStatsAnswer } from '../../editor/watch';
import { useLocale } from '../../hooks/useLocale';
import { type Polled, usePolled } from '../../hooks/usePolled';
import { formatTime, type Locale } from '../../i18n';
import { stepName } from '../../nodes';
import { TemporalLink } from '../common/TemporalLink';

interface Props {
  doc: FlowDocument;
  /** The version the numbers are for; none while the flow was never published. */
  version: number | null;
  latestVersion: number | null;
  onPickVersion: (version: number) => void;
  stats: Polled<FlowStatsAnswer>;
  /** The one selected step, whose contacts are listed. */
  selectedNode?: string;
}

/** The live flow's totals, and who stands in the selected step now with a link to each run. */
export function WatchPanel({ doc, version, latestVersion, onPickVersion, stats, selectedNode }: Props) {
  const { t, locale } = useLocale();
  if (version === null || latestVersion === null)
    return <p className="panel-message muted">{t.watchNotPublished}</p>;
  const answer = stats.value;
  const finished = answer ? Object.values(answer.finished).reduce((sum, n) => sum + n, 0) : undefined;
  const onlyInDraft = answer ? doc.nodes.some((n) => !answer.nodes.some((s) => s.nodeId === n.id)) : false;

  return (
    <section className="watch" data-testid="watch" data-version={answer?.version}>
      <label className="watch__version">
        {t.watchVersion}{' '}
        <select
          value={version}
          onChange={(e) => onPickVersion(Number(e.target.value))}
          data-testid="watch-version"
        >
          {Array.from({ length: latestVersion }, (_, i) => latestVersion - i).map((v) => (
            <option key={v} value={v}>
              {v === latestVersion ? `${t.version(v)} · ${t.historyLatest}` : t.version(v)}
            </option>
          ))}
        </select>
      </label>
      {stats.error && (
        <p className="notice notice--error" role="alert">
          {t.watchFailed} {stats.error.message}
        </p>
      )}
      {answer ? (
        <dl className="watch__totals">
          <div>
            <dt>{t.watchEnrolled}</dt>
            <dd data-testid="watch-enrolled">{answer.enrolled}</dd>
          </div>
          <div>
            <dt>{t.watchRunning}</dt>
            <dd data-testid="watch-running">{answer.running ?? '–'}</dd>
          </div>
          <div>
            <dt>{t.watchFinished}</dt>
            <dd>{finished}</dd>
          </div>
          <div>
            <dt>{t.watchConverted}</dt>
            <dd>{answer.converted}</dd>
          </div>
        </dl>
      ) : (
        !stats.error && <p className="muted">{t.loading}</p>
      )}
      <p className="muted">
        {t.watchRefresh} {t.watchExplain}
      </p>
      {onlyInDraft && <p className="muted">{t.watchDraftDiffers}</p>}
      {selectedNode ? (
        <NodeContacts
          flowId={doc.id}
          nodeId={selectedNode}
          label={stepName(
            doc.nodes.find((n) => n.id === selectedNode) ?? { id: selectedNode, type: '' },
            locale,
          )}
          version={version}
          locale={locale}
        />
      ) : (
        <p className="panel-message muted">{t.watchPickNode}</p>
      )}
    </section>
  );
}

function NodeContacts({
  flowId,
  nodeId,
  label,
  version,
  locale,
}: {
  flowId: string;
  nodeId: string;
  label: string;
  version: number;
  locale: Locale;
}) {
  const { t } = useLocale();
  const [contacts] = usePolled(`${flowId}|${version}|${nodeId}`, (signal) =>
    getNodeContacts(flowId, nodeId, version, signal),
  );
  const answer = contacts.value;
  return (
    <div data-testid="watch-contacts" data-node-id={nodeId} data-total={answer?.total}>
      {contacts.error && !answer && (
        <p className="notice notice--error" role="alert">
          {t.watchFailed} {contacts.error.message}
        </p>
      )}
      {answer ? (
        <>
          <h4 data-testid="watch-contacts-title">{t.watchContactsAt(label, answer.total)}</h4>
          {answer.contacts.length === 0 ? (
            <p className="muted">{t.watchNoContacts}</p>
          ) : (
            <ul className="watch__contacts">
              {answer.contacts.map((c) => (
                <li key={c.workflowId} data-testid="watch-contact" data-contact-id={c.contactId}>
                  <span>
                    {c.name ?? c.contactId}
                    {c.name && <code className="muted"> {c.contactId}</code>}
                    <br />
                    <small className="muted">
                      {t.since} {formatTime(c.startedAt, locale)}
                    </small>
                  </span>
                  <TemporalLink href={c.temporalUrl} testId="watch-contact-temporal">
                    {t.openInTemporal}
                  </TemporalLink>
                </li>
              ))}
            </ul>
          )}
          {answer.total > answer.contacts.length && (
            <p className="muted">{t.watchMoreContacts(answer.contacts.length, answer.total)}</p>
          )}
          {answer.total > 0 && (
            <TemporalLink href={answer.temporalUrl} testId="watch-contacts-temporal">
              {t.openAllInTemporal}
            </TemporalLink>
          )}
        </>
      ) : (
        !contacts.error && <p className="muted">{t.loading}</p>
      )}
    </div>
  );
}
