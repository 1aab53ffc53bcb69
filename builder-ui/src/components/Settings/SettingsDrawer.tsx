import type { CompileError, FlowDocument, FlowSettings } from '@sopflow/core';
import { X } from 'lucide-react';
import { Fragment, type ReactNode, useEffect } from 'react';
import { useLocale } from '../../hooks/useLocale';
import { IconButton } from '../common/IconButton';
import { DurationField, Field, NumberInput } from '../Inspector/fields';
import { TimeZoneList } from '../Inspector/forms';
import { WebhookDetails } from '../Webhook/Webhook';

type QuietHours = NonNullable<FlowSettings['quietHours']>;
type FrequencyCap = NonNullable<FlowSettings['frequencyCap']>;

/** What a newly switched-on setting starts with. */
const DEFAULT_QUIET_HOURS: QuietHours = { start: '22:00', end: '08:00' };
const DEFAULT_FREQUENCY_CAP: FrequencyCap = { max: 3, per: 'P1D', onCap: 'defer' };

/** A setting that is off until its box is ticked; what it holds shows while it is on. */
function OptionalSection({
  title,
  hint,
  on,
  onToggle,
  testId,
  children,
}: {
  title: string;
  hint: string;
  on: boolean;
  onToggle: (on: boolean) => void;
  testId: string;
  children: ReactNode;
}) {
  return (
    <section className="drawer__section">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={on}
          onChange={(e) => onToggle(e.target.checked)}
          data-testid={testId}
        />
        <h3>{title}</h3>
      </label>
      <p className="field__hint">{hint}</p>
      {children}
    </section>
  );
}

interface Props {
  doc: FlowDocument;
  errors: readonly CompileError[];
  update: (fn: (doc: FlowDocument) => FlowDocument, key?: string) => void;
  onClose: () => void;
}

function WebhookSection({ id }: { id: string }) {
  const { t } = useLocale();
  return (
    <section className="drawer__section">
      <h3>{t.webhook}</h3>
      <p className="field__hint">{t.webhookHint}</p>
      <WebhookDetails flowId={id} testId="webhook" />
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
  /** Turns quiet hours on (with the given times, the defaults filling the rest) or off. */
  const setQuiet = (key: string, hours: Partial<QuietHours> | undefined) =>
    setSettings(key, (x) => ({
      ...x,
      quietHours: hours && { ...DEFAULT_QUIET_HOURS, ...x.quietHours, ...hours },
    }));
  /** Turns the frequency cap on (with the given parts, the defaults filling the rest) or off. */
  const setCap = (key: string, cap: Partial<FrequencyCap> | undefined) =>
    setSettings(key, (x) => ({
      ...x,
      frequencyCap: cap && { ...DEFAULT_FREQUENCY_CAP, ...x.frequencyCap, ...cap },
    }));

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
        <IconButton label={t.close} onClick={onClose} data-testid="settings-close">
          <X size={16} />
        </IconButton>
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
        <OptionalSection
          title={t.quietHours}
          hint={t.quietHoursHint}
          on={s.quietHours !== undefined}
          onToggle={(on) => setQuiet('quiet', on ? DEFAULT_QUIET_HOURS : undefined)}
          testId="settings-quiet"
        >
          {s.quietHours && (
            <div className="row">
              {(
                [
                  ['start', t.from],
                  ['end', t.to],
                ] as const
              ).map(([end, words]) => (
                <Fragment key={end}>
                  <span>{words}</span>
                  <input
                    type="time"
                    aria-label={words}
                    value={s.quietHours?.[end]}
                    onChange={(e) => e.target.value && setQuiet(`quiet-${end}`, { [end]: e.target.value })}
                    data-testid={`settings-quiet-${end}`}
                  />
                </Fragment>
              ))}
            </div>
          )}
        </OptionalSection>
        <OptionalSection
          title={t.frequencyCap}
          hint={t.frequencyCapHint}
          on={s.frequencyCap !== undefined}
          onToggle={(on) => setCap('cap', on ? DEFAULT_FREQUENCY_CAP : undefined)}
          testId="settings-cap"
        >
          {s.frequencyCap && (
            <>
              <div className="row">
                <span>{t.capMax}</span>
                <NumberInput
                  className="weight"
                  aria-label={t.capMax}
                  value={s.frequencyCap.max}
                  onChange={(max) => Number.isInteger(max) && max > 0 && setCap('cap-max', { max })}
                  data-testid="settings-cap-max"
                />
              </div>
              <DurationField
                label={t.capPer}
                value={s.frequencyCap.per}
                onChange={(per) => setCap('cap-per', { per })}
                errors={errors}
                path="settings.frequencyCap.per"
                testId="settings-cap-per"
              />
              <Field label={t.onCap}>
                {(id) => (
                  <select
                    id={id}
                    value={s.frequencyCap?.onCap}
                    onChange={(e) => setCap('cap-on', { onCap: e.target.value as 'defer' | 'skip' })}
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
        </OptionalSection>
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
