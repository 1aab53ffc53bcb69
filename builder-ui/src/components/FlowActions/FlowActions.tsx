import { Archive, Copy, Download, Ellipsis, Pause, Play, Square } from 'lucide-react';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import {
  archiveFlow,
  duplicateFlow,
  exportFlow,
  type FlowStatus,
  setFlowRunning,
  stopFlow,
} from '../../api/flows';
import { FLOW_ID_PATTERN } from '../../editor/document';
import { useLocale } from '../../hooks/useLocale';
import { useModalDialog } from '../../hooks/useModalDialog';

type Asking = 'stop' | 'archive' | 'duplicate';

interface Props {
  flowId: string;
  flowName: string;
  status: FlowStatus | undefined;
  /** The flow's status changed, or a copy was made: the list should refresh. */
  onChanged: () => void;
  onOpenFlow: (id: string) => void;
}

/**
 * What an operator does with a flow besides editing it, from the toolbar: pause and resume a live
 * flow, stop it (its contacts are cancelled), archive, duplicate and export it.
 */
export function FlowActions({ flowId, flowName, status, onChanged, onOpenFlow }: Props) {
  const { t } = useLocale();
  const words = t.flowActions;
  const [open, setOpen] = useState(false);
  const [asking, setAsking] = useState<Asking>();
  const [failure, setFailure] = useState<string>();
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [open]);

  const run = async (action: () => Promise<unknown>) => {
    setOpen(false);
    setFailure(undefined);
    try {
      await action();
      onChanged();
    } catch (error) {
      setFailure((error as Error).message);
    }
  };

  const download = async () => {
    const file = await exportFlow(flowId);
    const url = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${flowId}.sopflow.json`;
    link.click();
    URL.revokeObjectURL(url);
  };

  const published = status === 'live' || status === 'paused' || status === 'stopped';
  const item = (testId: string, icon: ReactNode, label: string, onClick: () => void) => (
    <button
      type="button"
      role="menuitem"
      className="flow-actions__item"
      onClick={onClick}
      data-testid={testId}
    >
      {icon} {label}
    </button>
  );

  return (
    <div className="flow-actions" ref={menu}>
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="flow-actions"
      >
        <Ellipsis size={16} /> {words.more}
      </button>
      {open && (
        <div className="flow-actions__menu" role="menu" data-testid="flow-actions-menu">
          {status === 'live' &&
            item(
              'flow-pause',
              <Pause size={14} />,
              words.pause,
              () => void run(() => setFlowRunning(flowId, 'pause')),
            )}
          {(status === 'paused' || status === 'stopped') &&
            item(
              'flow-resume',
              <Play size={14} />,
              words.resume,
              () => void run(() => setFlowRunning(flowId, 'resume')),
            )}
          {published &&
            status !== 'stopped' &&
            item('flow-stop', <Square size={14} />, words.stop, () => {
              setOpen(false);
              setAsking('stop');
            })}
          {item('flow-duplicate', <Copy size={14} />, words.duplicate, () => {
            setOpen(false);
            setAsking('duplicate');
          })}
          {item('flow-export', <Download size={14} />, words.export, () => void run(download))}
          {status !== 'archived' &&
            item('flow-archive', <Archive size={14} />, words.archive, () => {
              setOpen(false);
              setAsking('archive');
            })}
        </div>
      )}
      {failure && (
        <div
          className="notice notice--error flow-actions__failure"
          role="alert"
          data-testid="flow-action-error"
        >
          {words.failed} {failure}
        </div>
      )}
      {asking && (
        <AskDialog
          asking={asking}
          flowId={flowId}
          flowName={flowName}
          onClose={() => setAsking(undefined)}
          onDone={(copyId) => {
            setAsking(undefined);
            onChanged();
            if (copyId) onOpenFlow(copyId);
          }}
        />
      )}
    </div>
  );
}

/** Stopping and archiving ask first; duplicating asks for the copy's name and id. */
function AskDialog({
  asking,
  flowId,
  flowName,
  onClose,
  onDone,
}: {
  asking: Asking;
  flowId: string;
  flowName: string;
  onClose: () => void;
  onDone: (copyId?: string) => void;
}) {
  const { t } = useLocale();
  const words = t.flowActions;
  const dialog = useModalDialog();
  const [reason, setReason] = useState('');
  const [copyName, setCopyName] = useState(words.copyName(flowName));
  const [copyId, setCopyId] = useState(`${flowId}-copy`.slice(0, 64));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  const idValid = FLOW_ID_PATTERN.test(copyId);
  const submit = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      if (asking === 'stop') await stopFlow(flowId, reason.trim());
      else if (asking === 'archive') await archiveFlow(flowId);
      else {
        if (!idValid || !copyName.trim()) return;
        await duplicateFlow(flowId, copyId, copyName.trim());
      }
      onDone(asking === 'duplicate' ? copyId : undefined);
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const title = { stop: words.stopTitle, archive: words.archiveTitle, duplicate: words.duplicateTitle }[
    asking
  ];
  const intro = { stop: words.stopIntro, archive: words.archiveIntro, duplicate: words.duplicateIntro }[
    asking
  ];
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="flow-action-title"
      onClose={onClose}
      onCancel={onClose}
      data-testid={`flow-${asking}-dialog`}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="flow-action-title">{title}</h2>
        <p className="muted">{intro}</p>
        {asking === 'stop' && (
          <label className="field">
            <span className="field__label">{words.stopReason}</span>
            <input
              value={reason}
              maxLength={500}
              onChange={(e) => setReason(e.target.value)}
              data-testid="stop-reason"
            />
          </label>
        )}
        {asking === 'duplicate' && (
          <>
            <label className="field">
              <span className="field__label">{t.flowName}</span>
              <input value={copyName} onChange={(e) => setCopyName(e.target.value)} data-testid="copy-name" />
            </label>
            <label className="field">
              <span className="field__label">{t.flowId}</span>
              <input
                value={copyId}
                onChange={(e) => setCopyId(e.target.value)}
                aria-invalid={!idValid}
                data-testid="copy-id"
              />
            </label>
          </>
        )}
        {failure && (
          <p className="notice notice--error" role="alert" data-testid="flow-action-failure">
            {words.failed} {failure}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
          <button
            type="submit"
            className={asking === 'duplicate' ? 'primary' : 'primary danger'}
            disabled={busy || (asking === 'duplicate' && (!idValid || !copyName.trim()))}
            data-testid="flow-action-confirm"
          >
            {{ stop: words.stop, archive: words.archive, duplicate: words.duplicate }[asking]}
          </button>
        </div>
      </form>
    </dialog>
  );
}
