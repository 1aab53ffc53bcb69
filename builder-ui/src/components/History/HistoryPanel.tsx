import type { FlowDocument } from '@sopflow/core';
import { GitCompare, History, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { getVersionDocument, listVersions, rollbackFlow, type VersionSummary } from '../../api/flows';
import { diffVersions, isUnchanged, type VersionDiff } from '../../editor/version-diff';
import { useLocale } from '../../hooks/useLocale';
import { useRemote } from '../../hooks/useRemote';
import { formatTime, type Locale } from '../../i18n';
import { stepName } from '../../nodes';
import { Radio } from '../common/Radio';

interface Compared {
  from: number;
  to: number;
  diff: VersionDiff;
  /** Step labels by id, from both versions (a removed step is only in the older one). */
  labels: Map<string, string>;
}

interface Props {
  flowId: string;
  latestVersion: number | null;
  /** Shows (or, with undefined, clears) a diff on the canvas. */
  onDiff: (diff: VersionDiff | undefined) => void;
  onRolledBack: (from: number, to: number) => void;
}

const labelsOf = (locale: Locale, ...docs: FlowDocument[]) =>
  new Map(docs.flatMap((d) => d.nodes.map((n) => [n.id, stepName(n, locale)] as const)));

/** Published versions with their notes and dates; compare any two; roll back to an older one. */
export function HistoryPanel({ flowId, latestVersion, onDiff, onRolledBack }: Props) {
  const { t, locale } = useLocale();
  const [versions] = useRemote(`${flowId}@${latestVersion}`, (signal) => listVersions(flowId, signal));
  const list: VersionSummary[] = versions.status === 'ready' ? versions.value : [];
  const [from, setFrom] = useState<number>();
  const [to, setTo] = useState<number>();
  const [compared, setCompared] = useState<Compared>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [confirming, setConfirming] = useState<number>();

  // The two newest by default: what the last publish changed.
  const newest = list[0]?.version;
  const previous = list[1]?.version;
  useEffect(() => {
    setTo(newest);
    setFrom(previous ?? newest);
  }, [newest, previous]);

  const compare = async () => {
    if (from === undefined || to === undefined) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const [before, after] = await Promise.all([
        getVersionDocument(flowId, from),
        getVersionDocument(flowId, to),
      ]);
      const diff = diffVersions(before, after);
      setCompared({ from, to, diff, labels: labelsOf(locale, before, after) });
      onDiff(diff);
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const rollback = async (version: number) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const answer = await rollbackFlow(flowId, version);
      setConfirming(undefined);
      // The comparison was of the versions before; the list is about to gain one.
      setCompared(undefined);
      onDiff(undefined);
      onRolledBack(version, answer.version);
    } catch (error) {
      setFailure(`${t.rollbackFailed} ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  if (versions.status === 'loading') return <p className="panel-message muted">{t.loading}</p>;
  if (versions.status === 'failed')
    return (
      <p className="notice notice--error" role="alert">
        {t.historyFailed} {versions.error.message}
      </p>
    );
  if (list.length === 0) return <p className="panel-message muted">{t.historyEmpty}</p>;

  return (
    <section className="history" data-testid="history">
      <ul className="history__versions">
        {list.map((v) => (
          <li
            key={v.version}
            data-testid={`history-version-${v.version}`}
            aria-current={v.version === latestVersion ? 'true' : undefined}
          >
            <strong className="history__version">
              {t.version(v.version)}
              {v.version === latestVersion && ` · ${t.historyLatest}`}
            </strong>
            <small className="muted">{formatTime(v.publishedAt, locale)}</small>
            <span className="history__pick">
              <Radio
                name="diff-from"
                checked={from === v.version}
                onSelect={() => setFrom(v.version)}
                testId={`diff-from-${v.version}`}
              >
                {t.diffFrom}
              </Radio>
              <Radio
                name="diff-to"
                checked={to === v.version}
                onSelect={() => setTo(v.version)}
                testId={`diff-to-${v.version}`}
              >
                {t.diffTo}
              </Radio>
            </span>
            {v.version !== latestVersion &&
              (confirming === v.version ? (
                <span className="history__confirm">
                  <span className="muted">{t.rollbackConfirm(v.version)}</span>{' '}
                  <button
                    type="button"
                    className="primary"
                    disabled={busy}
                    onClick={() => void rollback(v.version)}
                    data-testid="rollback-confirm"
                  >
                    {t.rollback}
                  </button>{' '}
                  <button
                    type="button"
                    onClick={() => setConfirming(undefined)}
                    data-testid="rollback-cancel"
                  >
                    {t.close}
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  title={t.rollbackTitle(v.version)}
                  onClick={() => setConfirming(v.version)}
                  data-testid={`rollback-${v.version}`}
                >
                  <History size={14} /> {t.rollback}
                </button>
              ))}
            <span className="history__note" data-testid={`history-note-${v.version}`}>
              {v.note ?? t.historyNoNote}
            </span>
          </li>
        ))}
      </ul>
      <div className="toolbar__group">
        <button
          type="button"
          onClick={() => void compare()}
          disabled={busy || from === undefined || to === undefined}
          data-testid="diff-show"
        >
          <GitCompare size={14} /> {busy ? t.diffLoading : t.diffShow}
        </button>
        {compared && (
          <button
            type="button"
            onClick={() => {
              setCompared(undefined);
              onDiff(undefined);
            }}
            data-testid="diff-clear"
          >
            <X size={14} /> {t.diffClear}
          </button>
        )}
      </div>
      {failure && (
        <p className="notice notice--error" role="alert">
          {failure}
        </p>
      )}
      {compared && <DiffView compared={compared} />}
    </section>
  );
}

function DiffView({ compared }: { compared: Compared }) {
  const { t } = useLocale();
  const { diff, labels } = compared;
  const step = (id: string) => (labels.get(id) && labels.get(id) !== id ? `${labels.get(id)} (${id})` : id);
  const groups: { key: string; title: string; kind: string; items: { id: string; text: string }[] }[] = [
    {
      key: 'added',
      title: t.diffAdded,
      kind: 'added',
      items: diff.nodes.added.map((id) => ({ id, text: step(id) })),
    },
    {
      key: 'removed',
      title: t.diffRemoved,
      kind: 'removed',
      items: diff.nodes.removed.map((id) => ({ id, text: step(id) })),
    },
    {
      key: 'changed',
      title: t.diffChanged,
      kind: 'changed',
      items: diff.nodes.changed.map(({ id, fields }) => ({ id, text: `${step(id)}: ${fields.join(', ')}` })),
    },
    {
      key: 'edges-added',
      title: t.diffEdgesAdded,
      kind: 'added',
      items: diff.edges.added.map((id) => ({ id, text: id })),
    },
    {
      key: 'edges-removed',
      title: t.diffEdgesRemoved,
      kind: 'removed',
      items: diff.edges.removed.map((id) => ({ id, text: id })),
    },
    {
      key: 'edges-changed',
      title: t.diffEdgesChanged,
      kind: 'changed',
      items: diff.edges.changed.map((id) => ({ id, text: id })),
    },
    {
      key: 'flow',
      title: t.diffFlow,
      kind: 'changed',
      items: diff.flow.map((field) => ({ id: field, text: field })),
    },
    {
      key: 'moved',
      title: t.diffMoved,
      kind: 'moved',
      items: diff.nodes.moved.map((id) => ({ id, text: step(id) })),
    },
  ];
  return (
    <div className="history__diff" data-testid="diff-result" data-from={compared.from} data-to={compared.to}>
      <h3>
        {t.version(compared.from)} → {t.version(compared.to)}
      </h3>
      {isUnchanged(diff) && <p className="muted">{t.diffSame}</p>}
      {groups
        .filter((g) => g.items.length > 0)
        .map((g) => (
          <div key={g.key} data-testid={`diff-${g.key}`}>
            <h4>{g.title}</h4>
            <ul>
              {g.items.map((item) => (
                <li key={item.id} className={`diff--${g.kind}`} data-testid={`diff-${g.key}-${item.id}`}>
                  {item.text}
                </li>
              ))}
            </ul>
          </div>
        ))}
      <p className="muted">{t.diffOnCanvas}</p>
    </div>
  );
}
