import type { FlowNode } from '@sopflow/engine';
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { StepNode as StepNodeType } from '../../canvas/flow-canvas';
import { useLocale } from '../../hooks/useLocale';
import type { Messages } from '../../i18n';

/** One line that tells steps of the same type apart at a glance. */
function detail(node: FlowNode): string | undefined {
  switch (node.type) {
    case 'trigger':
      return 'event' in node.trigger ? node.trigger.event : node.trigger.kind;
    case 'send':
      return node.channel;
    case 'wait':
      return node.duration;
    case 'wait_until':
      return node.time;
    case 'wait_for_event':
      return node.event;
    case 'http_request':
      return node.method;
    default:
      return undefined;
  }
}

/** Branch conditions and split arms are exits the operator named; the rest are the node type's own. */
function exitLabel(node: FlowNode, exit: string, t: Messages): string {
  const named = node.type === 'branch' ? node.branches : node.type === 'split' ? node.arms : [];
  const own = named.find((n) => n.id === exit);
  return own ? (own.label ?? own.id) : (t.exits[exit] ?? exit);
}

export const StepNode = memo(function StepNode({ data }: NodeProps<StepNodeType>) {
  const { t } = useLocale();
  const { node, exits, errorCount } = data;
  const summary = detail(node);
  // A lone exit needs no caption; several must say which path each one is.
  const labelled = exits.length > 1;

  return (
    <div className={`step step--${node.type}${errorCount ? ' step--error' : ''}`}>
      {node.type !== 'trigger' && <Handle type="target" position={Position.Top} />}
      <div className="step__head">
        <span className="step__type">{t.nodeTypes[node.type]}</span>
        {errorCount ? <span className="badge">{errorCount}</span> : null}
      </div>
      <div className="step__label">{node.label ?? node.id}</div>
      {summary && <div className="step__detail">{summary}</div>}
      {exits.length > 0 && (
        <div className="step__exits">
          {exits.map((exit) => (
            <div key={exit} className="step__exit">
              {labelled && <span>{exitLabel(node, exit, t)}</span>}
              <Handle type="source" position={Position.Bottom} id={exit} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
});
