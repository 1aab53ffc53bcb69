import { type InboundFact, type InboundHandler, InboundRefusal } from '../inbound';
import { callbackRefusalStatus as refusalStatus } from '../shared/wechat-callback-crypto';
import { readAppMessage } from './app-messages';
import {
  type CallbackOutcome,
  checkFreshness,
  DEFAULT_CALLBACK_MAX_AGE_SECONDS,
  handleWeComCallback,
  textOf,
  WeComCallbackError,
} from './callback';
import { SYNC_CORP_TAGS_JOB } from './corp-tags';
import { readCustomerEvent } from './customer-events';
import { RECONCILE_GROUPS_JOB } from './reconcile-job';
import { readCorpTagChange } from './tag-events';

/**
 * What one event delivery means: customers adding or removing staff members (contact events,
 * `customer-events.ts`), members messaging the app (replies, `app-messages.ts`), and customer
 * groups created, changed or dissolved; a corp tag or group changed (`change_external_tag`) is a
 * read of the corp tag list in the background (one read answers any number of such events).
 */
export function weComCallbackFacts(outcome: Extract<CallbackOutcome, { kind: 'event' }>): InboundFact[] {
  const { fields, memberChange } = outcome;
  if (readCorpTagChange(fields)) return [{ kind: 'job', job: SYNC_CORP_TAGS_JOB, only: 'corp' }];
  if (memberChange)
    return [
      {
        kind: 'group-members',
        chatId: memberChange.chatId,
        events: memberChange.events,
        // The callback names members but not their kind, or no one: a read of the group settles it.
        runJob: RECONCILE_GROUPS_JOB,
      },
    ];
  const customerEvent = readCustomerEvent(fields);
  if (customerEvent) return [customerEvent];
  const message = readAppMessage(fields);
  if (message) return [message];
  const chatId = textOf(fields, 'ChatId');
  if (textOf(fields, 'Event') !== 'change_external_chat' || !chatId) return [];
  switch (textOf(fields, 'ChangeType')) {
    case 'create':
      // A new group is watched from now on; its first members are for WeCom's member list to say.
      return [{ kind: 'group-members', chatId, events: [], runJob: RECONCILE_GROUPS_JOB }];
    case 'dismiss':
      return [{ kind: 'group-dissolved', chatId }];
    default:
      // change_owner, change_name, change_notice: the group's, nothing a contact's flow reads.
      return [];
  }
}

/**
 * WeCom's encrypted callbacks: the URL check (GET) and events (POST), read by `weComCallbackFacts`. Its
 * token, AES key and receive id are the server's settings (SOPFLOW_WECOM_CALLBACK_TOKEN,
 * SOPFLOW_WECOM_CALLBACK_AES_KEY, SOPFLOW_WECOM_CORP_ID);
 * deliveries signed longer ago than SOPFLOW_WECOM_CALLBACK_MAX_AGE_SECONDS (300) are refused.
 */
export const weComCallbackHandler: InboundHandler = {
  path: 'wecom',
  methods: ['GET', 'POST'],
  summary:
    'WeCom encrypted callbacks (URL verification; customer, customer-group, corp-tag and app-message events)',
  auth: { kind: 'signed' },
  responses: { 200: 'Accepted.', 401: 'Bad signature.', 404: 'Not configured.' },
  async handle(request, context) {
    const settings = context.settings;
    if (!settings?.token || !settings.encodingAESKey || !settings.receiveId)
      throw new InboundRefusal(404, 'not_configured', 'The WeCom callback is not configured.');
    const config = {
      token: settings.token,
      encodingAESKey: settings.encodingAESKey,
      receiveId: settings.receiveId,
    };
    try {
      const outcome = handleWeComCallback(config, {
        method: request.method,
        query: request.query,
        body: request.method === 'POST' ? await request.text() : undefined,
      });
      const maxAge = Number(settings.maxAgeSeconds ?? DEFAULT_CALLBACK_MAX_AGE_SECONDS);
      checkFreshness(request.query, maxAge, Date.now());
      if (outcome.kind === 'verified') return { status: 200, body: outcome.reply, facts: [] };
      return { status: 200, body: '', facts: weComCallbackFacts(outcome) };
    } catch (error) {
      if (error instanceof WeComCallbackError)
        throw new InboundRefusal(refusalStatus[error.code], error.code, error.message);
      throw error;
    }
  },
};
