import { randomBytes } from 'node:crypto';
import { type CallbackMode, type OfficialAccountCallbackConfig, signCallback } from './callback';

/**
 * The fake Official Account's side of the server callback: it builds a message or event as WeChat
 * pushes it (XML, signed, encrypted in compatible and safe mode) and delivers it to a URL, trying
 * again as WeChat does (three more times when the answer is not a 200 within 5 s).
 */

export interface FakeCallbackTarget extends OfficialAccountCallbackConfig {
  /** The server's callback URL (`…/api/inbound/wechat-oa`). */
  url: string;
  /** @default 'safe' */
  mode?: CallbackMode;
  /** The account's original id (`gh_…`), the `ToUserName`. @default 'gh_fake_account' */
  accountId?: string;
}

/** What a follower does, as the fake pushes it. */
export type FakeFollowerAction =
  | { type: 'subscribe'; scene?: string }
  | { type: 'scan'; scene: string }
  | { type: 'unsubscribe' }
  | { type: 'text'; content: string }
  | { type: 'click'; key: string }
  | { type: 'view'; url: string };

export interface DeliveryAttempt {
  status: number;
  body: string;
}

const cdata = (value: string) => `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

let nextMsgId = 24_000_000_000_000_000n;

/** The XML WeChat pushes for an action (接收普通消息, 接收事件推送). */
export function followerXml(
  accountId: string,
  openId: string,
  action: FakeFollowerAction,
  createTime: number = Math.floor(Date.now() / 1000),
): string {
  const head = `<ToUserName>${cdata(accountId)}</ToUserName><FromUserName>${cdata(openId)}</FromUserName><CreateTime>${createTime}</CreateTime>`;
  const event = (name: string, extra = '') =>
    `<xml>${head}<MsgType>${cdata('event')}</MsgType><Event>${cdata(name)}</Event>${extra}</xml>`;
  const ticket = () => `<Ticket>${cdata(`gQ${randomBytes(12).toString('hex')}`)}</Ticket>`;
  switch (action.type) {
    case 'subscribe':
      return action.scene === undefined
        ? event('subscribe', `<EventKey>${cdata('')}</EventKey>`)
        : event('subscribe', `<EventKey>${cdata(`qrscene_${action.scene}`)}</EventKey>${ticket()}`);
    case 'scan':
      return event('SCAN', `<EventKey>${cdata(action.scene)}</EventKey>${ticket()}`);
    case 'unsubscribe':
      return event('unsubscribe', `<EventKey>${cdata('')}</EventKey>`);
    case 'click':
      return event('CLICK', `<EventKey>${cdata(action.key)}</EventKey>`);
    case 'view':
      return event('VIEW', `<EventKey>${cdata(action.url)}</EventKey>`);
    case 'text':
      nextMsgId += 1n;
      return `<xml>${head}<MsgType>${cdata('text')}</MsgType><Content>${cdata(action.content)}</Content><MsgId>${nextMsgId}</MsgId></xml>`;
  }
}

/**
 * The XML WeChat pushes when a template message's send job finishes (TEMPLATESENDJOBFINISH):
 * `status` is `success`, `failed:user block` or `failed: system failed`.
 */
export function templateSendJobFinishXml(
  accountId: string,
  openId: string,
  msgId: number | string,
  status: string,
  createTime: number = Math.floor(Date.now() / 1000),
): string {
  return `<xml><ToUserName>${cdata(accountId)}</ToUserName><FromUserName>${cdata(openId)}</FromUserName><CreateTime>${createTime}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata('TEMPLATESENDJOBFINISH')}</Event><MsgID>${msgId}</MsgID><Status>${cdata(status)}</Status></xml>`;
}

const RETRY_AFTER_MS = 5_000;
const RETRIES = 3;

/**
 * Posts one delivery of `xml` to the target, signed (and encrypted) for its mode. Like WeChat,
 * tries again up to three times while the answer is not a 200 within 5 s; `redeliver` posts the
 * same delivery that many more times anyway (as when WeChat gave up waiting on a slow answer).
 */
export async function deliverCallback(
  target: FakeCallbackTarget,
  xml: string,
  options: { redeliver?: number; openId?: string } = {},
): Promise<DeliveryAttempt[]> {
  const { query, body } = signCallback(target, xml, target.mode ?? 'safe', { openId: options.openId });
  const url = new URL(target.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const attempts: DeliveryAttempt[] = [];
  const post = async (): Promise<DeliveryAttempt> => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
        signal: AbortSignal.timeout(RETRY_AFTER_MS),
      });
      return { status: response.status, body: await response.text() };
    } catch {
      return { status: 0, body: '' };
    }
  };
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    const answer = await post();
    attempts.push(answer);
    if (answer.status === 200) break;
  }
  for (let i = 0; i < (options.redeliver ?? 0); i++) attempts.push(await post());
  return attempts;
}
