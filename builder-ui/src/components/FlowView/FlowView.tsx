import { compile } from '@sopflow/engine';
import { ReactFlowProvider } from '@xyflow/react';
import { useMemo } from 'react';
import type { FlowDraft } from '../../api/flows';
import { useFlowDraft } from '../../hooks/useFlowDraft';
import { useLocale } from '../../hooks/useLocale';
import { FlowCanvas } from '../FlowCanvas/FlowCanvas';
import { ProblemList } from '../ProblemList/ProblemList';

export function FlowView({ id }: { id: string }) {
  const { t } = useLocale();
  const [draft, reload] = useFlowDraft(id);

  if (draft.status === 'loading') return <p className="pane-message muted">{t.loading}</p>;
  if (draft.status === 'failed') {
    return (
      <div className="pane-message notice notice--error" role="alert">
        <p>
          {t.loadFailed} {draft.error.message}
        </p>
        <button type="button" onClick={reload}>
          {t.retry}
        </button>
      </div>
    );
  }
  return <DraftView draft={draft.value} />;
}

function DraftView({ draft }: { draft: FlowDraft }) {
  // Compiled here rather than asked of the API so the later editor can check every change
  // as it is drawn. The server may know more channels (registered connectors) than the
  // built-in ones assumed here.
  const errors = useMemo(() => {
    const result = compile(draft.raw);
    return result.ok ? [] : result.errors;
  }, [draft]);

  return (
    <ReactFlowProvider>
      <div className="flow-view">
        {draft.ok ? <FlowCanvas doc={draft.doc} errors={errors} /> : <div className="canvas" />}
        <ProblemList errors={errors} />
      </div>
    </ReactFlowProvider>
  );
}
