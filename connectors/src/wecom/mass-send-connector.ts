import { createHash } from 'node:crypto';
import {
  type ConnectorInstance,
  type ConnectorRecords,
  defineConnector,
  type OutboundMessage,
  SendError,
  type SendResult,
} from '../connector';
import { weComExternalUserIdAddress } from './addresses';
import type { WeComDeps } from './app-message-connector';
import { MassSendConfig } from './config';
import { weComContactWays } from './contact-ways';
import { type CorpTagsInstance, corpTagsApi, markTagsJob, syncCorpTagsJob } from './corp-tags';
import { type GroupEntryInstance, weComGroupEntry } from './group-entry';
import { weComCallbackHandler } from './inbound';
import { WECOM_MASS_SEND_LIMIT } from './limits';
import { type MassSendStore, recordsMassSendStore } from './mass-send-store';
import { type CustomerReader, readCustomer, readCustomerJob } from './read-customer-job';
import { reconcileGroup } from './reconcile';
import { type CustomerGroupReader, reconcileGroupsJob } from './reconcile-job';
import { WeComClient } from './wecom-client';
import { linkAttachments, sendWelcome } from './welcome';

/**
 * Customer mass messages (企业群发, `add_msg_template`) to one external contact at a time.
 *
 * The call sends nothing: it creates a task and asks the staff member (`sender`) to confirm it in
 * the WeCom client. So `{ status: 'sent', providerMessageId: msgid }` means "task created", and
 * `followResult` tells later whether the customer got it.
 *
 * No duplicate tasks after an ambiguous failure. WeCom takes no client key here: every call is a new
 * task. When a call times out after it went out, WeCom may or may not have created the task, and
 * the runtime retries with the same idempotency key. The design:
 * 1. Each task's text ends with an invisible marker derived from the idempotency key (zero-width
 *    characters encoding 64 bits of its SHA-256), so a task can be told as ours from its content.
 * 2. A small record per key (MassSendStore, on the connector's records) notes when an attempt to create began
 *    (written before the call) and the msgid once known. Most sends find no record and create at
 *    once: no listing. A key with a finished record is answered from it.
 * 3. A key with an attempt but no msgid is ambiguous: before creating again we search WeCom's task
 *    list (`get_groupmsg_list_v2`) over the attempts' time window, narrow because the record says
 *    when the attempts were, and adopt a task carrying our marker. Should WeCom ever strip
 *    the zero-width characters, a task without any marker whose visible text is ours and whose
 *    send list (`get_groupmsg_send_result`) has our sender and customer is adopted instead.
 *    A failed search fails the send (retryable): we never create blind.
 * 4. Just after an attempt, the search waits `lookup.settleMs` (answering rate-limited), in case a
 *    just-created task is not listed at once; the record's compare-and-set keeps two concurrent
 *    attempts of one key from both creating.
 */

const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060'] as const;
const MARKER_START = '\u2063';
const MARKER_LENGTH = 33;
const INVISIBLE = /[\u200b-\u200d\u2060-\u2064]/g;
const MAX_TEXT_BYTES = 4000;
const MAX_LIST_WINDOW_SEC = 30 * 86_400;

/** The invisible marker of an idempotency key: U+2063, then 32 zero-width characters (2 bits each). */
export function idempotencyMarker(key: string): string {
  const bytes = createHash('sha256').update(key).digest().subarray(0, 8);
  let marker = MARKER_START;
  for (const byte of bytes) {
    for (const shift of [6, 4, 2, 0]) marker += ZERO_WIDTH[(byte >> shift) & 3];
  }
  return marker;
}

/** The marker found in a text, if any. */
export function findMarker(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const at = text.lastIndexOf(MARKER_START);
  if (at < 0) return undefined;
  const marker = text.slice(at, at + MARKER_LENGTH);
  const digits = [...marker.slice(1)];
  return digits.length === MARKER_LENGTH - 1 &&
    digits.every((c) => (ZERO_WIDTH as readonly string[]).includes(c))
    ? marker
    : undefined;
}

const visible = (text: string | undefined) => (text ?? '').replace(INVISIBLE, '');

interface ListedTask {
  msgid: string;
  create_time?: string | number;
  text?: { content?: string };
  attachments?: { msgtype?: string; link?: { desc?: string } }[];
}

/** The body of `add_msg_template`; the marker goes at the end of the text, or of the first link's description. */
export function massSendBody(
  message: OutboundMessage,
  sender: string,
): { body: Record<string, unknown>; marker: string; externalUserId: string } {
  const externalUserId = message.to.wecomExternalUserId;
  if (!externalUserId) {
    throw new SendError(
      'permanent',
      `The recipient ${message.to.id} has no WeCom external contact id (wecomExternalUserId).`,
    );
  }
  const attachments = linkAttachments(message);
  const marker = idempotencyMarker(message.idempotencyKey);
  const body: Record<string, unknown> = { chat_type: 'single', external_userid: [externalUserId], sender };
  if (message.text) {
    const content = `${message.text}${marker}`;
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > MAX_TEXT_BYTES) {
      throw new SendError(
        'permanent',
        `The text is ${bytes} bytes with sopflow's invisible marker; WeCom mass messages take at most ${MAX_TEXT_BYTES}.`,
        { providerCode: 45002 },
      );
    }
    body.text = { content };
  } else if (attachments[0]) {
    attachments[0].link.desc = `${attachments[0].link.desc ?? ''}${marker}`;
  } else {
    throw new SendError('permanent', 'A WeCom mass message needs a text or an article.');
  }
  if (attachments.length) body.attachments = attachments;
  return { body, marker, externalUserId };
}

/** What became of a mass message for one customer. */
export type MassSendOutcome =
  /** The staff member has not confirmed the task yet. */
  | { status: 'unsent' }
  | { status: 'sent'; sentAt?: number }
  /** The customer is no longer the staff member's contact. */
  | { status: 'not-a-friend' }
  /** The customer already received another mass message and reached WeCom's receive cap. */
  | { status: 'received-other' }
  /** The task does not list this customer (yet). */
  | { status: 'not-found' };

const OUTCOMES = ['unsent', 'sent', 'not-a-friend', 'received-other'] as const;

/**
 * The customer-contact secret that creates mass sends may also read customer groups and customers,
 * manage the groups' entry (join ways, group welcome templates) and the corp tags.
 */
export interface MassSendInstance
  extends ConnectorInstance,
    CustomerGroupReader,
    CustomerReader,
    GroupEntryInstance,
    CorpTagsInstance {
  followResult(msgid: string, externalUserId: string): Promise<MassSendOutcome>;
}

export interface MassSendDeps extends WeComDeps {
  /** Where attempts are recorded: the connector's own records (`context.storage.records`). */
  store: MassSendStore;
  /** Where each welcome code's use is recorded (`context.storage.records`); without it, no welcomes. */
  welcomes?: ConnectorRecords;
}

export function createMassSender(config: MassSendConfig, deps: MassSendDeps): MassSendInstance {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const client = new WeComClient({
    corpId: config.corpId,
    secret: config.secret,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    rateLimitedRetryMs: config.rateLimitedRetryMs,
    fetch: deps.fetch,
    now: deps.now,
  });

  async function* listTasks(fromMs: number, toMs: number): AsyncGenerator<ListedTask> {
    const end = Math.ceil(toMs / 1000);
    const start = Math.max(Math.floor(fromMs / 1000), end - MAX_LIST_WINDOW_SEC);
    let cursor = '';
    do {
      const page = await client.post<{ next_cursor?: string; group_msg_list?: ListedTask[] }>(
        '/cgi-bin/externalcontact/get_groupmsg_list_v2',
        // API-created tasks have no `creator`, so no creator filter; filter_type 2 lists all.
        {
          chat_type: 'single',
          start_time: start,
          end_time: end,
          filter_type: 2,
          limit: 100,
          ...(cursor ? { cursor } : {}),
        },
      );
      yield* page.group_msg_list ?? [];
      cursor = page.next_cursor ?? '';
    } while (cursor);
  }

  async function* sendList(msgid: string) {
    let cursor = '';
    do {
      const page = await client.post<{
        next_cursor?: string;
        send_list?: { external_userid?: string; userid?: string; status?: number; send_time?: number }[];
      }>('/cgi-bin/externalcontact/get_groupmsg_send_result', {
        msgid,
        userid: config.sender,
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      yield* page.send_list ?? [];
      cursor = page.next_cursor ?? '';
    } while (cursor);
  }

  async function targets(msgid: string, externalUserId: string): Promise<boolean> {
    for await (const row of sendList(msgid)) if (row.external_userid === externalUserId) return true;
    return false;
  }

  /** The task an earlier attempt of this message created, if WeCom has one. */
  async function findEarlierTask(
    body: Record<string, unknown>,
    marker: string,
    externalUserId: string,
    window: { fromMs: number; toMs: number },
  ): Promise<string | undefined> {
    const ours = (task: Pick<ListedTask, 'text' | 'attachments'>) => [
      task.text?.content,
      ...(task.attachments ?? []).map((a) => a.link?.desc),
    ];
    const wantedText = visible(ours(body as unknown as ListedTask).join('\n'));
    const unmarked: string[] = [];
    for await (const task of listTasks(window.fromMs, window.toMs)) {
      const markers = ours(task).map(findMarker).filter(Boolean);
      if (markers.includes(marker)) return task.msgid;
      if (markers.length === 0 && visible(ours(task).join('\n')) === wantedText) unmarked.push(task.msgid);
    }
    for (const msgid of unmarked) if (await targets(msgid, externalUserId)) return msgid;
    return undefined;
  }

  /** A welcome through the add's code; undefined when the code cannot be used and a mass message goes instead. */
  async function welcome(message: OutboundMessage): Promise<SendResult | undefined> {
    if (!deps.welcomes)
      throw new SendError('permanent', 'This WeCom connector was created without records for welcome codes.');
    const outcome = await sendWelcome(client, deps.welcomes, message, now);
    if (outcome.sent) return { status: outcome.duplicate ? 'duplicate' : 'sent' };
    if (message.welcome?.otherwise === 'failed')
      throw new SendError('permanent', outcome.reason, { providerCode: 'welcome_code_unusable' });
    deps.log?.('the welcome code cannot be used: sending an ordinary mass message', {
      reason: outcome.reason,
    });
    return undefined;
  }

  async function send(message: OutboundMessage): Promise<SendResult> {
    if (message.welcome) {
      const welcomed = await welcome(message);
      if (welcomed) return welcomed;
    }
    const { body, marker, externalUserId } = massSendBody(message, config.sender);
    const key = message.idempotencyKey;
    const record = await store.get(key);
    if (record?.msgid) return { status: 'duplicate', providerMessageId: record.msgid };
    if (record) {
      const since = now() - record.lastAttemptAt;
      if (since < config.lookup.settleMs) {
        throw new SendError(
          'rate-limited',
          'An earlier attempt to create this WeCom mass-send task got no answer; waiting before looking for it.',
          { retryAfterMs: config.lookup.settleMs - since },
        );
      }
      const found = await findEarlierTask(body, marker, externalUserId, {
        fromMs: record.firstAttemptAt - config.lookup.skewMs,
        toMs: now() + config.lookup.skewMs,
      });
      if (found) {
        await store.complete(key, found);
        deps.log?.('adopted the WeCom mass-send task of an earlier attempt', { msgid: found });
        return { status: 'duplicate', providerMessageId: found };
      }
    }
    if (!(await store.recordAttempt(key, now(), record?.lastAttemptAt))) {
      throw new SendError('retryable', 'Another attempt to create this WeCom mass-send task is under way.');
    }
    const answer = await client.post<{ msgid?: string; fail_list?: string[] }>(
      '/cgi-bin/externalcontact/add_msg_template',
      body,
    );
    if (!answer.msgid) throw new SendError('retryable', 'WeCom add_msg_template answered without a msgid.');
    await store.complete(key, answer.msgid);
    if (answer.fail_list?.includes(externalUserId)) {
      throw new SendError(
        'permanent',
        `WeCom cannot send to the customer ${externalUserId} (fail_list): not a contact of ${config.sender}, or not sendable.`,
        { providerCode: 'fail_list' },
      );
    }
    return { status: 'sent', providerMessageId: answer.msgid };
  }

  async function followResult(msgid: string, externalUserId: string): Promise<MassSendOutcome> {
    for await (const row of sendList(msgid)) {
      if (row.external_userid !== externalUserId) continue;
      const status = OUTCOMES[row.status ?? -1];
      if (status === 'sent') return { status, sentAt: row.send_time ? row.send_time * 1000 : undefined };
      if (status) return { status };
    }
    return { status: 'not-found' };
  }

  return {
    send,
    followResult,
    reconcileGroup: (chatId, known) => reconcileGroup(client, chatId, known),
    corpTags: corpTagsApi(client),
    readCustomer: (externalUserId) => readCustomer(client, externalUserId),
    // The customer-contact secret that sends mass messages also makes the channel codes.
    contactWays: weComContactWays(client, now),
    groupEntry: weComGroupEntry(client),
    followUp: {
      everyMs: config.followUp.everyMs,
      giveUpAfterMs: config.followUp.giveUpAfterMs,
      async check(msgid, to) {
        if (!to.wecomExternalUserId)
          return { state: 'failed', message: 'The contact has no WeCom external user id.' };
        const outcome = await followResult(msgid, to.wecomExternalUserId);
        switch (outcome.status) {
          case 'sent':
            return { state: 'delivered', ...(outcome.sentAt ? { at: outcome.sentAt } : {}) };
          case 'not-a-friend':
            return {
              state: 'failed',
              message: `The customer is no longer a contact of ${config.sender}; WeCom did not send the task.`,
            };
          case 'received-other':
            return {
              state: 'failed',
              message:
                "The customer already received another mass message and is at WeCom's receive limit; not sent.",
            };
          // Not confirmed yet, or the task does not list the customer yet (WeCom fills it in late).
          default:
            return { state: 'pending' };
        }
      },
    },
  };
}

export const weComMassSendConnector = defineConnector({
  name: 'wecom-mass',
  description: {
    en: 'WeCom customer mass messages: creates a task that the staff member confirms in WeCom.',
    zh: '企业微信客户群发：创建群发任务，由成员在企业微信中确认发送。',
  },
  channels: ['wechat'],
  address: weComExternalUserIdAddress,
  capabilities: ['articles', 'welcome'],
  configSchema: MassSendConfig,
  secretFields: ['secret'],
  // The corp's callback (customers, customer groups, corp tags) arrives here: this is the connector that reads them.
  inbound: [weComCallbackHandler],
  limits: [WECOM_MASS_SEND_LIMIT],
  jobs: [reconcileGroupsJob, readCustomerJob, syncCorpTagsJob, markTagsJob],
  create: (config, context): MassSendInstance =>
    Object.assign(
      createMassSender(config, {
        fetch: context.fetch,
        log: context.log,
        store: recordsMassSendStore(context.storage.records),
        welcomes: context.storage.records,
      }),
      // A retry looks up the task an interrupted attempt may have created, so it never makes two.
      { dedupWindowMs: Number.POSITIVE_INFINITY },
    ),
});
