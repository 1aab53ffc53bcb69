import { randomBytes } from 'node:crypto';

/**
 * The fake WeCom server's new-friend welcomes (`externalcontact/send_welcome_msg`, doc 92599):
 * codes issued for adds, taken within 20 s and once (41051 after), and WeCom's limits on the API.
 * WeCom documents no errcode for an expired code; the fake answers 40058 (invalid parameter).
 */

export interface FakeWelcomeOptions {
  /** How long a code is taken, from its add. @default 20000 (WeCom's 20 s) */
  codeLifetimeMs?: number;
  /** Calls per corp per minute and per hour (doc 90454's base rate), past which 45009. @default 10000, 150000 */
  perMinute?: number;
  perHour?: number;
  /** Calls at once past which 45033 answers (WeCom's concurrency limit); unset: none. */
  concurrency?: number;
  /** How long the fake takes to answer a welcome call. @default 0 */
  answerMs?: number;
}

export interface FakeWelcomeCode {
  code: string;
  staffId: string;
  externalUserId: string;
  issuedAt: number;
  /** When the welcome went out, if it did. */
  usedAt?: number;
}

export interface FakeWelcome {
  code: string;
  staffId: string;
  externalUserId: string;
  /** When the add happened (the code was issued) and when the welcome arrived (epoch ms). */
  issuedAt: number;
  at: number;
  text?: string;
  attachments?: unknown[];
}

export const FAKE_WELCOME_CODE_INVALID = 40058;

export class FakeWelcomes {
  readonly codes = new Map<string, FakeWelcomeCode>();
  /** Welcomes that went out, in order. */
  readonly sent: FakeWelcome[] = [];
  /** Every answer to `send_welcome_msg` with its errcode (0: sent), in order. */
  readonly answers: { code: string; errcode: number; at: number }[] = [];
  private readonly calls: number[] = [];
  private inFlight = 0;
  private readonly options: Required<Omit<FakeWelcomeOptions, 'concurrency'>> &
    Pick<FakeWelcomeOptions, 'concurrency'>;

  constructor(options: FakeWelcomeOptions = {}) {
    this.options = {
      codeLifetimeMs: options.codeLifetimeMs ?? 20_000,
      perMinute: options.perMinute ?? 10_000,
      perHour: options.perHour ?? 150_000,
      answerMs: options.answerMs ?? 0,
      concurrency: options.concurrency,
    };
  }

  /** A customer added a staff member: the code WeCom puts in the callback's `WelcomeCode`. */
  issue(staffId: string, externalUserId: string, issuedAt = Date.now()): string {
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, { code, staffId, externalUserId, issuedAt });
    return code;
  }

  /** Another app (or the staff member's client) used the code first: a later call answers 41051. */
  useElsewhere(code: string): void {
    const entry = this.codes.get(code);
    if (entry) entry.usedAt = Date.now();
  }

  async handle(body: Record<string, unknown>, wait: (ms: number) => Promise<void>): Promise<object> {
    const now = Date.now();
    this.calls.push(now);
    while (this.calls.length > 0 && this.calls[0]! <= now - 3_600_000) this.calls.shift();
    const lastMinute = this.calls.filter((at) => at > now - 60_000).length;
    if (lastMinute > this.options.perMinute || this.calls.length > this.options.perHour)
      return this.answer('', 45009, 'api freq out of limit');
    if (this.options.concurrency !== undefined && this.inFlight >= this.options.concurrency)
      return this.answer('', 45033, 'api concurrent out of limit');
    this.inFlight++;
    try {
      if (this.options.answerMs > 0) await wait(this.options.answerMs);
      return this.take(body);
    } finally {
      this.inFlight--;
    }
  }

  private take(body: Record<string, unknown>): object {
    const code = typeof body.welcome_code === 'string' ? body.welcome_code : '';
    const entry = this.codes.get(code);
    const now = Date.now();
    if (!entry || now - entry.issuedAt > this.options.codeLifetimeMs)
      return this.answer(code, FAKE_WELCOME_CODE_INVALID, 'invalid welcome_code');
    if (entry.usedAt !== undefined) return this.answer(code, 41051, 'externaluser has started chatting');
    const text = (body.text as { content?: unknown } | undefined)?.content;
    const attachments = Array.isArray(body.attachments) ? body.attachments : undefined;
    if (typeof text !== 'string' && !attachments?.length)
      return this.answer(code, FAKE_WELCOME_CODE_INVALID, 'text or attachments required');
    if (attachments && attachments.length > 9)
      return this.answer(code, FAKE_WELCOME_CODE_INVALID, 'at most 9 attachments');
    entry.usedAt = now;
    this.sent.push({
      code,
      staffId: entry.staffId,
      externalUserId: entry.externalUserId,
      issuedAt: entry.issuedAt,
      at: now,
      ...(typeof text === 'string' ? { text } : {}),
      ...(attachments ? { attachments } : {}),
    });
    return this.answer(code, 0, 'ok');
  }

  private answer(code: string, errcode: number, errmsg: string): object {
    this.answers.push({ code, errcode, at: Date.now() });
    return { errcode, errmsg };
  }
}
