import { randomBytes } from 'node:crypto';
import { type FakeRequest, type FakeResponse, startFakeServer } from '../shared/fake-http-server';
import {
  type DeliveryAttempt,
  deliverCallback,
  type FakeCallbackTarget,
  type FakeFollowerAction,
  followerXml,
  templateSendJobFinishXml,
} from './fake-callbacks';

/**
 * A fake WeChat Official Account API: `/cgi-bin/token` (every fetch invalidates the previous token),
 * `/cgi-bin/stable_token` (normal mode returns the current token), `/cgi-bin/message/custom/send`
 * (followers who interacted within 48 hours; one news article) and `/cgi-bin/message/template/send`
 * (followers only; `client_msg_id` dedup for 10 minutes). Errors are HTTP 200 with `errcode`.
 * What a follower does (`act`) changes the fake's state as WeChat's (following, the 48-hour window)
 * and is pushed to the server callback set with `callbackTo`, signed and encrypted as WeChat does.
 */

export interface FakeOfficialAccountOptions {
  appId: string;
  appSecret: string;
  /** Known template ids (default: any). */
  templates?: string[];
}

export interface FakeOfficialAccountUser {
  following: boolean;
  /** When the user last messaged the account / clicked a menu (opens the 48-hour window). */
  lastInteractionAt?: number;
}

export interface FakeDelivered {
  kind: 'custom' | 'template';
  openId: string;
  body: Record<string, unknown>;
  msgid?: number;
}

export interface FakeOfficialAccount {
  url: string;
  delivered: FakeDelivered[];
  tokenRequests: { mode: 'classic' | 'stable'; forceRefresh?: boolean }[];
  /** Known users: unknown openids answer 40003, known but not following answer 43004. */
  user(openId: string, user: FakeOfficialAccountUser): void;
  /** Answer sends to this openid with an errcode or a raw reply (once, or always). */
  script(openId: string, reply: number | FakeResponse, options?: { once?: boolean }): void;
  /** Where follower actions are pushed (the server's callback URL, Token, EncodingAESKey, mode). */
  callbackTo(target: FakeCallbackTarget): void;
  /**
   * A follower follows, scans, leaves, writes or clicks: the fake's state changes as WeChat's
   * would, and the action is pushed to the callback (`redeliver`: that many repeats of the same
   * delivery; `at`: when it happened, in ms, the push's CreateTime). Answers each delivery attempt;
   * none without a callback target.
   */
  act(
    openId: string,
    action: FakeFollowerAction,
    options?: { redeliver?: number; at?: number },
  ): Promise<DeliveryAttempt[]>;
  /**
   * Pushes the result of a template message's send job (TEMPLATESENDJOBFINISH) to the callback, as
   * WeChat does once the follower got it or not: `success`, `failed:user block`, `failed: system failed`.
   */
  finishTemplateJob(
    msgid: number,
    status: string,
    options?: { redeliver?: number },
  ): Promise<DeliveryAttempt[]>;
  /** Make every issued token expired (42001). */
  expireTokens(): void;
  /** Make every issued token invalid (40001, as after someone else refreshed it). */
  revokeTokens(): void;
  close(): Promise<void>;
}

const TEN_MINUTES = 10 * 60_000;
const FORTY_EIGHT_HOURS = 48 * 60 * 60_000;

export async function startFakeOfficialAccount(
  options: FakeOfficialAccountOptions,
): Promise<FakeOfficialAccount> {
  const delivered: FakeDelivered[] = [];
  const tokenRequests: FakeOfficialAccount['tokenRequests'] = [];
  const users = new Map<string, FakeOfficialAccountUser>();
  const scripts = new Map<string, { reply: number | FakeResponse; once: boolean }>();
  /** token -> state */
  const tokens = new Map<string, 'valid' | 'expired'>();
  let stableToken: string | undefined;
  const clientMsgIds = new Map<string, { at: number; msgid: number }>();
  let nextMsgId = 1_000_000;

  const err = (errcode: number, errmsg: string): FakeResponse => ({
    body: { errcode, errmsg: `${errmsg} rid: ${randomBytes(4).toString('hex')}` },
  });
  const issue = (): string => {
    const token = `tok_${randomBytes(12).toString('hex')}`;
    tokens.set(token, 'valid');
    return token;
  };

  function credentialsError(appid: unknown, secret: unknown): FakeResponse | undefined {
    if (appid !== options.appId) return err(40013, 'invalid appid');
    if (secret !== options.appSecret) return err(40125, 'invalid appsecret');
    return undefined;
  }

  function checkToken(req: FakeRequest): FakeResponse | undefined {
    const token = req.url.searchParams.get('access_token');
    if (!token) return err(41001, 'access_token missing');
    const state = tokens.get(token);
    if (state === 'expired') return err(42001, 'access_token expired');
    if (state !== 'valid') return err(40001, 'invalid credential, access_token is invalid or not latest');
    return undefined;
  }

  function recipientError(openId: unknown): FakeResponse | undefined {
    if (typeof openId !== 'string' || !openId) return err(47003, 'argument invalid! data.touser is empty');
    const user = users.get(openId);
    if (!user) return err(40003, 'invalid openid');
    if (!user.following) return err(43004, 'require subscribe');
    return undefined;
  }

  function scripted(openId: string): FakeResponse | undefined {
    const script = scripts.get(openId);
    if (!script) return undefined;
    if (script.once) scripts.delete(openId);
    return typeof script.reply === 'number' ? err(script.reply, `scripted ${script.reply}`) : script.reply;
  }

  function handle(req: FakeRequest): FakeResponse {
    const path = req.url.pathname;
    if (path === '/cgi-bin/token' && req.method === 'GET') {
      const q = req.url.searchParams;
      tokenRequests.push({ mode: 'classic' });
      if (q.get('grant_type') !== 'client_credential') return err(40002, 'invalid grant_type');
      const bad = credentialsError(q.get('appid'), q.get('secret'));
      if (bad) return bad;
      // Fetching a new token invalidates the old ones (they answer 40001 "not latest").
      tokens.clear();
      return { body: { access_token: issue(), expires_in: 7200 } };
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body || '{}') as Record<string, unknown>;
    } catch {
      return err(47001, 'data format error');
    }
    if (path === '/cgi-bin/stable_token' && req.method === 'POST') {
      tokenRequests.push({ mode: 'stable', forceRefresh: body.force_refresh === true });
      if (body.grant_type !== 'client_credential') return err(40002, 'invalid grant_type');
      const bad = credentialsError(body.appid, body.secret);
      if (bad) return bad;
      if (body.force_refresh === true || !stableToken || tokens.get(stableToken) !== 'valid') {
        if (stableToken) tokens.delete(stableToken);
        stableToken = issue();
      }
      return { body: { access_token: stableToken, expires_in: 7200 } };
    }
    const custom = path === '/cgi-bin/message/custom/send';
    if (req.method !== 'POST' || (!custom && path !== '/cgi-bin/message/template/send'))
      return { status: 404, body: 'not found' };
    // Both sends check the token, then the recipient, before anything of the message.
    const openId = body.touser as string;
    const refused = checkToken(req) ?? recipientError(openId) ?? scripted(openId);
    if (refused) return refused;

    if (custom) {
      const last = users.get(openId)?.lastInteractionAt;
      if (last === undefined || Date.now() - last > FORTY_EIGHT_HOURS)
        return err(45015, 'response out of time limit or subscription is canceled');
      if (body.msgtype === 'text') {
        const content = (body.text as { content?: unknown } | undefined)?.content;
        if (typeof content !== 'string' || !content) return err(44003, 'empty content');
      } else if (body.msgtype === 'news') {
        const articles = (body.news as { articles?: unknown } | undefined)?.articles;
        if (!Array.isArray(articles) || articles.length === 0)
          return err(47003, 'argument invalid! news.articles');
        if (articles.length > 1) return err(45008, 'article size out of limit');
      } else return err(40008, 'invalid message type');
      delivered.push({ kind: 'custom', openId, body });
      return { body: { errcode: 0, errmsg: 'ok' } };
    }

    const templateId = body.template_id;
    if (typeof templateId !== 'string' || (options.templates && !options.templates.includes(templateId)))
      return err(40037, 'invalid template_id');
    const data = body.data;
    if (
      !data ||
      typeof data !== 'object' ||
      Object.values(data).some((v) => !v || typeof (v as { value?: unknown }).value !== 'string')
    )
      return err(47003, 'argument invalid! data.value invalid');
    const clientMsgId = typeof body.client_msg_id === 'string' ? body.client_msg_id : undefined;
    if (clientMsgId) {
      const seen = clientMsgIds.get(`${openId}/${clientMsgId}`);
      // One message per openid + client_msg_id within 10 minutes.
      if (seen && Date.now() - seen.at < TEN_MINUTES)
        return { body: { errcode: 0, errmsg: 'ok', msgid: seen.msgid } };
    }
    const msgid = nextMsgId++;
    if (clientMsgId) clientMsgIds.set(`${openId}/${clientMsgId}`, { at: Date.now(), msgid });
    delivered.push({ kind: 'template', openId, body, msgid });
    return { body: { errcode: 0, errmsg: 'ok', msgid } };
  }

  let callback: FakeCallbackTarget | undefined;

  async function act(
    openId: string,
    action: FakeFollowerAction,
    opts: { redeliver?: number; at?: number } = {},
  ): Promise<DeliveryAttempt[]> {
    const before = users.get(openId);
    const now = opts.at ?? Date.now();
    // Scanning a parameter QR code pushes SCAN to followers only; anyone else follows by it.
    if (action.type === 'scan' && !before?.following) action = { type: 'subscribe', scene: action.scene };
    if (action.type === 'unsubscribe') users.set(openId, { following: false });
    else if (action.type === 'view') users.set(openId, { following: true, ...before });
    // Messages, follows, scans and click menus open the 48-hour window; a view menu does not.
    else users.set(openId, { following: true, lastInteractionAt: now });
    if (!callback) return [];
    const xml = followerXml(callback.accountId ?? 'gh_fake_account', openId, action, Math.floor(now / 1000));
    return deliverCallback(callback, xml, { redeliver: opts.redeliver, openId });
  }

  return {
    ...(await startFakeServer(handle)),
    callbackTo: (target) => {
      callback = target;
    },
    act,
    async finishTemplateJob(msgid, status, opts = {}) {
      const sent = delivered.find((d) => d.kind === 'template' && d.msgid === msgid);
      if (!sent) throw new Error(`The fake sent no template message ${msgid}.`);
      if (!callback) return [];
      const xml = templateSendJobFinishXml(
        callback.accountId ?? 'gh_fake_account',
        sent.openId,
        msgid,
        status,
      );
      return deliverCallback(callback, xml, { redeliver: opts.redeliver, openId: sent.openId });
    },
    delivered,
    tokenRequests,
    user: (openId, user) => users.set(openId, user),
    script: (openId, reply, opts) => scripts.set(openId, { reply, once: opts?.once ?? false }),
    expireTokens: () => {
      for (const token of tokens.keys()) tokens.set(token, 'expired');
    },
    revokeTokens: () => {
      tokens.clear();
    },
  };
}
