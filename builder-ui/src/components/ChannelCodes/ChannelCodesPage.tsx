import { ACQUISITION_CHANNEL_WORDS, type AcquisitionChannel, inLocale } from '@sopflow/core/api';
import { Download, Pencil, Plus, Trash2 } from 'lucide-react';
import { type ReactNode, useId, useState } from 'react';
import {
  type ChannelCode,
  createChannelCode,
  deleteChannelCode,
  listChannelCodes,
  updateChannelCode,
} from '../../api/channel-codes';
import { ApiError } from '../../api/client';
import { type Draft, type DraftValue, type FormField, placeIssues } from '../../editor/schema-form';
import { useLocale } from '../../hooks/useLocale';
import { usePolled } from '../../hooks/usePolled';
import type { Locale } from '../../locale';
import { IconButton } from '../common/IconButton';
import { ListCard } from '../common/ListCard';
import { Table } from '../common/Table';
import {
  CHANNEL_CODE_FIELDS,
  channelCodeDraft,
  channelCodeRequest,
  conversionRate,
} from './channel-code-form';
import '../Contacts/people.css';
import './channel-codes.css';

/** How the page is reached from the header: `<ChannelCodesNavLink />`. */
export { CHANNEL_CODES_HASH, isChannelCodesHash } from './messages';

const channelWords = (channel: string, locale: Locale) =>
  ACQUISITION_CHANNEL_WORDS[channel as AcquisitionChannel]?.[locale] ?? channel;

/**
 * Channel codes (渠道活码): make a "contact me" QR code per acquisition channel, see it, change its
 * staff, delete it, and watch what came through each (adds, enrollments, conversions).
 */
export function ChannelCodesPage() {
  const { t, locale } = useLocale();
  const text = t.channelCodes;
  const [codes, refresh] = usePolled('channel-codes', listChannelCodes);
  const [editing, setEditing] = useState<ChannelCode>();
  const [deleteError, setDeleteError] = useState<string>();

  const remove = async (code: ChannelCode) => {
    if (!window.confirm(text.deleteConfirm(code.name))) return;
    setDeleteError(undefined);
    try {
      await deleteChannelCode(code.id);
      if (editing?.id === code.id) setEditing(undefined);
      refresh();
    } catch (error) {
      setDeleteError(inLocale((error as Error).message, locale));
    }
  };

  return (
    <div className="people-page channel-codes" data-testid="channel-codes-page">
      <div className="people-page__head">
        <h2>{text.title}</h2>
      </div>
      <p className="muted channel-codes__intro">{text.intro}</p>
      <CodeForm
        key={editing?.id ?? 'new'}
        code={editing}
        onSaved={() => {
          setEditing(undefined);
          refresh();
        }}
        onCancel={() => setEditing(undefined)}
      />
      <ListCard
        title={text.listTitle}
        hint={text.refreshes}
        polled={codes}
        loadFailed={text.loadFailed}
        failure={deleteError && `${text.deleteFailed} ${deleteError}`}
        none={text.none}
      >
        {(items) => (
          <Table
            className="people-table channel-codes__table"
            testId="channel-codes-table"
            columns={[
              text.qr,
              text.name,
              text.channel,
              text.staff,
              text.state,
              text.adds,
              text.enrollments,
              text.conversions,
              text.rate,
              '',
            ]}
          >
            <tbody>
              {items.map((code) => (
                <tr key={code.id} data-testid={`channel-code-${code.state}`}>
                  <td>
                    <a href={code.qrImageUrl} target="_blank" rel="noreferrer">
                      <img
                        className="channel-codes__qr"
                        src={code.qrImageUrl}
                        alt={text.qrAlt(code.name)}
                        width={88}
                        height={88}
                        data-testid="channel-code-qr"
                      />
                    </a>
                  </td>
                  <td>
                    <strong>{code.name}</strong>
                    {!code.skipVerify && <div className="muted">{text.verify}</div>}
                  </td>
                  <td>{channelWords(code.channel, locale)}</td>
                  <td>{code.staff.join(', ')}</td>
                  <td>
                    <code>{code.state}</code>
                  </td>
                  <td className="num" data-testid="count-adds">
                    {code.counts.adds}
                  </td>
                  <td className="num" data-testid="count-enrollments">
                    {code.counts.enrollments}
                  </td>
                  <td className="num" data-testid="count-conversions">
                    {code.counts.conversions}
                  </td>
                  <td className="num">{conversionRate(code.counts) ?? '–'}</td>
                  <td>
                    <div className="channel-codes__actions">
                      <a
                        className="icon-button"
                        href={code.qrImageUrl}
                        download={`${code.name}.png`}
                        aria-label={text.download}
                        title={text.download}
                      >
                        <Download size={14} />
                      </a>
                      <IconButton label={text.edit} onClick={() => setEditing(code)}>
                        <Pencil size={14} />
                      </IconButton>
                      <IconButton label={text.delete} danger onClick={() => void remove(code)}>
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
    </div>
  );
}

/** The form for a new code, or for changing `code`; its fields are the contract's. */
function CodeForm({
  code,
  onSaved,
  onCancel,
}: {
  code?: ChannelCode;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t, locale } = useLocale();
  const text = t.channelCodes;
  const [draft, setDraft] = useState<Draft>(() => channelCodeDraft(code));
  const [issues, setIssues] = useState<ReadonlyMap<string, string[]>>(new Map());
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const change = (path: string, value: DraftValue) => setDraft((d) => ({ ...d, [path]: value }));

  const submit = async () => {
    setFailure(undefined);
    const request = channelCodeRequest(draft);
    if (!request.ok) {
      setIssues(request.issues);
      return;
    }
    setIssues(new Map());
    setBusy(true);
    try {
      if (code) await updateChannelCode(code.id, request.body);
      else await createChannelCode(request.body);
      setDraft(channelCodeDraft());
      onSaved();
    } catch (error) {
      const details = error instanceof ApiError && Array.isArray(error.details) ? error.details : [];
      if (details.length > 0) setIssues(placeIssues(CHANNEL_CODE_FIELDS, details));
      setFailure(inLocale((error as Error).message, locale));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="people-card channel-codes__form" data-testid="channel-code-form">
      <h3>{code ? text.editCode(code.name) : text.newCode}</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="channel-codes__fields">
          {CHANNEL_CODE_FIELDS.map((field) => (
            <CodeField
              key={field.path}
              field={field}
              value={draft[field.path]}
              issues={issues.get(field.path) ?? []}
              onChange={change}
            />
          ))}
        </div>
        {failure && (
          <p className="notice notice--error" role="alert" data-testid="channel-code-failure">
            {text.failed} {failure}
          </p>
        )}
        <div className="channel-codes__buttons">
          <button type="submit" className="primary" disabled={busy} data-testid="channel-code-submit">
            {code ? null : <Plus size={14} />}{' '}
            {busy ? (code ? text.saving : text.creating) : code ? text.save : text.create}
          </button>
          {code && (
            <button type="button" onClick={onCancel}>
              {text.cancel}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** One field of the form: its contract label and help in the reader's language, and its issues. */
function CodeField({
  field,
  value,
  issues,
  onChange,
}: {
  field: FormField;
  value: DraftValue;
  issues: readonly string[];
  onChange: (path: string, value: DraftValue) => void;
}) {
  const { locale } = useLocale();
  const id = useId();
  const label = field.label?.[locale] ?? field.name;
  const help = field.help?.[locale];
  const testId = `channel-code-${field.path}`;
  const typed = typeof value === 'string' ? value : '';
  let input: ReactNode;
  if (field.kind === 'boolean') {
    const checked = typeof value === 'boolean' ? value : (field.defaultValue ?? false);
    input = (
      <label className="channel-codes__check" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={checked}
          onChange={(e) => onChange(field.path, e.target.checked)}
          data-testid={testId}
        />
        {label}
      </label>
    );
  } else if (field.kind === 'enum') {
    input = (
      <select
        id={id}
        value={typed}
        onChange={(e) => onChange(field.path, e.target.value)}
        data-testid={testId}
      >
        {field.options?.map((option) => (
          <option key={option} value={option}>
            {channelWords(option, locale)}
          </option>
        ))}
      </select>
    );
  } else {
    input = (
      <input
        id={id}
        type="text"
        value={typed}
        autoComplete="off"
        onChange={(e) => onChange(field.path, e.target.value)}
        data-testid={testId}
        aria-invalid={issues.length > 0}
      />
    );
  }
  return (
    <div className={`field${issues.length > 0 ? ' field--error' : ''}`}>
      {field.kind !== 'boolean' && (
        <label className="field__label" htmlFor={id}>
          {label}
        </label>
      )}
      {input}
      {help && <p className="field__hint">{help}</p>}
      {issues.length > 0 && (
        <ul className="field__errors" role="alert" data-testid={`${testId}-errors`}>
          {issues.map((message) => (
            <li key={message}>{inLocale(message, locale)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
