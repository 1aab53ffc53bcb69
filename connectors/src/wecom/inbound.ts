import { type InboundHandler, InboundRefusal } from '../inbound';
import {
  checkFreshness,
  DEFAULT_CALLBACK_MAX_AGE_SECONDS,
  handleWeComCallback,
  WeComCallbackError,
} from './callback';
import { SYNC_CORP_TAGS_JOB } from './corp-tags';
import { RECONCILE_GROUPS_JOB } from './reconcile-job';
import { readCorpTagChange } from './tag-events';

const refusalStatus = {
  'bad-signature': 401,
  stale: 401,
  'receive-id-mismatch': 403,
  malformed: 400,
  'bad-config': 500,
} as const;

/**
 * WeCom's encrypted callbacks: the URL check (GET) and events (POST); a member joining or leaving
 * a customer group becomes group-member facts, a corp tag change (`change_external_tag`) a read of
 * the corp tag list in the background. Its token, AES key and receive id are the server's
 * settings (SOPFLOW_WECOM_CALLBACK_TOKEN, SOPFLOW_WECOM_CALLBACK_AES_KEY, SOPFLOW_WECOM_CORP_ID);
 * deliveries signed longer ago than SOPFLOW_WECOM_CALLBACK_MAX_AGE_SECONDS (300) are refused.
 */
export const weComCallbackHandler: InboundHandler = {
  path: 'wecom',
  methods: ['GET', 'POST'],
  summary: 'WeCom encrypted callbacks (URL verification, customer-group and corp-tag events)',
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
      // A corp tag or group changed: the whole list is read again (one read answers any number of events).
      if (readCorpTagChange(outcome.fields))
        return { status: 200, body: '', facts: [{ kind: 'job', job: SYNC_CORP_TAGS_JOB, only: 'corp' }] };
      const change = outcome.memberChange;
      return {
        status: 200,
        body: '',
        facts: change
          ? [
              {
                kind: 'group-members',
                chatId: change.chatId,
                events: change.events,
                // The callback names members but not their kind, or no one: a read of the group settles it.
                runJob: RECONCILE_GROUPS_JOB,
              },
            ]
          : [],
      };
    } catch (error) {
      if (error instanceof WeComCallbackError)
        throw new InboundRefusal(refusalStatus[error.code], error.code, error.message);
      throw error;
    }
  },
};
