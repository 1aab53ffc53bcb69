import type { Condition } from '@sopflow/core';
import { Play, X } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { type CampaignStatus, cancelCampaign, getCampaign, startCampaign } from '../../api/campaigns';
import { listFlows } from '../../api/flows';
import {
  type AudienceKind,
  type CampaignForm,
  campaignPhaseOf,
  campaignRequestOf,
  campaignSettled,
  parseContactIds,
  rememberCampaign,
  type StartedCampaign,
} from '../../editor/people';
import { useLocale } from '../../hooks/useLocale';
import { usePolled } from '../../hooks/usePolled';
import { useRemote } from '../../hooks/useRemote';
import { formatTime } from '../../i18n';
import { IconButton } from '../common/IconButton';
import { Radio } from '../common/Radio';
import { TemporalLink } from '../common/TemporalLink';
import { ConditionEditor, fieldSuggestions } from '../Inspector/fields';
import '../Contacts/people.css';

const STORAGE_KEY = 'sopflow.campaigns';
/** Campaign progress refreshes faster than flow numbers: an operator is watching it finish. */
const CAMPAIGN_POLL_MS = 2_000;

const DEFAULT_WHERE: Condition = { field: 'contact.tags', op: 'contains', value: '' };

function loadStarted(): StartedCampaign[] {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as unknown;
    return Array.isArray(saved) ? (saved as StartedCampaign[]) : [];
  } catch {
    return [];
  }
}

function saveStarted(list: StartedCampaign[]) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    // Storage may be disabled (private mode); the list then lasts for this page only.
  }
}

/**
 * Campaigns: enroll an audience (pasted ids, a condition, or everyone) into a live flow now
 * or at a time, then watch each one's progress until it is done. The API has no list of
 * campaigns, so the ones started from this browser are remembered here.
 */
export function CampaignsPage() {
  const { t } = useLocale();
  const [started, setStarted] = useState<StartedCampaign[]>(loadStarted);
  const remember = (campaign: StartedCampaign) =>
    setStarted((list) => {
      const next = rememberCampaign(list, campaign);
      saveStarted(next);
      return next;
    });
  const forget = (campaignId: string) =>
    setStarted((list) => {
      const next = list.filter((c) => c.campaignId !== campaignId);
      saveStarted(next);
      return next;
    });
  return (
    <div className="people-page" data-testid="campaigns-page">
      <div className="people-page__head">
        <h2>{t.campaigns.title}</h2>
      </div>
      <NewCampaign onStarted={remember} />
      <section className="people-card">
        <h3>{t.campaigns.campaignsStarted}</h3>
        <p className="field__hint">{t.campaigns.refreshes}</p>
        {started.length === 0 ? (
          <p className="muted">{t.campaigns.noneStarted}</p>
        ) : (
          started.map((campaign) => (
            <CampaignCard
              key={campaign.campaignId}
              campaign={campaign}
              onForget={() => forget(campaign.campaignId)}
            />
          ))
        )}
      </section>
    </div>
  );
}

function NewCampaign({ onStarted }: { onStarted: (campaign: StartedCampaign) => void }) {
  const { t } = useLocale();
  const name = useId();
  const [flows] = useRemote('campaign-flows', listFlows);
  const [form, setForm] = useState<CampaignForm>({
    flowId: '',
    audience: 'ids',
    idsText: '',
    where: DEFAULT_WHERE,
    when: 'now',
    at: '',
  });
  const [shown, setShown] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<CampaignForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setShown(undefined);
  };
  const live = flows.status === 'ready' ? flows.value.filter((f) => f.status === 'live') : [];

  const start = async () => {
    const made = campaignRequestOf(form, Date.now());
    if (!made.ok) {
      setShown(t.campaigns.problems[made.problem]);
      return;
    }
    setBusy(true);
    try {
      const answer = await startCampaign(made.request);
      const listed = made.request.audience.contactIds?.length;
      onStarted({
        campaignId: answer.campaignId,
        flowId: form.flowId,
        startsAt: answer.startsAt,
        ...(listed === undefined ? {} : { listed }),
      });
      setShown(undefined);
    } catch (error) {
      setShown(`${t.campaigns.startFailed} ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const audiences: [AudienceKind, string][] = [
    ['ids', t.campaigns.audienceIds],
    ['condition', t.campaigns.audienceCondition],
    ['everyone', t.campaigns.audienceEveryone],
  ];
  const idCount = form.audience === 'ids' ? parseContactIds(form.idsText).length : 0;

  return (
    <section className="people-card" data-testid="campaign-new">
      <h3>{t.campaigns.newCampaign}</h3>
      <label className="field">
        <span className="field__label">{t.campaigns.flow}</span>
        <select
          value={form.flowId}
          onChange={(e) => set({ flowId: e.target.value })}
          data-testid="campaign-flow"
        >
          <option value="">{t.campaigns.pickFlow}</option>
          {live.map((flow) => (
            <option key={flow.id} value={flow.id}>
              {flow.name} ({flow.id}, v{flow.latestVersion})
            </option>
          ))}
        </select>
      </label>
      {flows.status === 'ready' && live.length === 0 && <p className="muted">{t.campaigns.noLiveFlows}</p>}
      {flows.status === 'failed' && (
        <p className="notice notice--error">
          {t.loadFailed} {flows.error.message}
        </p>
      )}
      <fieldset className="people-choice">
        <legend className="field__label">{t.campaigns.audience}</legend>
        {audiences.map(([kind, label]) => (
          <Radio
            key={kind}
            name={`${name}-audience`}
            checked={form.audience === kind}
            onSelect={() => set({ audience: kind })}
            testId={`campaign-audience-${kind}`}
          >
            {label}
          </Radio>
        ))}
      </fieldset>
      {form.audience === 'ids' && (
        <label className="field">
          <textarea
            rows={5}
            value={form.idsText}
            placeholder={t.campaigns.idsPlaceholder}
            onChange={(e) => set({ idsText: e.target.value })}
            data-testid="campaign-ids"
          />
          <span className="field__hint" data-testid="campaign-ids-count">
            {t.campaigns.idsCount(idCount)}
          </span>
        </label>
      )}
      {form.audience === 'condition' && (
        <ConditionEditor
          value={form.where}
          onChange={(where) => set({ where })}
          suggestions={fieldSuggestions([])}
          testId="campaign-where"
        />
      )}
      <fieldset className="people-choice">
        <legend className="field__label">{t.campaigns.when}</legend>
        {(['now', 'at'] as const).map((when) => (
          <Radio
            key={when}
            name={`${name}-when`}
            checked={form.when === when}
            onSelect={() => set({ when })}
            testId={`campaign-when-${when}`}
          >
            {t.campaigns[when]}
          </Radio>
        ))}
        {form.when === 'at' && (
          <input
            type="datetime-local"
            aria-label={t.campaigns.at}
            value={form.at}
            onChange={(e) => set({ at: e.target.value })}
            data-testid="campaign-at"
          />
        )}
      </fieldset>
      {shown && (
        <p className="notice notice--error" role="alert" data-testid="campaign-problem">
          {shown}
        </p>
      )}
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => void start()}
        data-testid="campaign-start"
      >
        <Play size={14} /> {busy ? t.campaigns.starting : t.campaigns.start}
      </button>
    </section>
  );
}

function CampaignCard({ campaign, onForget }: { campaign: StartedCampaign; onForget: () => void }) {
  const { t, locale } = useLocale();
  // Once a campaign is settled its numbers cannot change: keep them and stop asking.
  const [settled, setSettled] = useState<CampaignStatus>();
  const [polled, refresh] = usePolled(
    settled ? undefined : campaign.campaignId,
    (signal) => getCampaign(campaign.campaignId, signal),
    CAMPAIGN_POLL_MS,
  );
  const [cancelError, setCancelError] = useState<string>();
  const status = settled ?? polled.value;
  const phase = status ? campaignPhaseOf(status, campaign.startsAt, Date.now()) : undefined;
  useEffect(() => {
    if (
      !settled &&
      polled.value &&
      campaignSettled(campaignPhaseOf(polled.value, campaign.startsAt, Date.now()))
    )
      setSettled(polled.value);
  }, [polled.value, settled, campaign.startsAt]);

  const cancel = async () => {
    if (!window.confirm(t.campaigns.cancelConfirm)) return;
    try {
      await cancelCampaign(campaign.campaignId);
      setCancelError(undefined);
      refresh();
    } catch (error) {
      setCancelError(`${t.campaigns.cancelFailed} ${(error as Error).message}`);
    }
  };

  const progress = status?.progress;
  // Only a finished scan of a pasted list knows which ids named nobody.
  const missing =
    phase === 'done' && progress && campaign.listed !== undefined ? campaign.listed - progress.scanned : 0;
  const counts = [
    ['scanned', t.campaigns.scanned, progress?.scanned],
    ['enrolled', t.campaigns.enrolled, progress?.enrolled],
    ['skipped', t.campaigns.skipped, progress?.skipped],
  ] as const;
  return (
    <article className="people-journey" data-testid={`campaign-${campaign.campaignId}`} data-phase={phase}>
      <header className="people-journey__head">
        <a href={`#/flows/${encodeURIComponent(campaign.flowId)}`}>
          <strong>{campaign.flowId}</strong>
        </a>
        <code className="muted">{campaign.campaignId}</code>
        {phase && (
          <span
            className={`status status--${phase === 'done' ? 'live' : 'draft'}`}
            data-testid="campaign-phase"
          >
            {t.campaigns.phases[phase]}
          </span>
        )}
        <span className="muted">
          {t.campaigns.startsAt} {formatTime(campaign.startsAt, locale)}
        </span>
        {status?.temporalUrl && <TemporalLink href={status.temporalUrl}>{t.openInTemporal}</TemporalLink>}
        <span className="people-journey__end">
          {phase && !campaignSettled(phase) && (
            <button
              type="button"
              className="danger"
              onClick={() => void cancel()}
              data-testid="campaign-cancel"
            >
              {t.cancel}
            </button>
          )}
          <IconButton label={t.campaigns.forget} onClick={onForget}>
            <X size={14} />
          </IconButton>
        </span>
      </header>
      {progress ? (
        <dl className="people-counts">
          {counts.map(([key, label, n]) => (
            <div key={key} title={key === 'skipped' ? t.campaigns.skippedHint : undefined}>
              <dt>{label}</dt>
              <dd data-testid={`campaign-${key}`}>{n}</dd>
            </div>
          ))}
          {missing > 0 && (
            <div title={t.campaigns.missingHint}>
              <dt>{t.campaigns.missing}</dt>
              <dd data-testid="campaign-missing">{missing}</dd>
            </div>
          )}
        </dl>
      ) : (
        <p className="muted">
          {polled.error ? `${t.campaigns.progressFailed} ${polled.error.message}` : t.campaigns.noProgress}
        </p>
      )}
      {polled.error && progress && (
        <p className="muted">
          {t.campaigns.progressFailed} {polled.error.message}
        </p>
      )}
      {cancelError && (
        <p className="notice notice--error" role="alert">
          {cancelError}
        </p>
      )}
    </article>
  );
}
