import { type InboundFact, type InboundHandler, InboundRefusal } from '../inbound';
import {
  callbackRefusalStatus,
  checkFreshness,
  DEFAULT_CALLBACK_MAX_AGE_SECONDS,
  WechatCallbackError,
} from '../shared/wechat-callback-crypto';
import {
  type FollowerCallbackEvent,
  handleOfficialAccountCallback,
  type TemplateSendResult,
} from './callback';
import { openIdAddress } from './open-id-address';
import { recordInteraction } from './service-window';

/** The channel the Official Account delivers, and its followers' events concern. */
const CHANNEL = 'wechat_oa';

/** The contact event a follower's action becomes: by their OpenID, opting them in or out on a follow or unfollow. */
export function followerEventFact(event: FollowerCallbackEvent): InboundFact {
  const { name, ...details } = event.action;
  const subscribed = name === 'oa.subscribed' ? true : name === 'oa.unsubscribed' ? false : undefined;
  return {
    kind: 'contact-event',
    id: event.id,
    address: { kind: openIdAddress.name, value: event.openId },
    newContactId: `${openIdAddress.name}:${event.openId}`,
    name,
    payload: { channel: CHANNEL, openId: event.openId, ...details, at: event.at },
    ...(subscribed === undefined ? {} : { subscription: { channel: CHANNEL, subscribed } }),
  };
}

/**
 * A template message's send result as its lifecycle status: `success` is delivered; a failure
 * (`failed:user block`, `failed: system failed`) is failed, with WeChat's status as its code.
 */
export function templateResultFact(result: TemplateSendResult): InboundFact {
  return {
    kind: 'message-status',
    providerMessageId: result.msgId,
    status: result.delivered ? 'delivered' : 'failed',
    at: result.at,
    code: result.status,
  };
}

/**
 * The Official Account's server callback (URL check and deliveries, in plain, compatible and safe
 * mode). Its Token, EncodingAESKey and AppID are the server's settings (SOPFLOW_OA_CALLBACK_TOKEN,
 * SOPFLOW_OA_CALLBACK_AES_KEY, SOPFLOW_OA_APP_ID); deliveries signed longer ago than
 * SOPFLOW_OA_CALLBACK_MAX_AGE_SECONDS (300) are refused. A follow, a scan, a message or a menu
 * click becomes a follower event; each interaction is noted for the 48-hour rule; a template send
 * job's result (`TEMPLATESENDJOBFINISH`) moves that message along its lifecycle.
 */
export const officialAccountCallbackHandler: InboundHandler = {
  path: 'wechat-oa',
  methods: ['GET', 'POST'],
  summary: 'WeChat Official Account server callbacks (URL check, messages and events; plain or encrypted)',
  auth: { kind: 'signed' },
  responses: {
    200: '`success`, or the echostr of a URL check.',
    401: 'Bad signature.',
    404: 'Not configured.',
  },
  bodyMedia: 'text/xml',
  async handle(request, context) {
    const settings = context.settings;
    if (!settings?.token)
      throw new InboundRefusal(404, 'not_configured', 'The Official Account callback is not configured.');
    try {
      const outcome = handleOfficialAccountCallback(
        { token: settings.token, encodingAESKey: settings.encodingAESKey, appId: settings.appId },
        {
          method: request.method,
          query: request.query,
          body: request.method === 'POST' ? await request.text() : undefined,
        },
      );
      checkFreshness(
        request.query,
        Number(settings.maxAgeSeconds ?? DEFAULT_CALLBACK_MAX_AGE_SECONDS),
        Date.now(),
      );
      if (outcome.kind === 'verified') return { status: 200, body: outcome.reply, facts: [] };
      if (outcome.templateResult)
        return { status: 200, body: outcome.reply, facts: [templateResultFact(outcome.templateResult)] };
      const event = outcome.event;
      if (!event) return { status: 200, body: outcome.reply, facts: [] };
      if (event.interaction && context.records)
        await recordInteraction(context.records, event.openId, event.at);
      return { status: 200, body: outcome.reply, facts: [followerEventFact(event)] };
    } catch (error) {
      if (error instanceof WechatCallbackError)
        throw new InboundRefusal(callbackRefusalStatus[error.code], error.code, error.message);
      throw error;
    }
  },
};
