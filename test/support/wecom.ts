import { type CallbackConfig, encryptForTest } from '@sopflow/connectors';
import { startTestApp, type TestApp } from './stack';

/**
 * What WeCom tests share: an app with WeCom's callback settings whose `wechat` channel goes
 * through `wecom-mass` at a fake WeCom, and callbacks signed and encrypted as WeCom sends them.
 */

/** Starts an app with the callback settings and routes `wechat` to `wecom-mass` with `config`. */
export async function startWeComApp(
  callback: CallbackConfig,
  config: Record<string, unknown>,
): Promise<TestApp> {
  const app = await startTestApp({
    env: {
      SOPFLOW_WECOM_CALLBACK_TOKEN: callback.token,
      SOPFLOW_WECOM_CALLBACK_AES_KEY: callback.encodingAESKey,
      SOPFLOW_WECOM_CORP_ID: callback.receiveId,
    },
  });
  const routed = await app.request('PUT', '/api/channels/wechat', { connector: 'wecom-mass', config });
  if (routed.status !== 200) {
    await app.stop();
    throw new Error(`routing wechat to wecom-mass: ${JSON.stringify(routed.body)}`);
  }
  return app;
}

/** Posts an event's XML to `/api/inbound/wecom` of `url`, signed and encrypted as WeCom does. */
export async function postWeComCallback(
  url: string,
  callback: CallbackConfig,
  xml: string,
): Promise<{ status: number; body: string; ms: number }> {
  const delivery = encryptForTest(callback, xml);
  const started = Date.now();
  const answer = await fetch(`${url}/api/inbound/wecom?${new URLSearchParams(delivery.query)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: delivery.body,
  });
  return { status: answer.status, body: await answer.text(), ms: Date.now() - started };
}
