import type { CompileError } from '@sopflow/core';
import { Rocket } from 'lucide-react';
import { useState } from 'react';
import { ApiError, publishFlow } from '../../api/flows';
import { useLocale } from '../../hooks/useLocale';
import { useModalDialog } from '../../hooks/useModalDialog';
import { errorMessage } from '../../i18n';
import { OlderVersions } from './OlderVersions';

interface Props {
  flowId: string;
  /** Saves the draft first: publishing takes the stored one. */
  flush: () => Promise<boolean>;
  /**
   * `unchanged`: the draft was that version already, and no version was made. The dialog stays
   * open to offer moving contacts off older versions, and closes itself (`onClose`) after.
   */
  onPublished: (version: number, unchanged: boolean) => void;
  onServerErrors: (errors: CompileError[]) => void;
  onClose: () => void;
}

/**
 * Publishing asks for a version note, then answers the new version or the server's errors; then,
 * when contacts still run older versions, what to do with them.
 */
export function PublishDialog({ flowId, flush, onPublished, onServerErrors, onClose }: Props) {
  const { t, locale } = useLocale();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ message: string; errors: CompileError[] }>();
  const [published, setPublished] = useState<number>();
  const dialog = useModalDialog();

  const submit = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      if (!(await flush())) {
        setFailure({ message: t.saveInvalid, errors: [] });
        return;
      }
      const { version, unchanged } = await publishFlow(flowId, note.trim());
      onPublished(version, unchanged);
      if (unchanged || version === 1) onClose();
      else setPublished(version);
    } catch (error) {
      const errors = error instanceof ApiError ? error.compileErrors : [];
      if (errors.length) onServerErrors(errors);
      setFailure({ message: (error as Error).message, errors });
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="publish-title"
      onClose={onClose}
      onCancel={onClose}
      data-testid="publish-dialog"
    >
      {published !== undefined ? (
        <OlderVersions flowId={flowId} version={published} onDone={onClose} />
      ) : (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <h2 id="publish-title">{t.publishTitle}</h2>
          <p className="muted">{t.publishIntro}</p>
          <label className="field">
            <span className="field__label">{t.versionNote}</span>
            <textarea
              rows={3}
              value={note}
              placeholder={t.versionNotePlaceholder}
              onChange={(e) => setNote(e.target.value)}
              maxLength={2000}
              data-testid="publish-note"
            />
          </label>
          {failure && (
            <div className="notice notice--error" role="alert" data-testid="publish-error">
              <p>
                {t.publishFailed} {failure.message}
              </p>
              {failure.errors.length > 0 && (
                <ul>
                  {failure.errors.map((e, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the server's list, shown as is
                    <li key={i}>
                      {e.nodeId && <code>{e.nodeId}</code>} {errorMessage(e, locale)}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <div className="dialog__actions">
            <button type="button" onClick={onClose}>
              {t.cancel}
            </button>
            <button type="submit" className="primary" disabled={busy} data-testid="publish-confirm">
              <Rocket size={14} /> {busy ? t.publishing : t.publishNow}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
