import {
  type CompileError,
  type Contact,
  type ContactInput,
  type FlowDocument,
  zoneFor,
} from '@sopflow/core';
import {
  Ban,
  CornerDownRight,
  Hourglass,
  Pause,
  PencilLine,
  Play,
  SkipForward,
  StepBack,
  StepForward,
  Zap,
} from 'lucide-react';
import { useState } from 'react';
import { getContact } from '../../api/contacts';
import { ApiError, simulateFlow } from '../../api/flows';
import { formatClock, formatOffset, type Trace, traceOf } from '../../editor/trace';
import { addressLabel, useAddressKinds } from '../../hooks/useAddressKinds';
import { useLocale } from '../../hooks/useLocale';
import { exitCaption, nodeModule, stepName } from '../../nodes';
import { NodeIcon } from '../../nodes/NodeIcon';
import { IconButton } from '../common/IconButton';

/** The sample contact and scripted events the operator previews with (kept while editing). */
export interface Sample {
  /** The contact's id: a real contact's once one is loaded. */
  id: string;
  name: string;
  /** Address kind → address; empty ones are left out. */
  addresses: Record<string, string>;
  /** The contact's attributes, as JSON text: any the flow's conditions read. */
  attributes: string;
  /** Tags, separated by commas. */
  tags: string;
  /** An IANA zone, or empty for none. */
  timezone: string;
  /** The trigger's payload, as JSON text. */
  event: string;
  /** `YYYY-MM-DDTHH:mm` in the browser's clock, or empty for now. */
  startAt: string;
  /** Events, and changes to the contact (`contact`: the payload is the change, as a contact write gives it). */
  events: { at: string; name: string; payload: string; contact?: true }[];
}

export function defaultSample(locale: 'en' | 'zh'): Sample {
  return {
    id: 'preview-contact',
    name: locale === 'zh' ? '小美' : 'Vera',
    addresses: { wecomUserId: 'wx-preview', phone: '+8613800000000', email: 'vera@example.com' },
    attributes: '{ "tier": "vip" }',
    tags: '',
    timezone: '',
    event: '{}',
    startAt: '',
    events: [],
  };
}

export function sampleContact(sample: Sample): ContactInput {
  const addresses = Object.fromEntries(
    Object.entries(sample.addresses)
      .map(([kind, value]) => [kind, value.trim()] as const)
      .filter(([, value]) => value !== ''),
  );
  const name = sample.name.trim();
  const timezone = sample.timezone.trim();
  return {
    id: sample.id.trim() || 'preview-contact',
    ...(name ? { name } : {}),
    ...(timezone ? { timezone } : {}),
    addresses,
    attributes: parseObject(sample.attributes) ?? {},
    tags: sample.tags
      .split(/[,，]/)
      .map((tag) => tag.trim())
      .filter(Boolean),
  };
}

/** A stored contact as the preview's sample: its id, name, addresses, attributes, tags and zone. */
export function sampleOf(contact: Contact, sample: Sample): Sample {
  return {
    ...sample,
    id: contact.id,
    name: contact.name ?? '',
    addresses: { ...contact.addresses },
    attributes: JSON.stringify(contact.attributes, null, 1),
    tags: contact.tags.join(', '),
    timezone: contact.timezone ?? '',
  };
}

export function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A dry-run on show: where the playback stands and whether it moves by itself. */
export interface PreviewRun {
  /** The document it ran (positions aside), to tell when the flow has changed since. */
  structure: string;
  trace: Trace;
  lines: string[];
  /** The zone its times are shown in: the contact's, else the flow's (where its sends are timed). */
  zone: { name: string; contacts: boolean };
  shown: number;
  playing: boolean;
}

interface Props {
  doc: FlowDocument;
  stale: boolean;
  blocked: boolean;
  sample: Sample;
  setSample: (fn: (s: Sample) => Sample) => void;
  run: PreviewRun | undefined;
  setRun: (fn: (r: PreviewRun | undefined) => PreviewRun | undefined) => void;
  /** Saves the draft (the dry-run reads the stored one); false when it could not. */
  flush: () => Promise<boolean>;
  structure: string;
  onServerErrors: (errors: CompileError[]) => void;
  onFocusNode: (id: string) => void;
}

export function PreviewPanel({
  doc,
  stale,
  blocked,
  sample,
  setSample,
  run,
  setRun,
  flush,
  structure,
  onServerErrors,
  onFocusNode,
}: Props) {
  const { t, locale } = useLocale();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const set = <K extends keyof Sample>(key: K, value: Sample[K]) =>
    setSample((s) => ({ ...s, [key]: value }));
  const setEvent = (i: number, key: 'at' | 'name' | 'payload', value: string) =>
    set(
      'events',
      sample.events.map((e, j) => (j === i ? { ...e, [key]: value } : e)),
    );
  const eventPayload = parseObject(sample.event);
  const attributes = parseObject(sample.attributes);
  const kinds = useAddressKinds().filter((kind) => kind.of === 'contact');
  const [realId, setRealId] = useState('');
  const [loadFailure, setLoadFailure] = useState<string>();
  const loadReal = async () => {
    setLoadFailure(undefined);
    try {
      const { contact } = await getContact(realId.trim());
      setSample((s) => sampleOf(contact as Contact, s));
    } catch (error) {
      setLoadFailure(
        error instanceof ApiError && error.status === 404
          ? t.noSuchContact(realId.trim())
          : (error as Error).message,
      );
    }
  };
  const badEvents = sample.events.some(
    (e) => parseObject(e.payload) === undefined || (!e.contact && !e.name.trim()),
  );

  const start = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      if (!(await flush())) {
        setFailure(t.saveInvalid);
        return;
      }
      const answer = await simulateFlow(doc.id, {
        contact: sampleContact(sample),
        event: eventPayload ?? {},
        events: sample.events.map((e) => {
          const at = e.at.trim() || '+1h';
          const payload = parseObject(e.payload) ?? {};
          return e.contact ? { at, contact: payload } : { at, name: e.name.trim(), payload };
        }),
        ...(sample.startAt ? { startAt: new Date(sample.startAt).toISOString() } : {}),
      });
      setRun(() => ({
        structure,
        trace: traceOf(answer.timeline, answer.startAt, answer.outcome),
        lines: answer.lines,
        zone: (() => {
          const name = zoneFor(answer.contact.timezone, doc.settings.timezone);
          return { name, contacts: name === answer.contact.timezone };
        })(),
        shown: 1,
        playing: true,
      }));
    } catch (error) {
      if (error instanceof ApiError && error.compileErrors.length) onServerErrors(error.compileErrors);
      setFailure(`${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const steps = run?.trace.steps ?? [];
  const total = steps.length;
  const shown = run?.shown ?? 0;
  /** Stops the playback on a step (kept between the first and the last). */
  const showStep = (to: (shown: number) => number) =>
    setRun((r) => r && { ...r, playing: false, shown: Math.min(total, Math.max(1, to(r.shown))) });
  const label = (id: string) => stepName(doc.nodes.find((n) => n.id === id) ?? { id, type: '' }, locale);
  const typeOf = (id: string) => doc.nodes.find((n) => n.id === id)?.type;
  const exitName = (id: string, exit: string) => {
    const node = doc.nodes.find((n) => n.id === id);
    return node ? exitCaption(node, exit, false, t.exits) : (t.exits[exit] ?? exit);
  };

  return (
    <div className="preview" data-testid="preview-panel">
      <p className="muted">{t.previewIntro}</p>
      <fieldset className="preview__contact">
        <legend>{t.sampleContact}</legend>
        <div className="row preview__real">
          <input
            aria-label={t.realContactId}
            placeholder={t.realContactId}
            value={realId}
            onChange={(e) => setRealId(e.target.value)}
            data-testid="preview-real-id"
          />
          <button
            type="button"
            disabled={!realId.trim()}
            onClick={() => void loadReal()}
            data-testid="preview-real-load"
          >
            {t.useRealContact}
          </button>
        </div>
        {loadFailure && (
          <p className="field__error" role="alert" data-testid="preview-real-error">
            {loadFailure}
          </p>
        )}
        <label>
          <span>{t.contactName}</span>
          <input
            value={sample.name}
            onChange={(e) => set('name', e.target.value)}
            data-testid="preview-name"
          />
        </label>
        {kinds.map((kind) => (
          <label key={kind.name}>
            <span>{addressLabel(kinds, kind.name, locale)}</span>
            <input
              value={sample.addresses[kind.name] ?? ''}
              onChange={(e) => set('addresses', { ...sample.addresses, [kind.name]: e.target.value })}
              data-testid={`preview-address-${kind.name}`}
            />
          </label>
        ))}
        <label>
          <span>{t.sampleTags}</span>
          <input
            value={sample.tags}
            onChange={(e) => set('tags', e.target.value)}
            data-testid="preview-tags"
          />
        </label>
        <label>
          <span>{t.timezone}</span>
          <input
            value={sample.timezone}
            placeholder="Asia/Shanghai"
            onChange={(e) => set('timezone', e.target.value)}
            data-testid="preview-timezone"
          />
        </label>
        <label className="preview__attributes">
          <span>{t.sampleAttributes}</span>
          <textarea
            className="code"
            rows={3}
            value={sample.attributes}
            aria-invalid={attributes === undefined}
            onChange={(e) => set('attributes', e.target.value)}
            data-testid="preview-attributes"
          />
        </label>
        <label>
          <span>{t.startAt}</span>
          <input
            type="datetime-local"
            value={sample.startAt}
            onChange={(e) => set('startAt', e.target.value)}
            title={t.startNow}
            data-testid="preview-startAt"
          />
        </label>
      </fieldset>
      <label className="field">
        <span className="field__label">{t.triggerEvent}</span>
        <textarea
          className="code"
          rows={2}
          value={sample.event}
          aria-invalid={eventPayload === undefined}
          onChange={(e) => set('event', e.target.value)}
          data-testid="preview-event"
        />
      </label>
      <div className="field">
        <span className="field__label">{t.scriptedEvents}</span>
        {sample.events.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div className="row preview__event" key={i}>
            <input
              aria-label={t.eventAt}
              className="weight"
              placeholder="+2h"
              value={e.at}
              onChange={(x) => setEvent(i, 'at', x.target.value)}
            />
            {e.contact ? (
              <span className="muted">{t.contactChange}</span>
            ) : (
              <input
                aria-label={t.eventName}
                placeholder="message.received"
                list="preview-event-names"
                value={e.name}
                onChange={(x) => setEvent(i, 'name', x.target.value)}
              />
            )}
            <input
              aria-label={e.contact ? t.contactChangePayload : t.eventPayload}
              className="code"
              placeholder={e.contact ? '{"attributes":{"tier":"vip"}}' : '{}'}
              value={e.payload}
              onChange={(x) => setEvent(i, 'payload', x.target.value)}
            />
            <IconButton
              label={t.remove}
              onClick={() =>
                set(
                  'events',
                  sample.events.filter((_, j) => j !== i),
                )
              }
            >
              ×
            </IconButton>
          </div>
        ))}
        <datalist id="preview-event-names">
          {[
            ...new Set(doc.nodes.flatMap((n) => nodeModule(n.type).events?.(n) ?? [])),
            ...(doc.settings.goal ? [doc.settings.goal.event] : []),
          ].map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <button
          type="button"
          className="link-button"
          onClick={() => set('events', [...sample.events, { at: '+1h', name: '', payload: '{}' }])}
        >
          + {t.addEvent}
        </button>
        <button
          type="button"
          className="link-button"
          onClick={() =>
            set('events', [
              ...sample.events,
              { at: '+1h', name: '', payload: '{"attributes":{"tier":"vip"}}', contact: true },
            ])
          }
        >
          + {t.addContactChange}
        </button>
      </div>
      <button
        type="button"
        className="primary"
        disabled={busy || blocked || eventPayload === undefined || attributes === undefined || badEvents}
        onClick={() => void start()}
        title={blocked ? t.previewBlocked : undefined}
        data-testid="preview-run"
      >
        <Play size={14} /> {busy ? t.running : t.run}
      </button>
      {blocked && <p className="muted">{t.previewBlocked}</p>}
      {failure && (
        <p className="notice notice--error" role="alert">
          {t.previewFailed} {failure}
        </p>
      )}
      {run && (
        <section
          className="preview__result"
          data-testid="preview-result"
          data-state={run.playing ? 'playing' : shown >= total ? 'done' : 'paused'}
        >
          {stale && <p className="notice">{t.stale}</p>}
          <div className="preview__controls">
            <IconButton label={t.stepBack} disabled={shown <= 1} onClick={() => showStep((n) => n - 1)}>
              <StepBack size={16} />
            </IconButton>
            <IconButton
              label={run.playing ? t.pause : t.play}
              onClick={() =>
                setRun(
                  (r) =>
                    r && { ...r, playing: !r.playing, shown: !r.playing && r.shown >= total ? 1 : r.shown },
                )
              }
              data-testid="preview-play"
            >
              {run.playing ? <Pause size={16} /> : <Play size={16} />}
            </IconButton>
            <IconButton
              label={t.stepForward}
              disabled={shown >= total}
              onClick={() => showStep((n) => n + 1)}
            >
              <StepForward size={16} />
            </IconButton>
            <IconButton
              label={t.showAll}
              onClick={() => showStep(() => total)}
              data-testid="preview-show-all"
            >
              <SkipForward size={16} />
            </IconButton>
            <span className="muted" data-testid="preview-progress">
              {t.stepOf(shown, total)}
            </span>
          </div>
          <p className="muted preview__zone" data-testid="preview-zone">
            {t.timesIn(run.zone.name, run.zone.contacts)}
          </p>
          <ol className="preview__steps">
            {steps.slice(0, shown).map((step, i) => {
              const type = typeOf(step.nodeId);
              return (
                <li
                  // biome-ignore lint/suspicious/noArrayIndexKey: the path is fixed for this run
                  key={i}
                  className={i === shown - 1 ? 'current' : undefined}
                  data-testid={`preview-step-${i + 1}`}
                  data-node-id={step.nodeId}
                >
                  <button
                    type="button"
                    className="preview__step-head"
                    onClick={() => onFocusNode(step.nodeId)}
                  >
                    <span className="step__visit">{i + 1}</span>
                    {type && <NodeIcon type={type} size={14} />}
                    <span className="preview__step-label">{label(step.nodeId)}</span>
                    <span className="muted preview__time">
                      {formatOffset(step.at - run.trace.startAt)} · {formatClock(step.at, run.zone.name)}
                    </span>
                  </button>
                  {step.messages.map((m, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: messages of one visit, in order
                    <div key={j} className={`bubble bubble--${m.status}`} data-testid="preview-message">
                      <span className="bubble__meta">
                        {t.sentTo(t.channels[m.channel] ?? m.channel, m.to)}
                        {m.status !== 'sent' ? ` · ${m.status}` : ''}
                      </span>
                      {m.subject && <strong>{m.subject}</strong>}
                      <span className="bubble__text">{m.text}</span>
                    </div>
                  ))}
                  {step.suppressed.map((m, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: suppressed sends of one visit, in order
                    <div key={j} className="muted preview__note" data-testid="preview-suppressed">
                      <Ban size={12} aria-hidden="true" />{' '}
                      {m.until === undefined
                        ? t.notSent(
                            t.channels[m.channel] ?? m.channel,
                            t.suppressReasons[m.reason] ?? m.reason,
                          )
                        : t.heldUntil(
                            t.channels[m.channel] ?? m.channel,
                            formatClock(m.until, run.zone.name),
                            t.suppressReasons[m.reason] ?? m.reason,
                          )}
                    </div>
                  ))}
                  {step.waitUntil !== undefined && (
                    <div className="muted preview__note">
                      <Hourglass size={12} aria-hidden="true" /> {t.waitsUntil}{' '}
                      {formatClock(step.waitUntil, run.zone.name)}
                    </div>
                  )}
                  {step.events.map((e, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: events of one visit, in order
                    <div key={j} className="muted preview__note">
                      <Zap size={12} aria-hidden="true" /> {e.name}
                      {e.use !== 'used' && ` (${t.eventUse[e.use]})`}
                    </div>
                  ))}
                  {step.contactChanges.map((change, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: changes of one visit, in order
                    <div key={j} className="muted preview__note">
                      <PencilLine size={12} aria-hidden="true" /> {t.contactChanged}{' '}
                      {change.fields.join(', ')}
                    </div>
                  ))}
                  {step.exit && step.exit !== 'next' && (
                    <div className="muted preview__note">
                      <CornerDownRight size={12} aria-hidden="true" /> {exitName(step.nodeId, step.exit)}
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
          {shown >= total && (
            <p className="preview__outcome" data-testid="preview-outcome">
              {t.outcome(run.trace.outcome)}
            </p>
          )}
          <details className="preview__lines" open>
            <summary>{t.timeline}</summary>
            <pre data-testid="preview-lines">{run.lines.join('\n')}</pre>
          </details>
        </section>
      )}
    </div>
  );
}
