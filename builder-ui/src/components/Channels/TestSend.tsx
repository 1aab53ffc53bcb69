import { Send } from 'lucide-react';
import { useState } from 'react';
import { type AddressKindInfo, type TestSendResult, testSend } from '../../api/channels';
import { ApiError } from '../../api/flows';
import { useLocale } from '../../hooks/useLocale';
import { recipientKindFor } from './recipients';

type Outcome =
  | { kind: 'sent'; result: TestSendResult }
  | { kind: 'failed'; message: string; failure?: string; providerCode?: string };

function outcomeOf(error: unknown): Outcome {
  if (error instanceof ApiError) {
    const details = (error.details ?? {}) as { kind?: unknown; code?: unknown; providerCode?: unknown };
    const code = details.providerCode ?? details.code;
    return {
      kind: 'failed',
      message: error.message,
      failure: typeof details.kind === 'string' ? details.kind : undefined,
      providerCode: typeof code === 'string' || typeof code === 'number' ? String(code) : undefined,
    };
  }
  return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/** Sends one test message through a channel's saved route and shows what the provider said. */
export function TestSend({
  channel,
  addressKind,
  kinds,
  unsaved,
}: {
  channel: string;
  /** The kind of address the route's connector sends to, as it declares it. */
  addressKind: string | undefined;
  /** Every address kind the connectors declare. */
  kinds: readonly AddressKindInfo[];
  unsaved: boolean;
}) {
  const { t, locale } = useLocale();
  const text = t.channelsPage;
  const [kindName, setKindName] = useState(() => recipientKindFor(channel, addressKind, kinds)?.name ?? '');
  const kind = kinds.find((k) => k.name === kindName);
  const label = kind?.label[locale] ?? text.recipient;
  const [address, setAddress] = useState('');
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  const send = async () => {
    setSending(true);
    setOutcome(undefined);
    try {
      setOutcome({ kind: 'sent', result: await testSend(channel, { [kindName]: address.trim() }) });
    } catch (error) {
      setOutcome(outcomeOf(error));
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="channel-editor__section" data-testid="test-send">
      <h3>{text.testTitle}</h3>
      <p className="field__hint">{text.testHint}</p>
      {unsaved && <p className="field__hint channel-editor__warn">{text.testUnsaved}</p>}
      <form
        className="test-send"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label className="visually-hidden" htmlFor="test-recipient-kind">
          {text.recipient}
        </label>
        <select
          id="test-recipient-kind"
          value={kindName}
          onChange={(e) => setKindName(e.target.value)}
          data-testid="test-recipient-kind"
        >
          {kinds.map((k) => (
            <option key={k.name} value={k.name}>
              {k.label[locale]}
            </option>
          ))}
        </select>
        <input
          type={kind?.input ?? 'text'}
          aria-label={label}
          placeholder={label}
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          data-testid="test-recipient"
        />
        <button
          type="submit"
          disabled={sending || !kind || address.trim() === ''}
          data-testid="test-send-button"
        >
          <Send size={14} /> {sending ? text.sending : text.sendTest}
        </button>
      </form>
      {outcome?.kind === 'sent' && (
        <div className="notice notice--ok" role="status" data-testid="test-result">
          <p>{outcome.result.status === 'duplicate' ? text.testDuplicate : text.testSent}</p>
          {outcome.result.providerMessageId && (
            <p className="muted">
              {text.providerMessageId}: <code>{outcome.result.providerMessageId}</code>
            </p>
          )}
        </div>
      )}
      {outcome?.kind === 'failed' && (
        <div className="notice notice--error" role="alert" data-testid="test-error">
          <p>
            {text.testFailed} {outcome.message}
          </p>
          {(outcome.failure || outcome.providerCode) && (
            <p className="muted">
              {outcome.failure && (text.failureKinds[outcome.failure] ?? outcome.failure)}
              {outcome.failure && outcome.providerCode && ' · '}
              {outcome.providerCode && (
                <>
                  {text.providerCode} <code>{outcome.providerCode}</code>
                </>
              )}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
