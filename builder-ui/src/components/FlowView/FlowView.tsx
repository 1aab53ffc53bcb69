import { compile } from '@sopflow/core';
import { ReactFlowProvider } from '@xyflow/react';
import { useMemo } from 'react';
import type { FlowSummary } from '../../api/flows';
import { useFlowDraft } from '../../hooks/useFlowDraft';
import { useLocale } from '../../hooks/useLocale';
import { LoadFailed } from '../common/LoadFailed';
import { Editor } from '../Editor/Editor';
import { ProblemList } from '../ProblemList/ProblemList';

export function FlowView({
  id,
  summary,
  onChanged,
}: {
  id: string;
  summary?: FlowSummary;
  onChanged: () => void;
}) {
  const { t } = useLocale();
  const [draft, reload] = useFlowDraft(id);

  if (draft.status === 'loading') return <p className="pane-message muted">{t.loading}</p>;
  if (draft.status === 'failed') {
    return <LoadFailed what={t.loadFailed} error={draft.error} onRetry={reload} className="pane-message" />;
  }
  if (!draft.value.ok) return <Unparsable raw={draft.value.raw} />;
  return (
    <ReactFlowProvider>
      <Editor initial={draft.value.doc} summary={summary} onChanged={onChanged} />
    </ReactFlowProvider>
  );
}

/** A stored draft the schema refuses cannot be drawn; its problems still can be listed. */
function Unparsable({ raw }: { raw: unknown }) {
  const { t } = useLocale();
  const errors = useMemo(() => {
    const result = compile(raw);
    return result.ok ? [] : result.errors;
  }, [raw]);
  return (
    <div className="unparsable">
      <p className="notice notice--error pane-message">{t.unparsable}</p>
      <ProblemList errors={errors} />
    </div>
  );
}
