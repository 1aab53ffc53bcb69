import { Handle, type NodeProps, Position } from '@xyflow/react';
import { Users } from 'lucide-react';
import { memo } from 'react';
import { optionalExits, type StepNode as StepNodeType } from '../../canvas/flow-canvas';
import { useLocale } from '../../hooks/useLocale';
import { errorMessage } from '../../i18n';
import { exitCaption, nodeLabel, nodeModule, stepName } from '../../nodes';
import { NodeIcon, nodeColorStyle } from '../../nodes/NodeIcon';

const clip = (text: string, n: number) => {
  const line = text.split('\n')[0] ?? '';
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
};

/** Sends of a step not made (or held), in all, with the count per reason on hover; nothing when none. */
function ReasonCount({ id, counts, words }: { id: string; counts: Record<string, number>; words: string }) {
  const { t } = useLocale();
  const entries = Object.entries(counts);
  if (entries.length === 0) return null;
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const title = entries.map(([reason, n]) => `${t.suppressReasons[reason] ?? reason}: ${n}`).join(' · ');
  return (
    <span className="step__suppressed" title={title} data-testid={id}>
      <strong>{total}</strong> {words}
    </span>
  );
}

/** A step's messages by where each stands now (delivered, failed, …); nothing when it sent none. */
function MessageCounts({ id, counts }: { id: string; counts: Record<string, number> }) {
  const { t } = useLocale();
  const entries = Object.entries(counts);
  if (entries.length === 0) return null;
  return (
    <span className="step__messages" data-testid={id}>
      {entries.map(([status, n]) => `${n} ${t.messageStatuses[status] ?? status}`).join(' · ')}
    </span>
  );
}

export const StepNode = memo(function StepNode({ id, data, selected }: NodeProps<StepNodeType>) {
  const { t, locale } = useLocale();
  const { node, exits, problems, trace, watch, diff } = data;
  const module = nodeModule(node.type);
  const summary = module.summary?.(node, { t, locale });
  const message = module.message?.(node);
  const typeName = nodeLabel(node.type, locale);
  const name = stepName(node, locale);
  const optional = new Set(optionalExits(node));
  // A lone exit needs no caption; several must say which path each one is.
  const labelled = exits.length > 1;
  const classes = [
    'step',
    `step--${node.type}`,
    problems?.length ? 'step--error' : '',
    trace ? 'step--traced' : '',
    trace?.current ? 'step--current' : '',
    selected ? 'step--selected' : '',
    diff ? `step--diff-${diff}` : '',
  ].filter(Boolean);

  return (
    <div
      className={classes.join(' ')}
      style={nodeColorStyle(node.type)}
      data-testid={`node-${id}`}
      data-node-type={node.type}
      data-errors={problems?.length ?? 0}
      data-trace={trace ? trace.visits.join(',') : undefined}
      data-trace-current={trace?.current ? 'true' : undefined}
      data-diff={diff}
    >
      {node.type !== 'trigger' && (
        <Handle type="target" position={Position.Top} className="step__in" data-testid={`handle-in-${id}`} />
      )}
      <div className="step__head">
        <NodeIcon type={node.type} size={14} />
        <span className="step__type">{typeName}</span>
        {trace && (
          <span className="step__visits" title={trace.at}>
            {trace.visits.map((v) => (
              <span key={v} className="step__visit">
                {v}
              </span>
            ))}
          </span>
        )}
        {problems?.length ? <span className="badge">{problems.length}</span> : null}
      </div>
      {name !== typeName && (
        <div className="step__label" title={id}>
          {name}
        </div>
      )}
      {summary && <div className="step__detail">{summary}</div>}
      {watch && (
        <div
          className="step__watch"
          data-testid={`watch-${id}`}
          data-here={watch.here ?? undefined}
          data-passed={watch.passed}
        >
          <span
            className={`step__here${watch.here ? ' step__here--some' : ''}`}
            title={watch.here === null ? t.temporalUnreachable : t.watchHereTitle}
          >
            <Users size={12} aria-hidden="true" />
            <strong data-testid={`watch-here-${id}`}>{watch.here ?? '–'}</strong> {t.watchHere}
          </span>
          <span className="step__passed" title={t.watchPassedTitle}>
            <strong data-testid={`watch-passed-${id}`}>{watch.passed}</strong> {t.watchPassed}
          </span>
          <ReasonCount id={`watch-suppressed-${id}`} counts={watch.suppressed} words={t.watchNotSent} />
          <ReasonCount id={`watch-held-${id}`} counts={watch.held} words={t.watchHeld} />
          <MessageCounts id={`watch-messages-${id}`} counts={watch.messages} />
        </div>
      )}
      {message && !trace?.messages.length && <div className="step__message">{clip(message, 80)}</div>}
      {trace && (
        <div className="step__trace" data-testid={`trace-${id}`}>
          <span className="step__trace-at">{trace.at}</span>
          {trace.messages.map((m, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the messages of one visit, in order, never reordered
            <div key={i} className="step__sent">
              {m}
            </div>
          ))}
        </div>
      )}
      {problems?.length ? (
        <div className="step__problem" role="note">
          {errorMessage(problems[0]!, locale)}
          {problems.length > 1 && <span className="muted"> {t.moreProblems(problems.length - 1)}</span>}
        </div>
      ) : null}
      {exits.length > 0 && (
        <div className="step__exits">
          {exits.map((exit) => (
            <div key={exit} className={`step__exit${optional.has(exit) ? ' step__exit--optional' : ''}`}>
              {labelled && <span>{exitCaption(node, exit, true, t.exits)}</span>}
              {labelled && watch?.exits[exit] && (
                <span
                  className="step__share"
                  title={String(watch.exits[exit].count)}
                  data-testid={`share-${id}-${exit}`}
                >
                  {watch.exits[exit].share}%
                </span>
              )}
              <Handle
                type="source"
                position={Position.Bottom}
                id={exit}
                className={`step__out step__out--${exit}`}
                data-testid={`handle-${id}-${exit}`}
              />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
