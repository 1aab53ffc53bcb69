import { randomBytes } from 'node:crypto';
import { encryptForTest } from './callback';
import type { CallbackConfig } from './config';

/**
 * The fake WeCom server's side of the callback (接收事件服务器), as WeCom delivers one (document
 * 90238 and 91144): the event's XML encrypted with the EncodingAESKey for the corp, signed with the
 * token, POSTed to the callback URL with `msg_signature`, `timestamp` and `nonce`; an answer that
 * is not HTTP 200 within 5 s is a failure, and WeCom tries again, 3 times in all.
 */

export interface CallbackTarget extends CallbackConfig {
  /** The callback URL as configured in the admin console. */
  url: string;
}

export interface DeliveryAttempt {
  /** The HTTP status, or undefined when no answer came in time (or the connection failed). */
  status?: number;
  ms: number;
}

export interface CallbackDelivery {
  /** Whether an attempt was answered 200 in time. */
  delivered: boolean;
  attempts: DeliveryAttempt[];
}

export interface DeliveryOptions {
  /** @default 5000, WeCom's deadline */
  timeoutMs?: number;
  /** @default 3, WeCom's tries in all */
  attempts?: number;
  /** Between tries. @default 0 */
  retryDelayMs?: number;
}

/** A change_external_contact event's XML, as WeCom writes it. */
export function customerEventXml(
  corpId: string,
  event: {
    changeType: string;
    staffId: string;
    externalUserId: string;
    state?: string;
    welcomeCode?: string;
    source?: string;
    failReason?: string;
    createTime?: number;
  },
): string {
  const cdata = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<${name}><![CDATA[${value}]]></${name}>`;
  return (
    `<xml>${cdata('ToUserName', corpId)}${cdata('FromUserName', 'sys')}` +
    `<CreateTime>${event.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime>` +
    `${cdata('MsgType', 'event')}${cdata('Event', 'change_external_contact')}` +
    `${cdata('ChangeType', event.changeType)}${cdata('UserID', event.staffId)}` +
    `${cdata('ExternalUserID', event.externalUserId)}${cdata('State', event.state)}` +
    `${cdata('WelcomeCode', event.welcomeCode)}${cdata('Source', event.source)}` +
    `${cdata('FailReason', event.failReason)}</xml>`
  );
}

/** A member's text message to the app, as WeCom writes it. */
export function appTextMessageXml(
  corpId: string,
  message: { from: string; content: string; agentId: number; msgId?: string; createTime?: number },
): string {
  return (
    `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[${message.from}]]></FromUserName>` +
    `<CreateTime>${message.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime>` +
    `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${message.content}]]></Content>` +
    `<MsgId>${message.msgId ?? BigInt(`0x${randomBytes(7).toString('hex')}`).toString()}</MsgId>` +
    `<AgentID>${message.agentId}</AgentID></xml>`
  );
}

/**
 * Delivers one event as WeCom does, and says how each try went. Each try is encrypted and signed
 * anew (a new timestamp and nonce), as WeCom's retries are.
 */
export async function deliverCallback(
  target: CallbackTarget,
  xml: string,
  options: DeliveryOptions = {},
): Promise<CallbackDelivery> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const tries = options.attempts ?? 3;
  const attempts: DeliveryAttempt[] = [];
  for (let i = 0; i < tries; i++) {
    if (i > 0 && options.retryDelayMs) await new Promise((r) => setTimeout(r, options.retryDelayMs));
    const { query, body } = encryptForTest(target, xml);
    const began = Date.now();
    let status: number | undefined;
    try {
      const answer = await fetch(`${target.url}?${new URLSearchParams(query)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await answer.text();
      status = answer.status;
    } catch {
      // No answer in time, or none at all: WeCom counts both as a failure.
    }
    attempts.push({ ...(status === undefined ? {} : { status }), ms: Date.now() - began });
    if (status === 200) return { delivered: true, attempts };
  }
  return { delivered: false, attempts };
}
