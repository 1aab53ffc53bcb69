import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CallbackDelivery,
  type CallbackTarget,
  type DeliveryOptions,
  deliverCallback,
} from './fake-callbacks';
import { FakeContactWays } from './fake-contact-ways';
import { type FakeCustomer, FakeCustomers } from './fake-customers';
import { FakeGroupEntry } from './fake-groups';
import { fakeQrPng } from './fake-qr';
import { FakeCorpTags } from './fake-tags';
import { type FakeWelcomeOptions, FakeWelcomes } from './fake-welcome';

/**
 * A local stand-in for qyapi.weixin.qq.com that keeps the documented contract (providers.md §1):
 * HTTP 200 with errcode/errmsg, tokens in `?access_token=`, the same token while valid, 40014/42001
 * for a bad or expired one, 45009 over a limit, the robot's 20/min, silent drop above a member's
 * 30/min from one app, `enable_duplicate_check`, mass-send tasks listed by time. Faults can be queued
 * per API: an errcode, a slow answer, or an answer held back after the work is done (a timeout
 * that leaves the client not knowing whether the call took effect).
 */

export interface FakeFault {
  /** Answer with this errcode without doing the work. */
  errcode?: number;
  errmsg?: string;
  /** Answer with this HTTP status and no JSON. */
  httpStatus?: number;
  /** Wait this long before handling. */
  delayMs?: number;
  /** Do the work, then wait this long before answering. */
  delayAfterHandlingMs?: number;
}

export interface FakeCall {
  /** The path without `/cgi-bin/`, e.g. `message/send`. */
  api: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
}

export interface FakeMassTask {
  msgid: string;
  create_time: number;
  create_type: 0;
  sender?: string;
  external_userid: string[];
  text?: { content: string };
  attachments?: unknown[];
  /** Per external user id: 0 unsent, 1 sent, 2 not a friend, 3 already received another. */
  status: Map<string, number>;
}

export interface FakeGroupMember {
  userid: string;
  type: 1 | 2;
  join_time: number;
  join_scene: 1 | 2 | 3;
  /** The `state` of the join way the member came through. */
  state?: string;
  unionid?: string;
  invitor?: { userid: string };
  name?: string;
}

export interface FakeGroupChat {
  chat_id: string;
  name?: string;
  owner: string;
  create_time: number;
  member_list: FakeGroupMember[];
  member_version: string;
}

export interface FakeWeComOptions {
  /** The apps that may fetch tokens. @default [{ corpId: 'ww-fake-corp', secret: 'fake-secret' }] */
  apps?: { corpId: string; secret: string }[];
  /** @default 7200 */
  tokenTtlSec?: number;
  /** Known member user ids; others are `invaliduser`. Unset: every id is a member. */
  members?: string[];
  /** Known external contacts; others land in `fail_list`. Unset: all are known. */
  externalUsers?: string[];
  /** Robot webhook keys that exist. */
  robots?: string[];
  /** Robots that exist but are disabled (93004). */
  disabledRobots?: string[];
  /** Remove zero-width characters from stored mass-send text, as a content filter might. */
  stripInvisibleText?: boolean;
  /** New-friend welcomes: code lifetime, limits, answer time. */
  welcome?: FakeWelcomeOptions;
}

const ok = { errcode: 0, errmsg: 'ok' };

export class FakeWeComServer {
  readonly calls: FakeCall[] = [];
  /** Application messages delivered to members' clients (after dedup and the silent limit). */
  readonly delivered: { touser: string; body: Record<string, unknown> }[] = [];
  /** Application messages WeCom accepted but dropped: same JSON again, or over a member's limit. */
  readonly dropped: { touser: string; reason: 'duplicate' | 'member-limit' }[] = [];
  readonly robotMessages: { key: string; body: Record<string, unknown> }[] = [];
  readonly tasks: FakeMassTask[] = [];
  readonly chats = new Map<string, FakeGroupChat>();
  /** Corp customer tags: the tag library and what staff marked on customers. */
  readonly corpTags = new FakeCorpTags();
  readonly customers = new FakeCustomers();
  /** "Contact me" ways (channel codes) and their QR images. */
  readonly contactWays: FakeContactWays = new FakeContactWays(
    () => this.url,
    () => this.options.members,
  );
  /** Join ways and group welcome templates (./fake-groups). */
  readonly groupEntry = new FakeGroupEntry(
    (chatId) => this.chats.has(chatId),
    (configId) => `${this.url}/fake-qr/${configId}.png`,
  );
  /** New-friend welcome codes and the welcomes sent with them (`issue` one per add). */
  readonly welcomes: FakeWelcomes;

  private readonly faults = new Map<string, FakeFault[]>();
  private readonly tokens = new Map<string, { app: string; expiresAt: number }>();
  private readonly seenMessages = new Map<string, number>();
  private readonly memberDeliveries = new Map<string, number[]>();
  private readonly robotSends = new Map<string, number[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly options: Required<Omit<FakeWeComOptions, 'members' | 'externalUsers' | 'welcome'>> &
    Pick<FakeWeComOptions, 'members' | 'externalUsers'>;

  private constructor(
    private readonly server: Server,
    options: FakeWeComOptions,
  ) {
    this.welcomes = new FakeWelcomes(options.welcome);
    this.options = {
      apps: options.apps ?? [{ corpId: 'ww-fake-corp', secret: 'fake-secret' }],
      tokenTtlSec: options.tokenTtlSec ?? 7200,
      robots: options.robots ?? [],
      disabledRobots: options.disabledRobots ?? [],
      stripInvisibleText: options.stripInvisibleText ?? false,
      members: options.members,
      externalUsers: options.externalUsers,
    };
  }

  static async start(options: FakeWeComOptions = {}): Promise<FakeWeComServer> {
    let fake: FakeWeComServer | undefined;
    const server = createServer((req, res) => {
      void fake!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
    fake = new FakeWeComServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Calls to one API (`gettoken`, `message/send`, `webhook/send`, ...). */
  count(api: string): number {
    return this.calls.filter((call) => call.api === api).length;
  }

  /** Queues faults for the next calls to `api`, in order. */
  fail(api: string, ...faults: FakeFault[]): void {
    this.faults.set(api, [...(this.faults.get(api) ?? []), ...faults]);
  }

  /** WeCom may invalidate tokens early: every token issued so far now answers 42001. */
  expireTokens(): void {
    for (const token of this.tokens.values()) token.expiresAt = 0;
  }

  /** Revokes every token: they now answer 40014 (invalid), as after a secret reset. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  setSendStatus(msgid: string, externalUserId: string, status: 0 | 1 | 2 | 3): void {
    const task = this.tasks.find((t) => t.msgid === msgid);
    if (!task) throw new Error(`No task ${msgid}`);
    task.status.set(externalUserId, status);
  }

  setGroupChat(chat: FakeGroupChat): void {
    this.chats.set(chat.chat_id, chat);
  }

  /** The group is dissolved: `groupchat/get` answers 40050 for it from now on. */
  dissolveGroupChat(chatId: string): void {
    this.chats.delete(chatId);
  }

  /** A customer as `externalcontact/get` answers for them. */
  setCustomer(customer: FakeCustomer): void {
    this.customers.set(customer);
  }

  /** Delivers a callback event to sopflow as WeCom does: encrypted, signed, retried. */
  deliverCallback(target: CallbackTarget, xml: string, options?: DeliveryOptions): Promise<CallbackDelivery> {
    return deliverCallback(target, xml, options);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/qr/')) {
      const png = await this.contactWays.qrImage(url.pathname);
      if (png) res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else res.writeHead(404).end('no such QR code');
      return;
    }
    const qr = /^\/fake-qr\/([^/]+)\.png$/.exec(url.pathname);
    if (qr) {
      res
        .writeHead(200, { 'content-type': 'image/png' })
        .end(await fakeQrPng(`https://work.weixin.qq.com/gj/fake-${qr[1]}`));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const api = url.pathname.replace(/^\/cgi-bin\//, '');
    const query = Object.fromEntries(url.searchParams);
    this.calls.push({ api, query, body, at: Date.now() });

    const fault = this.faults.get(api)?.shift();
    if (fault?.delayMs) await this.wait(fault.delayMs);
    if (fault?.httpStatus) {
      res.writeHead(fault.httpStatus).end('fault');
      return;
    }
    const answer =
      fault?.errcode !== undefined
        ? { errcode: fault.errcode, errmsg: fault.errmsg ?? `fault ${fault.errcode}` }
        : await this.route(api, query, body);
    if (fault?.delayAfterHandlingMs) await this.wait(fault.delayAfterHandlingMs);
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  private route(api: string, query: Record<string, string>, body: unknown): object | Promise<object> {
    if (api === 'gettoken') return this.gettoken(query);
    if (api === 'webhook/send') return this.webhookSend(query, body);
    const auth = this.checkToken(query.access_token);
    if (auth) return auth;
    const input = (body ?? {}) as Record<string, unknown>;
    switch (api) {
      case 'message/send':
        return this.messageSend(input);
      case 'externalcontact/add_msg_template':
        return this.addMsgTemplate(input);
      case 'externalcontact/get_groupmsg_list_v2':
        return this.groupMsgList(input);
      case 'externalcontact/get_groupmsg_send_result':
        return this.groupMsgSendResult(input);
      case 'externalcontact/groupchat/get':
        return this.groupChatGet(input);
      case 'externalcontact/get_corp_tag_list':
        return this.corpTags.list(input);
      case 'externalcontact/add_corp_tag':
        return this.corpTags.add(input);
      case 'externalcontact/mark_tag':
        return this.corpTags.mark(input);
      case 'externalcontact/get':
        return this.customers.read(query);
      case 'externalcontact/add_contact_way':
        return this.contactWays.add(input);
      case 'externalcontact/get_contact_way':
        return this.contactWays.get(input);
      case 'externalcontact/list_contact_way':
        return this.contactWays.list(input);
      case 'externalcontact/update_contact_way':
        return this.contactWays.update(input);
      case 'externalcontact/del_contact_way':
        return this.contactWays.remove(input);
      case 'externalcontact/groupchat/add_join_way':
      case 'externalcontact/groupchat/get_join_way':
      case 'externalcontact/groupchat/update_join_way':
      case 'externalcontact/groupchat/del_join_way':
      case 'externalcontact/group_welcome_template/add':
      case 'externalcontact/group_welcome_template/get':
      case 'externalcontact/group_welcome_template/edit':
      case 'externalcontact/group_welcome_template/del':
        return this.groupEntry.route(api, input)!;
      case 'externalcontact/send_welcome_msg':
        return this.welcomes.handle(input, (ms) => this.wait(ms));
      default:
        return { errcode: 40058, errmsg: `unknown api ${api}` };
    }
  }

  private gettoken(query: Record<string, string>): object {
    const apps = this.options.apps.filter((a) => a.corpId === query.corpid);
    if (apps.length === 0) return { errcode: 40013, errmsg: 'invalid corpid' };
    const app = apps.find((a) => a.secret === query.corpsecret);
    if (!app) return { errcode: 40001, errmsg: 'invalid credential' };
    const appKey = `${app.corpId}/${app.secret}`;
    const now = Date.now();
    for (const [token, entry] of this.tokens) {
      if (entry.app === appKey && entry.expiresAt > now) {
        return { ...ok, access_token: token, expires_in: Math.floor((entry.expiresAt - now) / 1000) };
      }
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { app: appKey, expiresAt: now + this.options.tokenTtlSec * 1000 });
    return { ...ok, access_token: token, expires_in: this.options.tokenTtlSec };
  }

  private checkToken(token: string | undefined): object | undefined {
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    const entry = this.tokens.get(token);
    if (!entry) return { errcode: 40014, errmsg: 'invalid access_token' };
    if (entry.expiresAt <= Date.now()) return { errcode: 42001, errmsg: 'access_token expired' };
    return undefined;
  }

  private messageSend(input: Record<string, unknown>): object {
    if (typeof input.agentid !== 'number') return { errcode: 40056, errmsg: 'invalid agentid' };
    const msgtype = input.msgtype;
    if (msgtype !== 'text' && msgtype !== 'markdown' && msgtype !== 'news') {
      return { errcode: 40008, errmsg: 'invalid message type' };
    }
    const users = String(input.touser ?? '')
      .split('|')
      .filter(Boolean);
    const members = this.options.members;
    const invalid = members ? users.filter((u) => !members.includes(u)) : [];
    const valid = users.filter((u) => !invalid.includes(u));
    if (users.length > 0 && valid.length === 0) {
      return { errcode: 81013, errmsg: 'user & party & tag all invalid' };
    }
    const msgid = randomBytes(12).toString('hex');
    const now = Date.now();
    const json = JSON.stringify(input);
    const intervalMs = Number(input.duplicate_check_interval ?? 1800) * 1000;
    const seenAt = this.seenMessages.get(json);
    const duplicate = input.enable_duplicate_check === 1 && seenAt !== undefined && now - seenAt < intervalMs;
    if (!duplicate) this.seenMessages.set(json, now);
    for (const touser of valid) {
      if (duplicate) {
        this.dropped.push({ touser, reason: 'duplicate' });
        continue;
      }
      const recent = (this.memberDeliveries.get(touser) ?? []).filter((at) => at > now - 60_000);
      if (recent.length >= 30) {
        // Documented: above 30/min from one app a member's messages are dropped without an error.
        this.dropped.push({ touser, reason: 'member-limit' });
        continue;
      }
      recent.push(now);
      this.memberDeliveries.set(touser, recent);
      this.delivered.push({ touser, body: input });
    }
    return { ...ok, invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', msgid };
  }

  private webhookSend(query: Record<string, string>, body: unknown): object {
    const key = query.key ?? '';
    if (this.options.disabledRobots.includes(key)) return { errcode: 93004, errmsg: 'robot disabled' };
    if (!this.options.robots.includes(key)) return { errcode: 93000, errmsg: 'invalid webhook url' };
    const input = (body ?? {}) as Record<string, unknown>;
    if (!['text', 'markdown', 'news'].includes(String(input.msgtype))) {
      return { errcode: 40008, errmsg: 'invalid message type' };
    }
    const now = Date.now();
    const recent = (this.robotSends.get(key) ?? []).filter((at) => at > now - 60_000);
    if (recent.length >= 20) return { errcode: 45009, errmsg: 'api freq out of limit' };
    recent.push(now);
    this.robotSends.set(key, recent);
    this.robotMessages.push({ key, body: input });
    return ok;
  }

  private addMsgTemplate(input: Record<string, unknown>): object {
    const chatType = input.chat_type ?? 'single';
    if (chatType !== 'single') return { errcode: 40058, errmsg: 'fake supports chat_type single only' };
    const externals = Array.isArray(input.external_userid) ? input.external_userid.map(String) : [];
    if (externals.length === 0 && !input.sender) {
      return { errcode: 40058, errmsg: 'external_userid and sender are both empty' };
    }
    const text = input.text as { content?: string } | undefined;
    if (text?.content !== undefined && Buffer.byteLength(text.content, 'utf8') > 4000) {
      return { errcode: 45002, errmsg: 'content size out of limit' };
    }
    const known = this.options.externalUsers;
    const failList = known ? externals.filter((id) => !known.includes(id)) : [];
    const targets = externals.filter((id) => !failList.includes(id));
    if (externals.length > 0 && targets.length === 0) return { errcode: 41048, errmsg: 'no customer' };
    const content =
      text?.content === undefined
        ? undefined
        : this.options.stripInvisibleText
          ? text.content.replace(/[\u200b-\u200d\u2060-\u2064]/g, '')
          : text.content;
    const task: FakeMassTask = {
      msgid: `msg${randomBytes(12).toString('base64url')}`,
      create_time: Math.floor(Date.now() / 1000),
      create_type: 0,
      sender: typeof input.sender === 'string' ? input.sender : undefined,
      external_userid: targets,
      text: content === undefined ? undefined : { content },
      attachments: Array.isArray(input.attachments) ? input.attachments : undefined,
      status: new Map(targets.map((id) => [id, 0])),
    };
    this.tasks.push(task);
    return { ...ok, fail_list: failList, msgid: task.msgid };
  }

  private groupMsgList(input: Record<string, unknown>): object {
    const start = Number(input.start_time);
    const end = Number(input.end_time);
    if (!input.chat_type || !Number.isFinite(start) || !Number.isFinite(end)) {
      return { errcode: 40058, errmsg: 'chat_type, start_time and end_time are required' };
    }
    if (end < start || end - start > 31 * 86_400) {
      return { errcode: 40058, errmsg: 'the time range must be at most one month' };
    }
    const filterType = Number(input.filter_type ?? 2);
    const limit = Math.min(Math.max(Number(input.limit ?? 50), 1), 100);
    const offset = Number(input.cursor || 0);
    const matching = this.tasks.filter(
      (t) =>
        input.chat_type === 'single' &&
        t.create_time >= start &&
        t.create_time <= end &&
        (filterType === 2 || filterType === t.create_type),
    );
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? String(offset + limit) : '';
    return {
      ...ok,
      next_cursor: next,
      // API-created tasks come without `creator`.
      group_msg_list: page.map((t) => ({
        msgid: t.msgid,
        create_time: String(t.create_time),
        create_type: t.create_type,
        ...(t.text ? { text: t.text } : {}),
        ...(t.attachments ? { attachments: t.attachments } : {}),
      })),
    };
  }

  private groupMsgSendResult(input: Record<string, unknown>): object {
    const task = this.tasks.find((t) => t.msgid === input.msgid);
    if (!task) return { errcode: 41063, errmsg: 'msgid not found' };
    if (typeof input.userid !== 'string') return { errcode: 40058, errmsg: 'userid is required' };
    const rows =
      task.sender === input.userid
        ? [...task.status].map(([external_userid, status]) => ({
            external_userid,
            userid: input.userid,
            status,
            ...(status === 1 ? { send_time: task.create_time + 60 } : {}),
          }))
        : [];
    const limit = Math.min(Math.max(Number(input.limit ?? 500), 1), 1000);
    const offset = Number(input.cursor || 0);
    const next = offset + limit < rows.length ? String(offset + limit) : '';
    return { ...ok, next_cursor: next, send_list: rows.slice(offset, offset + limit) };
  }

  private groupChatGet(input: Record<string, unknown>): object {
    const chat = this.chats.get(String(input.chat_id));
    if (!chat) return { errcode: 40050, errmsg: 'chatid not exist' };
    return { ...ok, group_chat: { ...chat, admin_list: [] } };
  }
}
