import type { Condition } from '@sopflow/core';
import { Play } from 'lucide-react';
import { useId, useState } from 'react';
import {
  type AudienceCount,
  type CampaignListed,
  type CampaignRequest,
  cancelCampaign,
  countAudience,
  listCampaigns,
  startCampaign,
} from '../../api/campaigns';
import { listFlows } from '../../api/flows';
import {
  type AudienceKind,
  type CampaignForm,
  campaignRequestOf,
  campaignSettled,
  parseContactIds,
} from '../../editor/people';
import { useLocale } from '../../hooks/useLocale';
import { usePolled } from '../../hooks/usePolled';
import { useRemote } from '../../hooks/useRemote';
import { formatTime } from '../../i18n';
import { Radio } from '../common/Radio';
import { TemporalLink } from '../common/TemporalLink';
import { ConditionEditor, fieldSuggestions } from '../Inspector/fields';
import '../Contacts/people.css';

/** Campaign progress refreshes faster than flow numbers: an operator is watching it finish. */
const CAMPAIGN_POLL_MS = 2_000;

const DEFAULT_WHERE: Condition = { field: 'contact.tags', op: 'contains', value: '' };

/** How many unknown ids the confirmation names before it only counts them. */
const UNKNOWN_IDS_SHOWN = 10;

/**
 * Campaigns: enroll an audience (pasted ids, a condition, or everyone) into a live flow now or at
 * a time, after confirming how many contacts it holds; then watch the server's campaigns (every
 * operator sees the same list) until each is done.
 */
export function CampaignsPage() {
  const { t } = useLocale();
  const [campaigns, refresh] = usePolled('campaigns', listCampaigns, CAMPAIGN_POLL_MS);
  return (
    <div className="people-page" data-testid="campaigns-page">
      <div className="people-page__head">
        <h2>{t.campaigns.title}</h2>
      </div>
      <NewCampaign onStarted={refresh} />
      <section className="people-card">
        <h3>{t.campaigns.campaignsStarted}</h3>
        <p className="field__hint">{t.campaigns.refreshes}</p>
        {campaigns.error && (
          <p className="notice notice--error">
            {t.campaigns.progressFailed} {campaigns.error.message}
          </p>
        )}
        {campaigns.value?.length === 0 && <p className="muted">{t.campaigns.noneStarted}</p>}
        {campaigns.value?.map((campaign) => (
          <CampaignCard key={campaign.campaignId} campaign={campaign} onCancelled={refresh} />
        ))}
      </section>
    </div>
  );
}

function NewCampaign({ onStarted }: { onStarted: () => void }) {
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
  /** The request waiting for the operator's yes, with its audience as counted just now. */
  const [confirming, setConfirming] = useState<{ request: CampaignRequest; counted: AudienceCount }>();
  const set = (patch: Partial<CampaignForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setShown(undefined);
    setConfirming(undefined);
  };
  const live = flows.status === 'ready' ? flows.value.filter((f) => f.status === 'live') : [];

  const count = async () => {
    const made = campaignRequestOf(form, Date.now());
    if (!made.ok) {
      setShown(t.campaigns.problems[made.problem]);
      return;
    }
    setBusy(true);
    try {
      setConfirming({ request: made.request, counted: await countAudience(made.request.audience) });
      setShown(undefined);
    } catch (error) {
      setShown(`${t.campaigns.countFailed} ${(error as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const start = async (request: CampaignRequest) => {
    setBusy(true);
    try {
      await startCampaign(request);
      setConfirming(undefined);
      setShown(undefined);
      onStarted();
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
      {confirming ? (
        <div className="notice" role="alertdialog" data-testid="campaign-confirm">
          <p data-testid="campaign-confirm-count">
            {t.campaigns.confirmCount(confirming.counted.count, confirming.request.flowId)}
          </p>
          {confirming.counted.unknownContactIdCount > 0 && (
            <p data-testid="campaign-confirm-unknown">
              {t.campaigns.confirmUnknown(confirming.counted.unknownContactIdCount)}{' '}
              <code>{confirming.counted.unknownContactIds.slice(0, UNKNOWN_IDS_SHOWN).join(', ')}</code>
              {confirming.counted.unknownContactIdCount > UNKNOWN_IDS_SHOWN && ' …'}
            </p>
          )}
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void start(confirming.request)}
            data-testid="campaign-confirm-start"
          >
            <Play size={14} /> {busy ? t.campaigns.starting : t.campaigns.confirmStart}
          </button>{' '}
          <button type="button" disabled={busy} onClick={() => setConfirming(undefined)}>
            {t.campaigns.back}
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void count()}
          data-testid="campaign-start"
        >
          <Play size={14} /> {busy ? t.campaigns.counting : t.campaigns.start}
        </button>
      )}
    </section>
  );
}

function CampaignCard({ campaign, onCancelled }: { campaign: CampaignListed; onCancelled: () => void }) {
  const { t, locale } = useLocale();
  const [cancelError, setCancelError] = useState<string>();
  const { state } = campaign;

  const cancel = async () => {
    if (!window.confirm(t.campaigns.cancelConfirm)) return;
    try {
      await cancelCampaign(campaign.campaignId);
      setCancelError(undefined);
      onCancelled();
    } catch (error) {
      setCancelError(`${t.campaigns.cancelFailed} ${(error as Error).message}`);
    }
  };

  const counts = [
    ['audience', t.campaigns.audienceCount, campaign.audienceCount, undefined],
    ['scanned', t.campaigns.scanned, campaign.counts.scanned, undefined],
    ['enrolled', t.campaigns.enrolled, campaign.counts.enrolled, undefined],
    ['skipped', t.campaigns.skipped, campaign.counts.skipped, t.campaigns.skippedHint],
  ] as const;
  return (
    <article className="people-journey" data-testid={`campaign-${campaign.campaignId}`} data-phase={state}>
      <header className="people-journey__head">
        <a href={`#/flows/${encodeURIComponent(campaign.flowId)}`}>
          <strong>{campaign.flowId}</strong>
        </a>
        <code className="muted">{campaign.campaignId}</code>
        <span
          className={`status status--${state === 'done' ? 'live' : 'draft'}`}
          data-testid="campaign-phase"
        >
          {t.campaigns.phases[state]}
        </span>
        <span className="muted" data-testid="campaign-audience-kind">
          {campaign.audience.kind === 'contactIds'
            ? t.campaigns.idsCount(campaign.audience.count)
            : campaign.audience.kind === 'everyone'
              ? t.campaigns.audienceEveryone
              : t.campaigns.audienceCondition}
        </span>
        <span className="muted">
          {t.campaigns.startsAt} {formatTime(campaign.startsAt, locale)}
        </span>
        <TemporalLink href={campaign.temporalUrl}>{t.openInTemporal}</TemporalLink>
        <span className="people-journey__end">
          {!campaignSettled(state) && (
            <button
              type="button"
              className="danger"
              onClick={() => void cancel()}
              data-testid="campaign-cancel"
            >
              {t.cancel}
            </button>
          )}
        </span>
      </header>
      <dl className="people-counts">
        {counts.map(([key, label, n, hint]) => (
          <div key={key} title={hint}>
            <dt>{label}</dt>
            <dd data-testid={`campaign-${key}`}>{n}</dd>
          </div>
        ))}
        {campaign.unknownContactIdCount > 0 && (
          <div title={t.campaigns.missingHint}>
            <dt>{t.campaigns.missing}</dt>
            <dd data-testid="campaign-missing">{campaign.unknownContactIdCount}</dd>
          </div>
        )}
      </dl>
      {campaign.error && (
        <p className="notice notice--error" data-testid="campaign-error">
          {campaign.error}
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
