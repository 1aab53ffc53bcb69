import { inLocale } from '@sopflow/core/api';
import { Save, Trash2 } from 'lucide-react';
import { useMemo, useState } from 'react';
import {
  type AddressKindInfo,
  type ChannelRoute,
  type ConnectorInfo,
  removeRoute,
  saveRoute,
} from '../../api/channels';
import { ApiError } from '../../api/flows';
import {
  configOf,
  type Draft,
  type DraftValue,
  draftOf,
  fieldsOf,
  type Issue,
  placeIssues,
} from '../../editor/schema-form';
import { useLocale } from '../../hooks/useLocale';
import { SchemaForm } from './SchemaForm';
import { TestSend } from './TestSend';

interface Props {
  channel: string;
  channelName: string;
  route: ChannelRoute | undefined;
  connectors: readonly ConnectorInfo[];
  /** The address kinds the connectors declare: what a test message may go to. */
  addressKinds: readonly AddressKindInfo[];
  /** The route changed on the server (saved or removed): the list reloads. */
  onChanged: () => void;
}

type Status =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'saved' }
  | { kind: 'removed' }
  | { kind: 'failed'; prefix: 'save' | 'remove'; message: string };

function issuesOf(error: unknown): Issue[] | undefined {
  if (!(error instanceof ApiError) || error.status !== 422 || !Array.isArray(error.details)) return undefined;
  return (error.details as unknown[]).filter(
    (d): d is Issue =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as Issue).path === 'string' &&
      typeof (d as Issue).message === 'string',
  );
}

/** One channel: which connector routes it, that connector's config form, a test send, removal. */
export function ChannelEditor({ channel, channelName, route, connectors, addressKinds, onChanged }: Props) {
  const { t, locale } = useLocale();
  const text = t.channelsPage;
  // The outbox is what "no route" means; routing to it by name would only hide that.
  const choices = connectors.filter((c) => c.channels.includes(channel) && c.name !== 'outbox');
  const [stored, setStored] = useState(route);
  const [connectorName, setConnectorName] = useState(route?.connector ?? '');
  const connector = choices.find((c) => c.name === connectorName);
  const fields = useMemo(
    () => (connector ? fieldsOf(connector.configSchema, connector.secretFields) : []),
    [connector],
  );
  const initialDraft = (name: string, from: ChannelRoute | undefined): Draft => {
    const info = choices.find((c) => c.name === name);
    if (!info || from?.connector !== name) return {};
    return draftOf(fieldsOf(info.configSchema, info.secretFields), from.config);
  };
  const [draft, setDraft] = useState<Draft>(() => initialDraft(connectorName, route));
  const [dirty, setDirty] = useState(false);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [confirmRemove, setConfirmRemove] = useState(false);
  // The API words each issue in both languages: the form shows the operator's.
  const placed = useMemo(
    () =>
      placeIssues(
        fields,
        issues.map((issue) => ({ ...issue, message: inLocale(issue.message, locale) })),
      ),
    [fields, issues, locale],
  );
  const unplaced = placed.get('') ?? [];

  const change = (path: string, value: DraftValue) => {
    setDraft((d) => ({ ...d, [path]: value }));
    setDirty(true);
    if (status.kind !== 'busy') setStatus({ kind: 'idle' });
  };

  const chooseConnector = (name: string) => {
    setConnectorName(name);
    setDraft(initialDraft(name, stored));
    setIssues([]);
    setDirty(name !== (stored?.connector ?? ''));
    setStatus({ kind: 'idle' });
  };

  const save = async () => {
    if (!connector) return;
    setStatus({ kind: 'busy' });
    try {
      const saved = await saveRoute(channel, connector.name, configOf(fields, draft));
      setStored(saved);
      setDraft(draftOf(fields, saved.config));
      setIssues([]);
      setDirty(false);
      setStatus({ kind: 'saved' });
      onChanged();
    } catch (error) {
      const found = issuesOf(error);
      setIssues(found ?? []);
      setStatus({ kind: 'failed', prefix: 'save', message: (error as Error).message });
    }
  };

  const remove = async () => {
    setStatus({ kind: 'busy' });
    setConfirmRemove(false);
    try {
      await removeRoute(channel);
      setStored(undefined);
      setConnectorName('');
      setDraft({});
      setIssues([]);
      setDirty(false);
      setStatus({ kind: 'removed' });
      onChanged();
    } catch (error) {
      setStatus({ kind: 'failed', prefix: 'remove', message: (error as Error).message });
    }
  };

  const busy = status.kind === 'busy';
  return (
    <section className="channel-editor" aria-labelledby="channel-editor-title" data-testid="channel-editor">
      <header className="channel-editor__head">
        <h2 id="channel-editor-title">
          {channelName} <code className="muted">{channel}</code>
        </h2>
      </header>

      {choices.length === 0 ? (
        <p className="muted">{text.noConnector}</p>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div className="field">
            <label htmlFor="channel-connector">{text.connector}</label>
            <select
              id="channel-connector"
              value={connectorName}
              onChange={(e) => chooseConnector(e.target.value)}
              data-testid="connector-select"
            >
              <option value="">{stored ? text.chooseConnector : text.outbox}</option>
              {choices.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
            {connector && (
              <p className="field__hint" data-testid="connector-description">
                {connector.description[locale]}
                {connector.capabilities.length > 0 && (
                  <>
                    {' '}
                    {text.canSend}: {connector.capabilities.join(', ')}
                  </>
                )}
              </p>
            )}
            {stored && connectorName && connectorName !== stored.connector && (
              <p className="field__hint channel-editor__warn">{text.switchHint}</p>
            )}
          </div>

          {connector && (
            <div className="channel-editor__section">
              <h3>{text.settings}</h3>
              {status.kind === 'failed' && status.prefix === 'save' && issues.length > 0 && (
                <p className="notice notice--error" role="alert" data-testid="form-errors">
                  {text.formErrors}
                </p>
              )}
              {unplaced.length > 0 && (
                <ul className="field__errors" role="alert" data-testid="field-errors-">
                  {unplaced.map((message) => (
                    <li key={message}>{message}</li>
                  ))}
                </ul>
              )}
              <SchemaForm fields={fields} draft={draft} onChange={change} issues={placed} />
            </div>
          )}

          <div className="channel-editor__actions">
            {connector && (
              <button type="submit" className="primary" disabled={busy} data-testid="channel-save">
                <Save size={14} /> {busy ? t.saving : t.save}
              </button>
            )}
            {stored && !confirmRemove && (
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => setConfirmRemove(true)}
                data-testid="channel-remove"
              >
                <Trash2 size={14} /> {text.removeRoute}
              </button>
            )}
          </div>
          {confirmRemove && (
            <div className="notice notice--error" role="alertdialog" data-testid="remove-confirm">
              <p>{text.removeConfirm(channelName)}</p>
              <div className="channel-editor__actions">
                <button
                  type="button"
                  className="danger"
                  onClick={() => void remove()}
                  data-testid="remove-yes"
                >
                  {text.removeYes}
                </button>
                <button type="button" onClick={() => setConfirmRemove(false)}>
                  {t.cancel}
                </button>
              </div>
            </div>
          )}
          {status.kind === 'saved' && (
            <p className="notice notice--ok" role="status" data-testid="channel-saved">
              {text.saved}
            </p>
          )}
          {status.kind === 'removed' && (
            <p className="notice notice--ok" role="status" data-testid="channel-removed">
              {text.removed}
            </p>
          )}
          {status.kind === 'failed' && issues.length === 0 && (
            <p className="notice notice--error" role="alert" data-testid="channel-failed">
              {status.prefix === 'save' ? text.saveFailed : text.removeFailed}{' '}
              {inLocale(status.message, locale)}
            </p>
          )}
        </form>
      )}

      {stored ? (
        <TestSend
          key={`${stored.connector}`}
          channel={channel}
          addressKind={connectors.find((c) => c.name === stored.connector)?.address}
          kinds={addressKinds}
          unsaved={dirty}
        />
      ) : (
        choices.length > 0 && <p className="field__hint">{text.testSaveFirst}</p>
      )}
    </section>
  );
}
