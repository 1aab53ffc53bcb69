import { type CallbackConfig, encryptForTest } from '@sopflow/connectors';
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

/**
 * WeCom's callback for a customer group member joining (change_external_chat, add_member):
 * `memberId` joined `chatId` by `joinScene` (0 invited by a member, 3 a join way's QR code);
 * without `memberId`, WeCom says a member joined but not who.
 */
export function groupJoinXml(
  corpId: string,
  chatId: string,
  memberId: string | undefined,
  joinScene: number,
) {
  return (
    `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[${chatId}]]></ChatId>` +
    `<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail>` +
    `<JoinScene>${joinScene}</JoinScene><MemChangeCnt>1</MemChangeCnt>` +
    (memberId ? `<MemChangeList><Item><![CDATA[${memberId}]]></Item></MemChangeList>` : '') +
    '</xml>'
  );
}
