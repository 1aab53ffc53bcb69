import type { PayloadField } from '@sopflow/core';
import { Check, Copy, Send } from 'lucide-react';
import { useEffect, useState } from 'react';
import { getWebhook, testWebhook, type WebhookInfo, type WebhookTestAnswer } from '../../api/flows';
import { samplePayload, testBody, webhookCurl } from '../../editor/webhook-curl';
import { useLocale } from '../../hooks/useLocale';
import { IconButton } from '../common/IconButton';

export function CopyButton({ text, testId }: { text: string; testId: string }) {
  const { t } = useLocale();
  const [done, setDone] = useState(false);
  return (
    <IconButton
      label={t.copy}
      title={done ? t.copied : t.copy}
      data-testid={testId}
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => setDone(true),
          () => setDone(false),
        )
      }
    >
      {done ? <Check size={14} /> : <Copy size={14} />}
    </IconButton>
  );
}

/** The flow's webhook, once loaded; a failure to load it, said. */
function useWebhook(flowId: string): { info?: WebhookInfo; failure?: string } {
  const [info, setInfo] = useState<WebhookInfo>();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    const controller = new AbortController();
    getWebhook(flowId, controller.signal).then(setInfo, (error: Error) => {
      if (!controller.signal.aborted) setFailure(error.message);
    });
    return () => controller.abort();
  }, [flowId]);
  return { info, failure };
}

/**
 * A flow's webhook as a sender needs it: URL, secret and signature. With `payload` (the trigger's
 * inspector) also a ready `curl` and a test delivery the server signs and sends to the webhook.
 * `testId` prefixes the test ids, as the drawer and the inspector can both show one.
 */
export function WebhookDetails({
  flowId,
  testId,
  payload,
}: {
  flowId: string;
  testId: string;
  payload?: readonly PayloadField[];
}) {
  const { t } = useLocale();
  const { info, failure } = useWebhook(flowId);
  const [reveal, setReveal] = useState(false);
  const [contactId, setContactId] = useState('test-contact');
  const body = testBody(contactId.trim() || 'test-contact', samplePayload(payload));
  return (
    <div data-testid={testId}>
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
            <code data-testid={`${testId}-url`}>{info.url}</code>
            <CopyButton text={info.url} testId={`${testId}-url-copy`} />
          </dd>
          <dt>{t.webhookSecret}</dt>
          <dd>
            <code data-testid={`${testId}-secret`}>{reveal ? info.secret : '•'.repeat(24)}</code>
            <button
              type="button"
              className="link-button"
              onClick={() => setReveal((r) => !r)}
              data-testid={`${testId}-reveal`}
            >
              {reveal ? t.hide : t.reveal}
            </button>
            <CopyButton text={info.secret} testId={`${testId}-secret-copy`} />
          </dd>
          <dt>{t.signatureHeader}</dt>
          <dd>
            <code>
              {info.signatureHeader}: {t.signatureFormat}
            </code>
          </dd>
        </dl>
      )}
      {info && payload !== undefined && (
        <>
          <label className="field">
            <span className="field__label">{t.webhookTestContact}</span>
            <input
              value={contactId}
              maxLength={200}
              onChange={(e) => setContactId(e.target.value)}
              data-testid={`${testId}-contact`}
            />
          </label>
          <div className="webhook__curl">
            <span className="field__label">{t.webhookCurl}</span>
            <CopyButton text={webhookCurl(info, body)} testId={`${testId}-curl-copy`} />
          </div>
          {/* Shown with the secret hidden; the copy holds the real one, ready to paste. */}
          <pre className="webhook__snippet" data-testid={`${testId}-curl`}>
            {webhookCurl({ ...info, secret: reveal ? info.secret : '…' }, body)}
          </pre>
          <WebhookTest flowId={flowId} body={body} testId={testId} />
        </>
      )}
    </div>
  );
}

/** Sends one signed test delivery and says what the webhook answered, as the sender would see it. */
function WebhookTest({ flowId, body, testId }: { flowId: string; body: string; testId: string }) {
  const { t } = useLocale();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const send = async () => {
    setBusy(true);
    setResult(undefined);
    try {
      setResult(describe(await testWebhook(flowId, JSON.parse(body)), t));
    } catch (error) {
      setResult({ ok: false, text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="webhook__test">
      <button type="button" onClick={() => void send()} disabled={busy} data-testid={`${testId}-test`}>
        <Send size={14} /> {busy ? t.webhookTesting : t.webhookTest}
      </button>
      {result && (
        <p
          className={`notice ${result.ok ? 'notice--ok' : 'notice--error'}`}
          role="status"
          data-testid={`${testId}-test-result`}
        >
          {result.text}
        </p>
      )}
    </div>
  );
}

type Messages = ReturnType<typeof useLocale>['t'];

function describe({ status, answer }: WebhookTestAnswer, t: Messages): { ok: boolean; text: string } {
  const reply = (answer ?? {}) as { status?: string; workflowId?: string; error?: { message?: string } };
  if (status < 300 && reply.status === 'enrolled') return { ok: true, text: t.webhookEnrolled(status) };
  if (status < 300 && reply.status === 'already-enrolled')
    return { ok: true, text: t.webhookAlreadyIn(status) };
  if (status < 300) return { ok: true, text: `${status} ${reply.status ?? ''}`.trim() };
  const code = (reply as { error?: { code?: string } }).error?.code ?? '';
  const known = t.webhookRefusals[code as keyof Messages['webhookRefusals']];
  return { ok: false, text: `${status}: ${known ?? reply.error?.message ?? JSON.stringify(answer)}` };
}
