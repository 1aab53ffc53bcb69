import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  messageRules,
  officialAccountCallbackSettings,
  payloadKeys,
  temporalConnection,
  weComCallbackSettings,
} from './config';

describe('config', () => {
  it('applies defaults and reads numbers from strings', () => {
    const config = loadConfig({ SOPFLOW_PORT: '4000' });
    expect(config).toMatchObject({
      SOPFLOW_PORT: 4000,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'sopflow',
    });
  });

  it('names every malformed variable', () => {
    expect(() => loadConfig({ SOPFLOW_PORT: 'eighty', DATABASE_URL: 'not a url' })).toThrow(ConfigError);
    try {
      loadConfig({ SOPFLOW_PORT: 'eighty', DATABASE_URL: 'not a url' });
    } catch (error) {
      expect((error as Error).message).toMatch(/SOPFLOW_PORT/);
      expect((error as Error).message).toMatch(/DATABASE_URL/);
    }
  });

  it('requires the payload keys, and names the variable when they are missing or bad', () => {
    expect(() => payloadKeys(loadConfig({}))).toThrow(/Set SOPFLOW_PAYLOAD_KEYS/);
    expect(() => payloadKeys(loadConfig({ SOPFLOW_PAYLOAD_KEYS: 'k1:c2hvcnQ=' }))).toThrow(
      /^SOPFLOW_PAYLOAD_KEYS: Key "k1": the key is 5 bytes/,
    );
    const key = Buffer.alloc(32, 3).toString('base64');
    expect(
      payloadKeys(loadConfig({ SOPFLOW_PAYLOAD_KEYS: `new:${key},old:${key}` })).map((k) => k.id),
    ).toEqual(['new', 'old']);
  });

  it('connects plainly by default, with TLS and an API key for Temporal Cloud', () => {
    expect(temporalConnection(loadConfig({}), 'localhost:7233')).toEqual({ address: 'localhost:7233' });
    expect(temporalConnection(loadConfig({ TEMPORAL_API_KEY: 'k' }), 'ns.tmprl.cloud:7233')).toEqual({
      address: 'ns.tmprl.cloud:7233',
      tls: true,
      apiKey: 'k',
    });
    expect(temporalConnection(loadConfig({ TEMPORAL_TLS: 'true' }), 'a:1')).toEqual({
      address: 'a:1',
      tls: true,
    });
  });

  it('reads a client certificate pair, and refuses half of one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sopflow-tls-'));
    writeFileSync(path.join(dir, 'c.pem'), 'CERT');
    writeFileSync(path.join(dir, 'k.pem'), 'KEY');
    const config = loadConfig({
      TEMPORAL_TLS_CERT: path.join(dir, 'c.pem'),
      TEMPORAL_TLS_KEY: path.join(dir, 'k.pem'),
    });
    const tls = temporalConnection(config, 'a:1').tls as { clientCertPair: { crt: Buffer; key: Buffer } };
    expect(tls.clientCertPair.crt.toString()).toBe('CERT');
    expect(tls.clientCertPair.key.toString()).toBe('KEY');
    expect(() => temporalConnection(loadConfig({ TEMPORAL_TLS_CERT: 'x.pem' }), 'a:1')).toThrow(/both/);
    expect(() =>
      temporalConnection(
        loadConfig({ TEMPORAL_TLS_CERT: '/nope/c.pem', TEMPORAL_TLS_KEY: '/nope/k.pem' }),
        'a:1',
      ),
    ).toThrow(/TEMPORAL_TLS_CERT: cannot read/);
  });

  it('takes the WeCom callback settings all together or not at all', () => {
    const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const all = {
      SOPFLOW_WECOM_CALLBACK_TOKEN: 't0ken',
      SOPFLOW_WECOM_CALLBACK_AES_KEY: aesKey,
      SOPFLOW_WECOM_CORP_ID: 'ww-corp',
    };
    expect(weComCallbackSettings(loadConfig({}))).toBeUndefined();
    expect(weComCallbackSettings(loadConfig(all))).toEqual({
      token: 't0ken',
      encodingAESKey: aesKey,
      receiveId: 'ww-corp',
      maxAgeSeconds: '300',
    });
    expect(
      weComCallbackSettings(loadConfig({ ...all, SOPFLOW_WECOM_CALLBACK_MAX_AGE_SECONDS: '60' }))
        ?.maxAgeSeconds,
    ).toBe('60');
    expect(() => loadConfig({ SOPFLOW_WECOM_CALLBACK_MAX_AGE_SECONDS: '0' })).toThrow(
      /SOPFLOW_WECOM_CALLBACK_MAX_AGE_SECONDS/,
    );
    expect(() => weComCallbackSettings(loadConfig({ SOPFLOW_WECOM_CALLBACK_TOKEN: 't0ken' }))).toThrow(
      /missing: SOPFLOW_WECOM_CALLBACK_AES_KEY, SOPFLOW_WECOM_CORP_ID/,
    );
    expect(() => loadConfig({ SOPFLOW_WECOM_CALLBACK_AES_KEY: 'short' })).toThrow(
      /SOPFLOW_WECOM_CALLBACK_AES_KEY/,
    );
  });

  it('takes the Official Account callback with a Token alone (plain mode), or with the AES key and AppID together', () => {
    const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    expect(officialAccountCallbackSettings(loadConfig({}))).toBeUndefined();
    expect(officialAccountCallbackSettings(loadConfig({ SOPFLOW_OA_CALLBACK_TOKEN: 'oaToken' }))).toEqual({
      token: 'oaToken',
      maxAgeSeconds: '300',
    });
    expect(
      officialAccountCallbackSettings(
        loadConfig({
          SOPFLOW_OA_CALLBACK_TOKEN: 'oaToken',
          SOPFLOW_OA_CALLBACK_AES_KEY: aesKey,
          SOPFLOW_OA_APP_ID: 'wx1234567890abcdef',
        }),
      ),
    ).toEqual({
      token: 'oaToken',
      encodingAESKey: aesKey,
      appId: 'wx1234567890abcdef',
      maxAgeSeconds: '300',
    });
    expect(() =>
      officialAccountCallbackSettings(
        loadConfig({ SOPFLOW_OA_CALLBACK_TOKEN: 'oaToken', SOPFLOW_OA_CALLBACK_AES_KEY: aesKey }),
      ),
    ).toThrow(/SOPFLOW_OA_CALLBACK_AES_KEY and SOPFLOW_OA_APP_ID/);
    expect(() => loadConfig({ SOPFLOW_OA_CALLBACK_TOKEN: 'has space' })).toThrow(/SOPFLOW_OA_CALLBACK_TOKEN/);
  });

  it('reads the rules of API messages: a cap as <max>/<duration>, quiet hours as HH:MM-HH:MM', () => {
    expect(messageRules(loadConfig({}))).toEqual({});
    const config = loadConfig({
      SOPFLOW_MESSAGE_FREQUENCY_CAP: '3/P1D',
      SOPFLOW_MESSAGE_QUIET_HOURS: '22:00-08:00',
    });
    expect(messageRules(config)).toEqual({
      cap: { max: 3, perMs: 86_400_000 },
      quietHours: { start: '22:00', end: '08:00' },
    });
    expect(() => loadConfig({ SOPFLOW_MESSAGE_FREQUENCY_CAP: '3 a day' })).toThrow(
      /SOPFLOW_MESSAGE_FREQUENCY_CAP/,
    );
    expect(() => loadConfig({ SOPFLOW_MESSAGE_FREQUENCY_CAP: '3/P1Y' })).toThrow(
      /SOPFLOW_MESSAGE_FREQUENCY_CAP/,
    );
    expect(() => loadConfig({ SOPFLOW_MESSAGE_QUIET_HOURS: '22-8' })).toThrow(/SOPFLOW_MESSAGE_QUIET_HOURS/);
  });
});
