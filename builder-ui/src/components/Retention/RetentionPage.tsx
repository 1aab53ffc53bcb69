import { inLocale } from '@sopflow/core/api';
import { useState } from 'react';
import { getRetention, type RetentionSettings, saveRetention } from '../../api/settings';
import { useLocale } from '../../hooks/useLocale';
import { useRemote } from '../../hooks/useRemote';
import { LoadFailed } from '../common/LoadFailed';
import { TextField } from '../common/TextField';

const FIELDS = ['deliveriesDays', 'outboxDays', 'eventsDays', 'journeysDays'] as const;

/** How long records are kept (admin): days per kind of record, 0 or empty for ever. */
export function RetentionPage() {
  const { t, locale } = useLocale();
  const words = t.retention;
  const [loaded, reload] = useRemote('retention', getRetention);
  const [edited, setEdited] = useState<Partial<Record<keyof RetentionSettings, string>>>({});
  const [state, setState] = useState<
    { kind: 'idle' | 'saving' | 'saved' } | { kind: 'failed'; message: string }
  >({ kind: 'idle' });
  if (loaded.status === 'loading') return <p className="muted">{t.loading}</p>;
  if (loaded.status === 'failed')
    return <LoadFailed what={words.loadFailed} error={loaded.error} onRetry={reload} />;
  const shown = (field: keyof RetentionSettings) => edited[field] ?? String(loaded.value[field] ?? '');
  const save = async () => {
    setState({ kind: 'saving' });
    const settings = Object.fromEntries(
      FIELDS.map((field) => [field, shown(field).trim() === '' ? null : Number(shown(field))]),
    ) as RetentionSettings;
    try {
      await saveRetention(settings);
      setEdited({});
      reload();
      setState({ kind: 'saved' });
    } catch (error) {
      setState({ kind: 'failed', message: inLocale((error as Error).message, locale) });
    }
  };
  return (
    <div className="people-page" data-testid="retention-page">
      <div className="people-page__head">
        <h2>{words.title}</h2>
      </div>
      <p className="field__hint">{words.hint}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {FIELDS.map((field) => (
          <TextField
            key={field}
            label={`${words.fields[field]} (${words.days})`}
            type="number"
            min={0}
            step={1}
            value={shown(field)}
            onChange={(e) => setEdited({ ...edited, [field]: e.target.value })}
            data-testid={`retention-${field}`}
          />
        ))}
        <button
          type="submit"
          className="primary"
          disabled={state.kind === 'saving'}
          data-testid="retention-save"
        >
          {state.kind === 'saving' ? words.saving : words.save}
        </button>
        {state.kind === 'saved' && (
          <p className="muted" role="status">
            {words.saved}
          </p>
        )}
        {state.kind === 'failed' && (
          <p className="notice notice--error" role="alert">
            {words.saveFailed} {state.message}
          </p>
        )}
      </form>
    </div>
  );
}
