import type { CompileError, FlowDocument, FlowSettings } from '@sopflow/core';
import { Check, Copy, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { getWebhook, type WebhookInfo } from '../../api/flows';
import { useLocale } from '../../hooks/useLocale';
import { DurationField, Field, NumberInput } from '../Inspector/fields';
import { TimeZoneList } from '../Inspector/forms';

interface Props {
  doc: FlowDocument;
  errors: readonly CompileError[];
  update: (fn: (doc: FlowDocument) => FlowDocument, key?: string) => void;
  onClose: () => void;
}

function CopyButton({ text, testId }: { text: string; testId: string }) {
  const { t } = useLocale();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="icon-button"
      title={done ? t.copied : t.copy}
      aria-label={t.copy}
      data-testid={testId}
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => setDone(true),
          () => setDone(false),
        )
      }
    >
      {done ? <Check size={14} /> : <Copy size={14} />}
    </button>
  );
}

function WebhookSection({ id }: { id: string }) {
  const { t } = useLocale();
  const [info, setInfo] = useState<WebhookInfo>();
  const [failure, setFailure] = useState<string>();
  const [reveal, setReveal] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    getWebhook(id, controller.signal).then(setInfo, (error: Error) => {
      if (!controller.signal.aborted) setFailure(error.message);
    });
    return () => controller.abort();
  }, [id]);
  return (
    <section className="drawer__section" data-testid="webhook">
      <h3>{t.webhook}</h3>
      <p className="field__hint">{t.webhookHint}</p>
      {failure && (
        <p className="notice notice--error">
          {t.loadFailed} {failure}
        </p>
      )}
      {!info && !failure && <p className="muted">{t.loading}</p>}
      {info && (
        <dl className="webhook">
          <dt>{t.webhookUrl}</dt>
          <dd>
            <code data-testid="webhook-url">{info.url}</code>
            <CopyButton text={info.url} testId="webhook-url-copy" />
          </dd>
          <dt>{t.webhookSecret}</dt>
          <dd>
            <code data-testid="webhook-secret">{reveal ? info.secret : '•'.repeat(24)}</code>
            <button
              type="button"
              className="link-button"
              onClick={() => setReveal((r) => !r)}
              data-testid="webhook-reveal"
            >
              {reveal ? t.hide : t.reveal}
            </button>
            <CopyButton text={info.secret} testId="webhook-secret-copy" />
          </dd>
          <dt>{t.signatureHeader}</dt>
          <dd>
            <code>
              {info.signatureHeader}: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.body")&gt;
            </code>
          </dd>
        </dl>
      )}
    </section>
  );
}

/** The flow's own fields and settings, and its webhook, in a drawer over the canvas. */
export function SettingsDrawer({ doc, errors, update, onClose }: Props) {
  const { t } = useLocale();
  const s = doc.settings;
  const flowErrors = errors.filter((e) => !e.nodeId && !e.edgeId);
  const setSettings = (key: string, fn: (s: FlowSettings) => FlowSettings) =>
    update((d) => ({ ...d, settings: fn(d.settings) }), `settings:${key}`);

  useEffect(() => {
    const close = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [onClose]);

  return (
    <div
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-label={t.settingsTitle}
      data-testid="settings"
    >
      <header className="drawer__head">
        <h2>{t.settingsTitle}</h2>
        <button
          type="button"
          className="icon-button"
          aria-label={t.close}
          onClick={onClose}
          data-testid="settings-close"
        >
          <X size={16} />
        </button>
      </header>
      <div className="drawer__body">
        <Field label={t.flowName} errors={flowErrors} path="name">
          {(id) => (
            <input
              id={id}
              value={doc.name}
              onChange={(e) => update((d) => ({ ...d, name: e.target.value }), 'flow:name')}
              data-testid="settings-name"
            />
          )}
        </Field>
        <Field label={t.description} errors={flowErrors} path="description">
          {(id) => (
            <textarea
              id={id}
              rows={3}
              value={doc.description ?? ''}
              onChange={(e) =>
                update((d) => ({ ...d, description: e.target.value || undefined }), 'flow:description')
              }
            />
          )}
        </Field>
        <WebhookSection id={doc.id} />
        <section className="drawer__section">
          <Field label={t.timezone} errors={flowErrors} path="settings.timezone">
            {(id) => (
              <>
                <input
                  id={id}
                  list={`${id}-zones`}
                  value={s.timezone}
                  onChange={(e) => setSettings('tz', (x) => ({ ...x, timezone: e.target.value }))}
                  data-testid="settings-timezone"
                />
                <TimeZoneList id={`${id}-zones`} />
              </>
            )}
          </Field>
        </section>
        <section className="drawer__section">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={s.quietHours !== undefined}
              onChange={(e) =>
                setSettings('quiet', (x) => ({
                  ...x,
                  quietHours: e.target.checked ? { start: '22:00', end: '08:00' } : undefined,
                }))
              }
              data-testid="settings-quiet"
            />
            <h3>{t.quietHours}</h3>
          </label>
          <p className="field__hint">{t.quietHoursHint}</p>
          {s.quietHours && (
            <div className="row">
              <span>{t.from}</span>
              <input
                type="time"
                aria-label={t.from}
                value={s.quietHours.start}
                onChange={(e) =>
                  e.target.value &&
                  setSettings('quiet-start', (x) => ({
                    ...x,
                    quietHours: { end: '08:00', ...x.quietHours, start: e.target.value },
                  }))
                }
                data-testid="settings-quiet-start"
              />
              <span>{t.to}</span>
              <input
                type="time"
                aria-label={t.to}
                value={s.quietHours.end}
                onChange={(e) =>
                  e.target.value &&
                  setSettings('quiet-end', (x) => ({
                    ...x,
                    quietHours: { start: '22:00', ...x.quietHours, end: e.target.value },
                  }))
                }
                data-testid="settings-quiet-end"
              />
            </div>
          )}
        </section>
        <section className="drawer__section">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={s.frequencyCap !== undefined}
              onChange={(e) =>
                setSettings('cap', (x) => ({
                  ...x,
                  frequencyCap: e.target.checked ? { max: 3, per: 'P1D', onCap: 'defer' } : undefined,
                }))
              }
              data-testid="settings-cap"
            />
            <h3>{t.frequencyCap}</h3>
          </label>
          <p className="field__hint">{t.frequencyCapHint}</p>
          {s.frequencyCap && (
            <>
              <div className="row">
                <span>{t.capMax}</span>
                <NumberInput
                  className="weight"
                  aria-label={t.capMax}
                  value={s.frequencyCap.max}
                  onChange={(max) =>
                    Number.isInteger(max) &&
                    max > 0 &&
                    setSettings('cap-max', (x) => ({
                      ...x,
                      frequencyCap: { per: 'P1D', onCap: 'defer', ...x.frequencyCap, max },
                    }))
                  }
                  data-testid="settings-cap-max"
                />
              </div>
              <DurationField
                label={t.capPer}
                value={s.frequencyCap.per}
                onChange={(per) =>
                  setSettings('cap-per', (x) => ({
                    ...x,
                    frequencyCap: { max: 3, onCap: 'defer', ...x.frequencyCap, per },
                  }))
                }
                errors={errors}
                path="settings.frequencyCap.per"
                testId="settings-cap-per"
              />
              <Field label={t.onCap}>
                {(id) => (
                  <select
                    id={id}
                    value={s.frequencyCap?.onCap}
                    onChange={(e) =>
                      setSettings('cap-on', (x) => ({
                        ...x,
                        frequencyCap: {
                          max: 3,
                          per: 'P1D',
                          ...x.frequencyCap,
                          onCap: e.target.value as 'defer' | 'skip',
                        },
                      }))
                    }
                  >
                    {(['defer', 'skip'] as const).map((m) => (
                      <option key={m} value={m}>
                        {t.onCapModes[m]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </>
          )}
        </section>
        <section className="drawer__section">
          <Field label={t.reentry} errors={flowErrors} path="settings.reentry">
            {(id) => (
              <select
                id={id}
                value={s.reentry.mode}
                onChange={(e) => {
                  const mode = e.target.value as FlowSettings['reentry']['mode'];
                  setSettings('reentry', (x) => ({
                    ...x,
                    reentry: mode === 'after' ? { mode, after: x.reentry.after ?? 'P7D' } : { mode },
                  }));
                }}
                data-testid="settings-reentry"
              >
                {(['always', 'never', 'after'] as const).map((m) => (
                  <option key={m} value={m}>
                    {t.reentryModes[m]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {s.reentry.mode === 'after' && (
            <DurationField
              label={t.duration}
              value={s.reentry.after ?? 'P7D'}
              onChange={(after) =>
                setSettings('reentry-after', (x) => ({ ...x, reentry: { mode: 'after', after } }))
              }
              errors={errors}
              path="settings.reentry.after"
              testId="settings-reentry-after"
            />
          )}
        </section>
        <section className="drawer__section">
          <Field label={t.goal} hint={t.goalHint} errors={flowErrors} path="settings.goal">
            {(id) => (
              <input
                id={id}
                value={s.goal?.event ?? ''}
                onChange={(e) =>
                  setSettings('goal', (x) => ({
                    ...x,
                    goal: e.target.value.trim() ? { ...x.goal, event: e.target.value.trim() } : undefined,
                  }))
                }
                data-testid="settings-goal"
              />
            )}
          </Field>
        </section>
      </div>
    </div>
  );
}
