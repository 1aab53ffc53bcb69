import {
  encryptingDataConverter,
  isEncrypted,
  KEY_ID_METADATA,
  newPayloadKey,
  PayloadEncryptionCodec,
  parsePayloadKeys,
} from '@sopflow/server';
import { cancelSignal, contactFlowWorkflowId } from '@sopflow/workflows';
import type { Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { waitingFlow } from './support/flows';
import { publishFlow, startTestApp, TEST_PAYLOAD_KEYS, type TestApp, uniqueId } from './support/stack';

/**
 * Temporal holds sopflow's payloads encrypted (docs/privacy-encryption.md): a history read
 * straight from Temporal shows none of a contact's personal data; sopflow's codec endpoint opens
 * it for a logged-in user only; after a key rotation the old key still opens old histories, and
 * a history sealed with a key no longer configured fails naming that key.
 */

const flow = waitingFlow(
  uniqueId('sealed'),
  'Sealed welcome',
  '欢迎 {{ contact.name }}，{{ contact.attributes.city }}见！',
);

/** A contact whose every personal field is a string that would show in plain text. */
const person = () => {
  const id = uniqueId('p');
  return {
    contact: {
      id,
      name: `林美玲${id.slice(-4)}`,
      phone: '+8613912345678',
      email: `meiling.${id}@example.com`,
      wecomUserId: `wx-meiling-${id}`,
      attributes: { city: '杭州西湖' },
    },
    personal: [
      `林美玲${id.slice(-4)}`,
      '13912345678',
      `meiling.${id}@example.com`,
      `wx-meiling-${id}`,
      '杭州西湖',
    ],
  };
};

/** Every string and byte string (read as UTF-8) anywhere in a history, as one text. */
function everyText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return parts.join('\n');
}

/**
 * Every payload of a history (inputs, results, signals, memo, summaries, failures), but search
 * attributes' (Temporal indexes them, so no codec touches them: they hold ids, never personal data)
 * and markers' (the SDK's patch markers, `{ id, deprecated }`, which it writes past the codec).
 */
const SKIPPED = new Set(['searchAttributes', 'markerRecordedEventAttributes']);
function payloadsOf(value: unknown): Payload[] {
  const found: Payload[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && o.data instanceof Uint8Array)
      found.push(o as Payload);
    else for (const [key, child] of Object.entries(o)) if (!SKIPPED.has(key)) walk(child);
  };
  walk(value);
  return found;
}

const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
const keyIdOf = (p: Payload) => Buffer.from(p.metadata?.[KEY_ID_METADATA] ?? new Uint8Array()).toString();

let app: TestApp;

async function enrolledAndWaiting(on: TestApp) {
  const { contact, personal } = person();
  const answer = await on.request('POST', `/api/flows/${flow.id}/enroll`, { contact, event: {} });
  expect(answer.status).toBe(202);
  const workflowId = contactFlowWorkflowId(flow.id, contact.id);
  const handle = on.client.workflow.getHandle(workflowId);
  await vi.waitFor(
    async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.some((e) => e.timerStartedEventAttributes)).toBe(true);
    },
    { timeout: 30_000, interval: 200 },
  );
  return { contact, personal, workflowId, handle };
}

beforeAll(async () => {
  app = await startTestApp();
  await publishFlow(app, flow);
});

afterAll(async () => {
  await app?.stop();
});

describe('Temporal payloads are encrypted', () => {
  it('leave no personal data in plain text in a history read straight from Temporal', async () => {
    const { personal, handle } = await enrolledAndWaiting(app);
    // fetchHistory answers the history as Temporal stores it: no codec runs on it.
    const history = await handle.fetchHistory();
    const raw = everyText(history);
    for (const secret of personal) expect(raw).not.toContain(secret);
    // The message sent was rendered with the name: it went through the history, sealed.
    const outbox = await app.request('GET', `/api/outbox?flowId=${flow.id}`);
    expect(JSON.stringify(outbox.body)).toContain(personal[0]);

    const payloads = payloadsOf(history);
    // Start input, memo, summary, activity inputs and results, the current details: every one sealed.
    expect(payloads.length).toBeGreaterThanOrEqual(6);
    expect(payloads.filter((p) => !isEncrypted(p))).toEqual([]);
    expect(new Set(payloads.map(keyIdOf))).toEqual(new Set(['e2e-1']));

    // The same history opened with the keys shows what was hidden: the check above could fail.
    const opened = await app.payloadCodec.decode(payloads);
    const plain = everyText(opened);
    for (const secret of personal) expect(plain).toContain(secret);
  });

  it('opens payloads at the codec endpoint for a session or token, and for no one else', async () => {
    const { personal, handle } = await enrolledAndWaiting(app);
    const history = await handle.fetchHistory();
    const started = history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
    const input = started.workflowExecutionStartedEventAttributes!.input!.payloads! as Payload[];
    const body = { payloads: input.map(asJson) };

    const anonymous = await app.requestWith({}, 'POST', '/api/temporal-codec/decode', body);
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toContain(personal[0]);

    // The Temporal UI posts with the cookie and no CSRF token: decoding changes nothing.
    const { cookie } = await app.login();
    const decoded = await app.requestWith({ cookie }, 'POST', '/api/temporal-codec/decode', body, {
      origin: inject('temporalUiUrl'),
      'x-namespace': 'default',
    });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(new URL(inject('temporalUiUrl')).origin);
    expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
    const [payload] = decoded.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(Buffer.from(payload!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    const input0 = JSON.parse(Buffer.from(payload!.data, 'base64').toString('utf8'));
    expect(input0.contact.name).toBe(personal[0]);

    const viewer = await app.accounts.createToken({ name: uniqueId('viewer'), role: 'viewer' });
    const byToken = await app.requestWith(
      { token: viewer.token },
      'POST',
      '/api/temporal-codec/decode',
      body,
    );
    expect(byToken.status).toBe(200);

    // Encode seals with the current key; what it seals decodes back.
    const encoded = await app.request('POST', '/api/temporal-codec/encode', decoded.body);
    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata[KEY_ID_METADATA], 'base64').toString()).toBe(
      'e2e-1',
    );
    const again = await app.request('POST', '/api/temporal-codec/decode', encoded.body);
    expect(again.body).toEqual(decoded.body);

    const bad = await app.request('POST', '/api/temporal-codec/decode', { payloads: [{ data: '%%%' }] });
    expect(bad.status).toBe(422);
    // Sealed with a key this server does not have: refused with the key's name, not shown as garbage.
    const elsewhere = new PayloadEncryptionCodec(parsePayloadKeys(newPayloadKey('gone-1')));
    const foreign = await app.request('POST', '/api/temporal-codec/decode', {
      payloads: (await elsewhere.encode(input)).map(asJson),
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error).toMatchObject({ code: 'unknown_payload_key', details: { keyId: 'gone-1' } });
    expect(foreign.body.error.message).toMatch(/key "gone-1", which is not in SOPFLOW_PAYLOAD_KEYS/);
  });

  it("answers the Temporal UI's preflight, and no other origin's", async () => {
    const ui = new URL(inject('temporalUiUrl')).origin;
    const preflight = (origin: string) =>
      fetch(`${app.url}/api/temporal-codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const fromUi = await preflight(ui);
    expect(fromUi.status).toBe(204);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(ui);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
    expect(fromUi.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');
    const fromElsewhere = await preflight('http://evil.example');
    expect(fromElsewhere.headers.get('access-control-allow-origin')).not.toBe('http://evil.example');
  });

  it('after a rotation, runs go on and old histories open; without the old key they fail naming it', async () => {
    // A run sealed with e2e-1 waits; the app restarts with a new first key and e2e-1 after it.
    const taskQueue = uniqueId('rotate');
    const before = await startTestApp({ taskQueue });
    const { personal, workflowId } = await enrolledAndWaiting(before);
    await before.stop({ handOver: true });
    const rotatedKeys = `${newPayloadKey('e2e-2')},${TEST_PAYLOAD_KEYS}`;
    const rotated = await startTestApp({ taskQueue, env: { SOPFLOW_PAYLOAD_KEYS: rotatedKeys } });
    try {
      const handle = rotated.client.workflow.getHandle(workflowId);
      await handle.signal(cancelSignal, 'left the group');
      // The worker opened the old history to go on, and sealed what it added with the new key.
      const result = await handle.result();
      expect(result).toBeDefined();
      const history = await handle.fetchHistory();
      const payloads = payloadsOf(history);
      expect(payloads.filter((p) => !isEncrypted(p))).toEqual([]);
      expect(new Set(payloads.map(keyIdOf))).toEqual(new Set(['e2e-1', 'e2e-2']));
      const started = history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
      const input = started.workflowExecutionStartedEventAttributes!.input!.payloads! as Payload[];
      expect(keyIdOf(input[0]!)).toBe('e2e-1');
      const opened = await rotated.request('POST', '/api/temporal-codec/decode', {
        payloads: input.map(asJson),
      });
      expect(opened.status).toBe(200);
      expect(Buffer.from(opened.body.payloads[0].data, 'base64').toString()).toContain(personal[0]);

      // The whole history replays with the rotated keys, as a worker without the run cached does.
      const replay = (keys: string) =>
        Worker.runReplayHistory(
          {
            workflowsPath: new URL('../workflows/src/workflows.ts', import.meta.url).pathname,
            dataConverter: encryptingDataConverter(new PayloadEncryptionCodec(parsePayloadKeys(keys))),
          },
          history,
          workflowId,
        );
      await expect(replay(rotatedKeys)).resolves.toBeUndefined();

      // Once e2e-1 is dropped, the old payloads are refused with the key's name, never misread.
      const newOnly = rotatedKeys.split(',')[0]!;
      // A worker fails the workflow task (logging the key's name) and retries it: the run waits, not lost.
      await expect(replay(newOnly)).rejects.toThrow(/Replay failed due workflow task failure/);
      const withoutOld = new PayloadEncryptionCodec(parsePayloadKeys(newOnly));
      await expect(withoutOld.decode(input)).rejects.toThrow(
        /key "e2e-1", which is not in SOPFLOW_PAYLOAD_KEYS/,
      );
    } finally {
      await rotated.stop();
    }
  });
});
