import { inLocale } from '@sopflow/core/api';
import { ArrowLeft } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { eraseContact, getContact } from '../../api/contacts';
import { ApiError, currentSession } from '../../api/flows';
import { contactsHash, type Journey, journeysOf } from '../../editor/people';
import { addressLabel, useAddressKinds } from '../../hooks/useAddressKinds';
import { useLocale } from '../../hooks/useLocale';
import { useRemote } from '../../hooks/useRemote';
import { formatTime } from '../../i18n';
import { TemporalLink } from '../common/TemporalLink';
import { type HistoryNames, historyNames } from './history-names';

/** One contact: who they are, how to reach them, and every journey they took with what was sent. */
export function ContactDetail({ id }: { id: string }) {
  const { t, locale } = useLocale();
  const [history, reload] = useRemote(`contact:${id}`, (signal) => getContact(id, signal));
  const kinds = useAddressKinds();
  const [session] = useRemote('session', currentSession);
  const [eraseError, setEraseError] = useState<string>();
  // Erasing is for admins (the API refuses anyone else); an API without accounts is open to all.
  const mayErase =
    session.status === 'ready' &&
    (session.value.kind === 'open' || (session.value.kind === 'user' && session.value.role === 'admin'));
  const erase = async (name: string) => {
    if (!window.confirm(t.contacts.eraseConfirm(name))) return;
    setEraseError(undefined);
    try {
      await eraseContact(id);
      window.location.hash = contactsHash();
    } catch (error) {
      setEraseError(inLocale((error as Error).message, locale));
    }
  };
  const back = (
    <a href={contactsHash()} className="people-back" data-testid="contacts-back">
      <ArrowLeft size={14} /> {t.contacts.back}
    </a>
  );
  if (history.status === 'loading')
    return (
      <div className="people-page">
        {back}
        <p className="muted">{t.loading}</p>
      </div>
    );
  if (history.status === 'failed') {
    const missing = history.error instanceof ApiError && history.error.status === 404;
    return (
      <div className="people-page">
        {back}
        <div className="notice notice--error" role="alert">
          <p>{missing ? t.contacts.notFound(id) : `${t.contacts.detailFailed} ${history.error.message}`}</p>
          {!missing && (
            <button type="button" onClick={reload}>
              {t.retry}
            </button>
          )}
        </div>
      </div>
    );
  }
  const { contact, events, points } = history.value;
  const attributes = Object.entries(contact.attributes);
  const addresses = Object.entries(contact.addresses);
  const journeys = journeysOf(history.value);
  const names = historyNames(history.value.flows, locale);
  return (
    <div className="people-page" data-testid="contact-detail">
      {back}
      <div className="people-page__head">
        <h2 data-testid="contact-title">
          {contact.name ?? contact.id} <code className="muted">{contact.id}</code>
        </h2>
        <button type="button" onClick={reload} data-testid="contact-refresh">
          {t.contacts.refresh}
        </button>
        {mayErase && (
          <button
            type="button"
            className="danger"
            onClick={() => erase(contact.name ? `${contact.name} (${contact.id})` : contact.id)}
            data-testid="contact-erase"
          >
            {t.contacts.erase}
          </button>
        )}
      </div>
      {eraseError && (
        <p className="notice notice--error" role="alert" data-testid="contact-erase-error">
          {eraseError}
        </p>
      )}
      <div className="people-grid">
        <section className="people-card">
          <Listing
            title={t.contacts.attributes}
            none={t.contacts.noAttributes}
            empty={attributes.length === 0}
          >
            <dl className="people-pairs" data-testid="contact-attributes">
              {attributes.map(([key, value]) => (
                <div key={key}>
                  <dt>{key}</dt>
                  <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                </div>
              ))}
            </dl>
          </Listing>
          <dl className="people-pairs">
            <div>
              <dt>{t.contacts.points}</dt>
              <dd data-testid="contact-points">{contact.points}</dd>
            </div>
            {contact.timezone && (
              <div>
                <dt>{t.timezone}</dt>
                <dd>{contact.timezone}</dd>
              </div>
            )}
            <div>
              <dt>{t.contacts.created}</dt>
              <dd>{formatTime(contact.createdAt, locale)}</dd>
            </div>
            <div>
              <dt>{t.contacts.updated}</dt>
              <dd>{formatTime(contact.updatedAt, locale)}</dd>
            </div>
          </dl>
        </section>
        <section className="people-card">
          <TagGroup
            title={t.contacts.tags}
            none={t.contacts.noTags}
            tags={contact.tags}
            testId="contact-tags"
          />
          <h3>{t.contacts.addresses}</h3>
          {addresses.length === 0 ? (
            <p className="muted">{t.contacts.noAddresses}</p>
          ) : (
            <dl className="people-pairs" data-testid="contact-addresses">
              {addresses.map(([kind, address]) => (
                <div key={kind}>
                  <dt title={kind}>{addressLabel(kinds, kind, locale)}</dt>
                  <dd>{address}</dd>
                </div>
              ))}
            </dl>
          )}
          <TagGroup
            title={t.contacts.optOuts}
            none={t.contacts.noOptOuts}
            tags={contact.unsubscribed}
            off
            testId="contact-optouts"
          />
        </section>
      </div>
      <section className="people-card" data-testid="contact-journeys">
        <Listing title={t.contacts.journeys} none={t.contacts.noJourneys} empty={journeys.length === 0}>
          {journeys.map((journey) => (
            <JourneyView
              key={`${journey.enrollment.workflowId}:${journey.enrollment.runId}`}
              journey={journey}
              names={names}
            />
          ))}
        </Listing>
      </section>
      <div className="people-grid">
        <section className="people-card">
          <Listing title={t.contacts.events} none={t.contacts.noEvents} empty={events.length === 0}>
            <ul className="people-lines">
              {events.map((event, i) => (
                <li key={event.id ?? i}>
                  <span className="muted">{formatTime(event.receivedAt, locale)}</span>{' '}
                  <code>{event.name}</code> <span className="muted">{JSON.stringify(event.payload)}</span>
                </li>
              ))}
            </ul>
          </Listing>
        </section>
        <section className="people-card">
          <Listing title={t.contacts.pointsLedger} none={t.contacts.noPoints} empty={points.length === 0}>
            <ul className="people-lines">
              {points.map((entry, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: ledger lines have no id in the answer
                <li key={i}>
                  <span className="muted">{formatTime(entry.at, locale)}</span>{' '}
                  <strong>{entry.points > 0 ? `+${entry.points}` : entry.points}</strong> {entry.reason}
                  {entry.flowId && (
                    <span className="muted">
                      {' '}
                      ({names.flow(entry.flowId)}
                      {entry.nodeId ? ` / ${names.step(entry.flowId, null, entry.nodeId)}` : ''})
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </Listing>
        </section>
      </div>
    </div>
  );
}

/** A heading over what a card lists, or over a line saying there is nothing to list. */
function Listing({
  title,
  none,
  empty,
  children,
}: {
  title: string;
  none: string;
  empty: boolean;
  children: ReactNode;
}) {
  return (
    <>
      <h3>{title}</h3>
      {empty ? <p className="muted">{none}</p> : children}
    </>
  );
}

/** Words shown as tags (marked off for opt-outs), under a heading. */
function TagGroup({
  title,
  none,
  tags,
  off = false,
  testId,
}: {
  title: string;
  none: string;
  tags: readonly string[];
  off?: boolean;
  testId: string;
}) {
  return (
    <Listing title={title} none={none} empty={tags.length === 0}>
      <p data-testid={testId}>
        {tags.map((tag) => (
          <span key={tag} className={off ? 'people-tag people-tag--off' : 'people-tag'}>
            {tag}
          </span>
        ))}
      </p>
    </Listing>
  );
}

/** A send of the step that did not go out: skipped, or held until a time, and why. */
/** Lifecycle statuses in which a message did not reach the person. */
const FAILED_MESSAGE = new Set(['failed', 'bounced', 'rejected', 'suppressed']);

function SuppressedStep({ step, names }: { step: Journey['steps'][number]; names: HistoryNames }) {
  const { t, locale } = useLocale();
  const channel = t.channels[step.channel ?? ''] ?? step.channel ?? '';
  const reason = t.suppressReasons[step.reason ?? ''] ?? step.reason ?? '';
  return (
    <span className={step.until ? 'muted' : 'people-bad'} data-testid="journey-suppressed">
      {names.step(step.flowId, step.version, step.nodeId)}{' '}
      {step.until ? t.heldUntil(channel, formatTime(step.until, locale), reason) : t.notSent(channel, reason)}
    </span>
  );
}

function JourneyView({ journey, names }: { journey: Journey; names: HistoryNames }) {
  const { t, locale } = useLocale();
  const { enrollment, steps, deliveries } = journey;
  const outcome = enrollment.outcome;
  return (
    <article className="people-journey" data-testid={`journey-${enrollment.flowId}`}>
      <header className="people-journey__head">
        <a href={`#/flows/${encodeURIComponent(enrollment.flowId)}`}>
          <strong>{names.flow(enrollment.flowId)}</strong>
        </a>
        <span className="muted">
          {t.contacts.version} {enrollment.finalVersion ?? enrollment.version}
        </span>
        <span className={`status status--${enrollment.status === 'running' ? 'live' : 'draft'}`}>
          {enrollment.status === 'running' ? t.contacts.running : t.contacts.finished}
        </span>
        {enrollment.status === 'running' && enrollment.waitingAt && (
          <span>
            {t.contacts.waitingAt} {names.step(enrollment.flowId, enrollment.version, enrollment.waitingAt)}
          </span>
        )}
        {outcome && (
          <span data-testid="journey-outcome">
            {t.contacts.outcome}: {t.contacts.outcomes[outcome.kind] ?? outcome.kind}
            {outcome.nodeId &&
              ` ${names.step(enrollment.flowId, enrollment.finalVersion ?? enrollment.version, outcome.nodeId)}`}
          </span>
        )}
        <span className="muted">
          {t.contacts.started} {formatTime(enrollment.startedAt, locale)}
        </span>
        {enrollment.temporalUrl && (
          <TemporalLink href={enrollment.temporalUrl} testId="journey-temporal">
            {t.contacts.openRun}
          </TemporalLink>
        )}
      </header>
      <div className="people-grid">
        <div>
          <h4>{t.contacts.steps}</h4>
          {steps.length === 0 ? (
            <p className="muted">{t.contacts.noSteps}</p>
          ) : (
            <ol className="people-lines" data-testid="journey-steps">
              {steps.map((step, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a step may repeat in a loop; its place is its identity
                <li key={i}>
                  <span className="muted">{formatTime(step.at, locale)}</span>{' '}
                  {step.kind === 'suppressed' ? (
                    <SuppressedStep step={step} names={names} />
                  ) : (
                    <>
                      {t.contacts.stepKinds[step.kind] ?? step.kind}{' '}
                      {names.step(step.flowId, step.version, step.nodeId)}
                      {step.exit && <span className="muted"> → {t.exits[step.exit] ?? step.exit}</span>}
                    </>
                  )}
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h4>{t.contacts.sent}</h4>
          {deliveries.length === 0 ? (
            <p className="muted">{t.contacts.nothingSent}</p>
          ) : (
            <ul className="people-lines" data-testid="journey-deliveries">
              {deliveries.map((delivery) => (
                <li key={delivery.idempotencyKey}>
                  <span className="muted">{formatTime(delivery.sentAt ?? delivery.createdAt, locale)}</span>{' '}
                  {names.step(delivery.flowId, delivery.version, delivery.nodeId)} {t.contacts.via}{' '}
                  {t.channels[delivery.channel] ?? delivery.channel} ({delivery.connector}):{' '}
                  <span
                    className={FAILED_MESSAGE.has(delivery.lifecycle.status) ? 'people-bad' : undefined}
                    data-testid="delivery-lifecycle"
                  >
                    {t.messageStatuses[delivery.lifecycle.status] ?? delivery.lifecycle.status}
                    {delivery.lifecycle.code && ` (${delivery.lifecycle.code})`}
                  </span>
                  {delivery.error && <span className="people-bad"> {delivery.error}</span>}
                  {delivery.statuses.length > 1 && (
                    <div className="muted" data-testid="delivery-statuses">
                      {delivery.statuses
                        .map(
                          (entry) =>
                            `${t.messageStatuses[entry.status] ?? entry.status} ${formatTime(entry.at, locale)}`,
                        )
                        .join(' → ')}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </article>
  );
}
