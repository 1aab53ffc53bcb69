import { FilePlus2, X } from 'lucide-react';
import { useState } from 'react';
import {
  ApiError,
  createFromTemplate,
  flowExists,
  listTemplates,
  saveDraft,
  type TemplateSummary,
} from '../../api/flows';
import { blankFlow, FLOW_ID_PATTERN } from '../../editor/document';
import { hasChinese, type Pinyin, slugify } from '../../editor/names';
import { markUntidy } from '../../editor/untidy-flows';
import { useLocale } from '../../hooks/useLocale';
import { useModalDialog } from '../../hooks/useModalDialog';
import { usePinyin } from '../../hooks/usePinyin';
import { useRemote } from '../../hooks/useRemote';
import { IconButton } from '../common/IconButton';
import { LoadFailed } from '../common/LoadFailed';

/** What the operator picked: a blank canvas or one of the SOP templates. */
type Choice = { kind: 'blank' } | { kind: 'template'; template: TemplateSummary };

const randomSuffix = () => Math.random().toString(36).slice(2, 6);

function suggestedId(choice: Choice, name: string, suffix: string, pinyin?: Pinyin): string {
  const base = choice.kind === 'template' ? choice.template.id : (slugify(name, pinyin) ?? 'flow');
  return `${base}-${suffix}`;
}

/** The template gallery: start a flow blank or from a template, name it, and open it. */
export function Gallery({ onCreated }: { onCreated: (id: string) => void }) {
  const { t, locale } = useLocale();
  const [templates, reload] = useRemote('templates', listTemplates);
  const [choice, setChoice] = useState<Choice>();

  return (
    <section className="gallery" data-testid="gallery">
      <h2 className="gallery__title">{t.galleryTitle}</h2>
      <p className="muted">{t.gallerySubtitle}</p>
      <ul className="gallery__grid">
        <li>
          <button
            type="button"
            className="gallery__card gallery__card--blank"
            onClick={() => setChoice({ kind: 'blank' })}
            data-testid="gallery-blank"
          >
            <FilePlus2 size={28} aria-hidden="true" />
            <span className="gallery__name">{t.blankFlow}</span>
            <span className="gallery__desc">{t.blankFlowDescription}</span>
          </button>
        </li>
        {templates.status === 'ready' &&
          templates.value.map((template) => (
            <li key={template.id}>
              <button
                type="button"
                className={`gallery__card gallery__card--${template.id}`}
                onClick={() => setChoice({ kind: 'template', template })}
                data-testid={`gallery-template-${template.id}`}
              >
                <span className="gallery__name">{template.name[locale]}</span>
                <span className="gallery__alt muted" lang={locale === 'zh' ? 'en' : 'zh'}>
                  {template.name[locale === 'zh' ? 'en' : 'zh']}
                </span>
                <span className="gallery__desc">{template.description[locale]}</span>
              </button>
            </li>
          ))}
      </ul>
      {templates.status === 'loading' && <p className="muted">{t.loading}</p>}
      {templates.status === 'failed' && (
        <LoadFailed what={t.templatesFailed} error={templates.error} onRetry={reload} />
      )}
      {choice && <CreateDialog choice={choice} onClose={() => setChoice(undefined)} onCreated={onCreated} />}
    </section>
  );
}

function CreateDialog({
  choice,
  onClose,
  onCreated,
}: {
  choice: Choice;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const { t, locale } = useLocale();
  const initialName = choice.kind === 'template' ? choice.template.name[locale] : t.untitled;
  const [name, setName] = useState(initialName);
  const [suffix] = useState(randomSuffix);
  // A Chinese name's id reads as its pinyin once the dictionary is in (`flow-…` until then).
  const pinyin = usePinyin(choice.kind === 'blank' && hasChinese(name));
  const [editedId, setEditedId] = useState<string>();
  const id = editedId ?? suggestedId(choice, name, suffix, pinyin);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const dialog = useModalDialog();

  const idValid = FLOW_ID_PATTERN.test(id);
  const create = async () => {
    if (!idValid || !name.trim()) return;
    setBusy(true);
    setFailure(undefined);
    try {
      if (choice.kind === 'blank') {
        if (await flowExists(id)) {
          setFailure(t.flowIdTaken);
          return;
        }
        await saveDraft(blankFlow(id, name.trim()));
      } else {
        const doc = await createFromTemplate(choice.template.id, locale, id);
        if (doc.name !== name.trim()) await saveDraft({ ...doc, name: name.trim() });
        markUntidy(id);
      }
      onCreated(id);
    } catch (error) {
      setFailure(
        error instanceof ApiError && error.code === 'flow_exists' ? t.flowIdTaken : (error as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="dialog" onClose={onClose} onCancel={onClose} data-testid="create-dialog">
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <header className="dialog__head">
          <h2>{choice.kind === 'template' ? choice.template.name[locale] : t.blankFlow}</h2>
          <IconButton label={t.cancel} onClick={onClose}>
            <X size={16} />
          </IconButton>
        </header>
        <label className="field">
          <span className="field__label">{t.flowName}</span>
          <input
            value={name}
            required
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="create-name"
          />
        </label>
        <label className={`field${idValid ? '' : ' field--error'}`}>
          <span className="field__label">{t.flowId}</span>
          <input
            className="code"
            value={id}
            required
            onChange={(e) => setEditedId(e.target.value)}
            aria-invalid={!idValid}
            data-testid="create-id"
          />
          <span className="field__hint">{idValid ? t.flowIdHint : t.flowIdInvalid}</span>
        </label>
        {failure && (
          <p className="notice notice--error" role="alert">
            {t.createFailed} {failure}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
          <button
            type="submit"
            className="primary"
            disabled={busy || !idValid || !name.trim()}
            data-testid="create-confirm"
          >
            {busy ? t.creating : t.create}
          </button>
        </div>
      </form>
    </dialog>
  );
}
