import {
  INTEGRATOR_EVENT_TYPES,
  type IntegratorEventType,
  inLocale,
  SubscriptionCreate,
} from '@sopflow/core/api';
import { Eye, List, Pencil, Plus, RotateCcw, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import {
  createSubscription,
  deleteSubscription,
  listDeliveries,
  listSubscriptions,
  replayDelivery,
  type Subscription,
  updateSubscription,
} from '../../api/webhooks';
import { useLocale } from '../../hooks/useLocale';
import { usePolled } from '../../hooks/usePolled';
import { IconButton } from '../common/IconButton';
import { ListCard } from '../common/ListCard';
import { Table } from '../common/Table';
import { TextField } from '../common/TextField';
import { webhooksMessages } from './messages';
import '../Contacts/people.css';
import '../ChannelCodes/channel-codes.css';

export { isWebhooksHash, WEBHOOKS_HASH } from './messages';

/**
 * Webhooks for integrators: subscribe an endpoint to events, change or delete a subscription,
 * and read its delivery log, sending a delivery again from it. Admins only (the API says so).
 */
export function WebhooksPage() {
  const { locale } = useLocale();
  const text = webhooksMessages[locale];
  const [subscriptions, refresh] = usePolled('webhook-subscriptions', listSubscriptions);
  const [editing, setEditing] = useState<Subscription>();
  // A new form after each subscription made, so the last one's URL is not offered again.
  const [made, setMade] = useState(0);
  const [logOf, setLogOf] = useState<Subscription>();
  const [shownSecret, setShownSecret] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const forbidden = subscriptions.error instanceof ApiError && subscriptions.error.status === 403;

  const remove = async (subscription: Subscription) => {
    if (!window.confirm(text.deleteConfirm(subscription.url))) return;
    setFailure(undefined);
    try {
      await deleteSubscription(subscription.id);
      if (editing?.id === subscription.id) setEditing(undefined);
      if (logOf?.id === subscription.id) setLogOf(undefined);
      refresh();
    } catch (error) {
      setFailure(`${text.deleteFailed} ${inLocale((error as Error).message, locale)}`);
    }
  };

  if (forbidden)
    return (
      <div className="people-page" data-testid="webhooks-page">
        <h2>{text.title}</h2>
        <p className="notice">{text.adminOnly}</p>
      </div>
    );

  return (
    <div className="people-page channel-codes" data-testid="webhooks-page">
      <div className="people-page__head">
        <h2>{text.title}</h2>
      </div>
      <p className="muted channel-codes__intro">{text.intro}</p>
      <SubscriptionForm
        key={editing?.id ?? `new-${made}`}
        subscription={editing}
        onSaved={() => {
          setEditing(undefined);
          setMade((n) => n + 1);
          refresh();
        }}
        onCancel={() => setEditing(undefined)}
      />
      <ListCard
        title={text.listTitle}
        polled={subscriptions}
        loadFailed={text.loadFailed}
        failure={failure}
        none={text.none}
      >
        {(items) => (
          <Table
            className="people-table"
            testId="webhooks-table"
            columns={[
              text.url,
              text.eventTypes,
              text.enabledColumn,
              text.pending,
              text.failedCount,
              text.secret,
              '',
            ]}
          >
            <tbody>
              {items.map((s) => (
                <tr key={s.id} data-testid="webhook-subscription">
                  <td>
                    <code>{s.url}</code>
                    {s.description && <div className="muted">{s.description}</div>}
                  </td>
                  <td>{s.eventTypes.map((type) => text.eventWords[type]).join(', ')}</td>
                  <td>{s.enabled ? text.on : text.off}</td>
                  <td className="num">{s.pending}</td>
                  <td className="num">{s.failed}</td>
                  <td>
                    {shownSecret === s.id ? (
                      <code data-testid="webhook-secret">{s.secret}</code>
                    ) : (
                      <IconButton label={text.showSecret} onClick={() => setShownSecret(s.id)}>
                        <Eye size={14} />
                      </IconButton>
                    )}
                  </td>
                  <td>
                    <div className="channel-codes__actions">
                      <IconButton label={text.log} onClick={() => setLogOf(s)}>
                        <List size={14} />
                      </IconButton>
                      <IconButton label={text.edit} onClick={() => setEditing(s)}>
                        <Pencil size={14} />
                      </IconButton>
                      <IconButton label={text.delete} danger onClick={() => void remove(s)}>
                        <Trash2 size={14} />
                      </IconButton>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </ListCard>
      {logOf && <DeliveryLog key={logOf.id} subscription={logOf} onClose={() => setLogOf(undefined)} />}
    </div>
  );
}

/** The form for a new subscription, or for changing `subscription`. */
function SubscriptionForm({
  subscription,
  onSaved,
  onCancel,
}: {
  subscription?: Subscription;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { locale } = useLocale();
  const text = webhooksMessages[locale];
  const [url, setUrl] = useState(subscription?.url ?? '');
  const [description, setDescription] = useState(subscription?.description ?? '');
  const [types, setTypes] = useState<IntegratorEventType[]>(subscription?.eventTypes ?? []);
  const [enabled, setEnabled] = useState(subscription?.enabled ?? true);
  const [rotateSecret, setRotateSecret] = useState(false);
  const [issues, setIssues] = useState<{ path: string; message: string }[]>([]);
  const [busy, setBusy] = useState(false);

  const toggle = (type: IntegratorEventType, on: boolean) =>
    setTypes((now) =>
      on
        ? INTEGRATOR_EVENT_TYPES.filter((t) => t === type || now.includes(t))
        : now.filter((t) => t !== type),
    );

  const submit = async () => {
    const body = { url, eventTypes: types, description, enabled };
    // The contract checks first, in the browser: the same messages as the API's 422.
    const parsed = SubscriptionCreate.safeParse(body);
    if (!parsed.success) {
      setIssues(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      return;
    }
    setIssues([]);
    setBusy(true);
    try {
      if (subscription)
        await updateSubscription(subscription.id, {
          ...parsed.data,
          ...(rotateSecret ? { rotateSecret } : {}),
        });
      else await createSubscription(parsed.data);
      onSaved();
    } catch (error) {
      const details = error instanceof ApiError && Array.isArray(error.details) ? error.details : [];
      setIssues(details.length > 0 ? details : [{ path: '', message: (error as Error).message }]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="people-card channel-codes__form" data-testid="webhook-form">
      <h3>{subscription ? text.editSubscription : text.newSubscription}</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="channel-codes__fields">
          <TextField
            label={text.url}
            value={url}
            type="url"
            placeholder="https://example.com/hooks/sopflow"
            onChange={(e) => setUrl(e.target.value)}
            data-testid="webhook-url"
          />
          <TextField
            label={text.description}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            data-testid="webhook-description"
          />
          <fieldset className="field">
            <legend className="field__label">{text.eventTypes}</legend>
            {INTEGRATOR_EVENT_TYPES.map((type) => (
              <label key={type} className="channel-codes__check">
                <input
                  type="checkbox"
                  checked={types.includes(type)}
                  onChange={(e) => toggle(type, e.target.checked)}
                  data-testid={`webhook-type-${type}`}
                />
                {text.eventWords[type]} <code>{type}</code>
              </label>
            ))}
          </fieldset>
          <label className="channel-codes__check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            {text.enabled}
          </label>
          {subscription && (
            <label className="channel-codes__check">
              <input
                type="checkbox"
                checked={rotateSecret}
                onChange={(e) => setRotateSecret(e.target.checked)}
              />
              {text.rotateSecret}
            </label>
          )}
        </div>
        {issues.length > 0 && (
          <ul className="notice notice--error field__errors" role="alert" data-testid="webhook-issues">
            {issues.map((issue) => (
              <li key={`${issue.path}:${issue.message}`}>
                {issue.path && <code>{issue.path}</code>} {inLocale(issue.message, locale)}
              </li>
            ))}
          </ul>
        )}
        <div className="channel-codes__buttons">
          <button type="submit" className="primary" disabled={busy} data-testid="webhook-submit">
            {subscription ? null : <Plus size={14} />} {subscription ? text.save : text.create}
          </button>
          {subscription && (
            <button type="button" onClick={onCancel}>
              {text.cancel}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** A subscription's newest deliveries, each with its status and last answer, and a way to send it again. */
function DeliveryLog({ subscription, onClose }: { subscription: Subscription; onClose: () => void }) {
  const { locale } = useLocale();
  const text = webhooksMessages[locale];
  const [deliveries, refresh] = usePolled(`webhook-log:${subscription.id}`, (signal) =>
    listDeliveries(subscription.id, signal),
  );
  // Kept as what happened, not as words, so a change of language re-words it.
  const [notice, setNotice] = useState<{ replayed: true } | { failed: string }>();

  const replay = async (eventId: string) => {
    try {
      await replayDelivery(subscription.id, eventId);
      setNotice({ replayed: true });
      refresh();
    } catch (error) {
      setNotice({ failed: (error as Error).message });
    }
  };

  return (
    <section className="people-card" data-testid="webhook-log">
      <div className="people-page__head">
        <h3>{text.logTitle(subscription.url)}</h3>
        <button type="button" onClick={onClose}>
          {text.close}
        </button>
      </div>
      {notice && (
        <p className="notice">{'replayed' in notice ? text.replayed : inLocale(notice.failed, locale)}</p>
      )}
      {deliveries.error && (
        <p className="notice notice--error">
          {text.loadFailed} {deliveries.error.message}
        </p>
      )}
      {deliveries.value?.length === 0 && <p className="muted">{text.logEmpty}</p>}
      {deliveries.value && deliveries.value.length > 0 && (
        <Table
          className="people-table"
          testId="webhook-log-table"
          columns={[text.at, text.event, text.contact, text.status, text.attempts, text.answer, '']}
        >
          <tbody>
            {deliveries.value.map((d) => (
              <tr key={d.eventId} data-testid={`webhook-delivery-${d.status}`}>
                <td>{new Date(d.createdAt).toLocaleString(locale === 'zh' ? 'zh-CN' : 'en')}</td>
                <td title={d.eventId}>{text.eventWords[d.eventType]}</td>
                <td>{d.contactId ?? '–'}</td>
                <td>{text.statuses[d.status]}</td>
                <td className="num">{d.attempts}</td>
                <td>
                  {d.responseCode ?? ''} {d.lastError ?? ''}
                </td>
                <td>
                  <IconButton label={text.replay} onClick={() => void replay(d.eventId)}>
                    <RotateCcw size={14} />
                  </IconButton>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
