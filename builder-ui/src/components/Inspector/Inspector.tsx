import { type CompileError, type FlowDocument, FlowNode } from '@sopflow/core';
import { checkIssues, inLocale } from '@sopflow/core/api';
import { Copy, Trash2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { nodeIdProblem, replaceNode } from '../../editor/document';
import { useLocale } from '../../hooks/useLocale';
import { errorMessage } from '../../i18n';
import { nodeHint, nodeLabel, nodeModule } from '../../nodes';
import { NodeIcon } from '../../nodes/NodeIcon';
import { IconButton } from '../common/IconButton';
import { Field, localPath } from './fields';
import { NodeForm } from './NodeForm';

interface Props {
  doc: FlowDocument;
  selected: readonly string[];
  errors: readonly CompileError[];
  update: (fn: (doc: FlowDocument) => FlowDocument, key?: string) => void;
  renderContext: object;
  onDelete: () => void;
  onDuplicate: () => void;
  /** Tells the editor a node was renamed, so the selection follows it. */
  onRenamed: (id: string) => void;
}

const withoutPosition = (node: FlowNode) => {
  const { position: _, ...rest } = node;
  return JSON.stringify(rest, null, 2);
};

/** Every field of the node as JSON, checked with the schema before it is applied. */
function AdvancedJson({ node, apply }: { node: FlowNode; apply: (next: FlowNode) => string | undefined }) {
  const { t, locale } = useLocale();
  const [text, setText] = useState(() => withoutPosition(node));
  const [problems, setProblems] = useState<string[]>([]);
  // The node changed elsewhere (a form, undo): show it, dropping edits not applied.
  useEffect(() => {
    setText(withoutPosition(node));
    setProblems([]);
  }, [node]);
  const submit = () => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      setProblems([`${t.invalidJson} ${(error as Error).message}`]);
      return;
    }
    const parsed = checkIssues(FlowNode, { ...(json as object), position: node.position });
    if (!parsed.success) {
      setProblems(parsed.issues.map((i) => `${i.path || '—'}: ${inLocale(i.message, locale)}`));
      return;
    }
    const refused = apply(parsed.data);
    setProblems(refused ? [refused] : []);
  };
  return (
    <details className="advanced">
      <summary>{t.advanced}</summary>
      <p className="field__hint">{t.advancedHint}</p>
      <textarea
        className="code"
        rows={12}
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="field-json"
      />
      {problems.length > 0 && (
        <ul className="field__errors" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <button type="button" onClick={submit} data-testid="field-json-apply">
        {t.apply}
      </button>
    </details>
  );
}

/** The step's id, renamed when the field is left or Enter is pressed (edges follow). */
function StepIdField({
  id,
  doc,
  onRename,
}: {
  id: string;
  doc: FlowDocument;
  onRename: (id: string) => void;
}) {
  const { t } = useLocale();
  const [text, setText] = useState(id);
  useEffect(() => setText(id), [id]);
  const problem = nodeIdProblem(doc, id, text);
  const commit = () => {
    if (text === id) return;
    if (problem) setText(id);
    else onRename(text);
  };
  return (
    <Field label={t.stepId} hint={t.stepIdHint}>
      {(fieldId) => (
        <>
          <input
            id={fieldId}
            className="code"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit();
              if (e.key === 'Escape') setText(id);
            }}
            aria-invalid={problem !== undefined}
            data-testid="field-id"
          />
          {problem && (
            <p className="field__errors" role="alert">
              {problem === 'taken' ? t.stepIdTaken : t.stepIdInvalid}
            </p>
          )}
        </>
      )}
    </Field>
  );
}

/** The side panel's form for the selected step; every edit changes the document at once. */
export function Inspector({
  doc,
  selected,
  errors,
  update,
  renderContext,
  onDelete,
  onDuplicate,
  onRenamed,
}: Props) {
  const { t, locale } = useLocale();
  if (selected.length === 0) return <p className="muted panel-message">{t.noSelection}</p>;
  if (selected.length > 1) {
    return (
      <div className="panel-message">
        <p>{t.manySelected(selected.length)}</p>
        <div className="row">
          <button type="button" onClick={onDuplicate}>
            <Copy size={14} /> {t.duplicate}
          </button>
          <button type="button" className="danger" onClick={onDelete}>
            <Trash2 size={14} /> {t.delete}
          </button>
        </div>
      </div>
    );
  }
  const node = doc.nodes.find((n) => n.id === selected[0]);
  if (!node) return <p className="muted panel-message">{t.noSelection}</p>;
  const id = node.id;
  const mine = errors.filter((e) => e.nodeId === id);
  const general = mine.filter((e) => !localPath(e));

  const edit = (key: string, fn: (n: FlowNode) => FlowNode) =>
    update((d) => {
      const current = d.nodes.find((n) => n.id === id);
      return current ? replaceNode(d, id, fn(current)) : d;
    }, `${id}:${key}`);
  const rename = (next: FlowNode): string | undefined => {
    const problem = nodeIdProblem(doc, id, next.id);
    if (problem) return problem === 'taken' ? t.stepIdTaken : t.stepIdInvalid;
    update((d) => replaceNode(d, id, next));
    if (next.id !== id) onRenamed(next.id);
    return undefined;
  };

  return (
    <div className="inspector" data-testid="inspector" data-node-id={id}>
      <div className="inspector__head">
        <NodeIcon type={node.type} size={18} />
        <div>
          <div className="inspector__type">{nodeLabel(node.type, locale)}</div>
          <div className="muted inspector__hint">{nodeHint(node.type, locale)}</div>
        </div>
        <IconButton label={t.duplicate} onClick={onDuplicate}>
          <Copy size={16} />
        </IconButton>
        <IconButton label={t.deleteStep} danger onClick={onDelete} data-testid="inspector-delete">
          <Trash2 size={16} />
        </IconButton>
      </div>
      {general.length > 0 && (
        <ul className="notice notice--error inspector__problems" role="alert">
          {general.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rebuilt whole on each compile
            <li key={i}>{errorMessage(e, locale)}</li>
          ))}
        </ul>
      )}
      <Field label={t.label} errors={mine} path="label">
        {(fieldId) => (
          <input
            id={fieldId}
            value={node.label ?? ''}
            placeholder={t.labelPlaceholder}
            onChange={(e) => edit('label', (n) => ({ ...n, label: e.target.value || undefined }))}
            data-testid="field-label"
          />
        )}
      </Field>
      <StepIdField id={id} doc={doc} onRename={(newId) => rename({ ...node, id: newId })} />
      <NodeForm
        node={node}
        edit={edit}
        updateDoc={(fn) => update(fn)}
        errors={mine}
        doc={doc}
        renderContext={renderContext}
      />
      {nodeModule(node.type).panel?.(node, { flowId: doc.id })}
      <AdvancedJson node={node} apply={rename} />
    </div>
  );
}
