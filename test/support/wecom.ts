import type { CallbackConfig } from '@sopflow/connectors';
import { expect } from 'vitest';
import type { TestApp } from './stack';

/** The server's settings for WeCom's callback, as an app's environment. */
export const weComCallbackEnv = (callback: CallbackConfig) => ({
  SOPFLOW_WECOM_CALLBACK_TOKEN: callback.token,
  SOPFLOW_WECOM_CALLBACK_AES_KEY: callback.encodingAESKey,
  SOPFLOW_WECOM_CORP_ID: callback.receiveId,
});

/** Routes `wechat` to the `wecom-mass` connector (whose jobs read WeCom's groups and customers). */
export async function routeToWeComMass(app: TestApp, config: Record<string, unknown>): Promise<void> {
  const routed = await app.request('PUT', '/api/channels/wechat', { connector: 'wecom-mass', config });
  expect(routed.status, JSON.stringify(routed.body)).toBe(200);
}
