import { describeDuration, type FlowNode } from '@sopflow/core';
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { Users } from 'lucide-react';
import { memo } from 'react';
import { optionalExits, type StepNode as StepNodeType } from '../../canvas/flow-canvas';
import { useLocale } from '../../hooks/useLocale';
import { errorMessage, type Locale, type Messages } from '../../i18n';
import { NodeIcon } from '../node-style';

const clip = (text: string, n: number) => {
  const line = text.split('\n')[0] ?? '';
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
};

/** One line that tells steps of the same type apart at a glance. */
function detail(node: FlowNode, t: Messages, locale: Locale): string | undefined {
  switch (node.type) {
    case 'trigger': {
      const kind = t.triggerKinds[node.trigger.kind] ?? node.trigger.kind;
      if (node.trigger.kind === 'webhook' || node.trigger.kind === 'event')
        return `${kind} · ${node.trigger.event}`;
      if (node.trigger.kind === 'schedule') return `${kind} · ${node.trigger.cron}`;
      return kind;
    }
    case 'send':
      return `${t.channels[node.channel] ?? node.channel}${node.fallback ? ` → ${t.channels[node.fallback.channel] ?? node.fallback.channel}` : ''}`;
    case 'wait':
      return describeDuration(node.duration, locale);
    case 'wait_until': {
      const days = node.weekdays?.map((d) => t.weekdayNames[d - 1]).join(' ');
      return [node.date, node.time, days].filter(Boolean).join(' · ');
    }
    case 'wait_for_event':
      return `${node.event} · ≤ ${describeDuration(node.timeout, locale)}`;
    case 'update_contact': {
      const u = node.update;
      const parts = [
        ...(u.addTags ?? []).map((tag) => `+#${tag}`),
        ...(u.removeTags ?? []).map((tag) => `−#${tag}`),
        u.points ? `${u.points.add >= 0 ? '+' : ''}${u.points.add} ${t.points}` : undefined,
        u.checkIn ? t.checkIn : undefined,
        ...Object.keys(u.set ?? {}).map((k) => `${k}=`),
      ].filter(Boolean);
      return parts.join(' ');
    }
    case 'http_request': {
      let host = node.url;
      try {
        host = new URL(node.url).host;
      } catch {
        // A template URL may not parse before rendering; show it as written.
      }
      return `${node.method} ${host}`;
    }
    case 'staff_task':
      return `${node.assignee.name ?? node.assignee.id} · ${describeDuration(node.deadline, locale)}`;
    default:
      return undefined;
  }
}

/** The message a step sends, shown as a bubble on the card. */
function messageOf(node: FlowNode): string | undefined {
  if (node.type === 'send' || node.type === 'staff_task') return node.message.text;
  return undefined;
}

/** Branch conditions and split arms are exits the operator named; the rest are the node type's own. */
function exitLabel(node: FlowNode, exit: string, t: Messages): string {
  if (node.type === 'split') {
    const total = node.arms.reduce((sum, a) => sum + a.weight, 0);
    const arm = node.arms.find((a) => a.id === exit);
    if (arm) return `${arm.label ?? arm.id} ${total > 0 ? Math.round((arm.weight / total) * 100) : 0}%`;
  }
  if (node.type === 'branch') {
    const branch = node.branches.find((b) => b.id === exit);
    if (branch) return branch.label ?? branch.id;
  }
  return t.exits[exit] ?? exit;
}

export const StepNode = memo(function StepNode({ id, data, selected }: NodeProps<StepNodeType>) {
  const { t, locale } = useLocale();
  const { node, exits, problems, trace, watch, diff } = data;
  const summary = detail(node, t, locale);
  const message = messageOf(node);
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
        <span className="step__type">{t.nodeTypes[node.type]}</span>
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
      <div className="step__label">{node.label ?? id}</div>
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
              {labelled && <span>{exitLabel(node, exit, t)}</span>}
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
