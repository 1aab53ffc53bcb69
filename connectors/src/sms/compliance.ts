import { z } from 'zod';
import { configField } from '../connector';
import { clockSeconds, localSecondsOfDay, msUntilLocalTime } from '../shared/local-time';
import { ProviderSendError } from '../shared/provider-errors';

/**
 * SMS compliance helpers.
 *
 * - China (MIIT Order No. 31, 2015): commercial SMS needs consent, must carry a convenient opt-out,
 *   and sending must stop once the user refuses. The wording providers accept has changed over time
 *   (Aliyun and Tencent now ask for "拒收请回复R"; older templates used "回T退订" / "回复TD退订"), so
 *   the line is configurable.
 * - Template-based providers (Aliyun, Tencent): the opt-out line is part of the approved template;
 *   the connector must not append anything (the provider would reject a body that does not match the
 *   template). Only free-text providers (Twilio) append it.
 * - US carriers and Twilio: "Reply STOP to opt out"; Twilio itself handles STOP/START on long codes.
 */

export type Locale = 'zh' | 'en';

export const DEFAULT_OPT_OUT_LINES: Readonly<Record<Locale, string>> = {
  zh: '拒收请回复R',
  en: 'Reply STOP to opt out',
};

export const optOutLineSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .meta(
        configField(
          ['Append opt-out line', '追加退订提示'],
          ['Append the opt-out line to marketing SMS.', '在营销短信末尾追加退订提示。'],
        ),
      ),
    locale: z
      .enum(['zh', 'en'])
      .default('en')
      .meta(
        configField(
          ['Language', '语言'],
          [
            'The language of the default wording: zh “拒收请回复R”, en “Reply STOP to opt out”.',
            '默认措辞的语言：zh 为“拒收请回复R”，en 为“Reply STOP to opt out”。',
          ],
        ),
      ),
    text: z
      .string()
      .min(1)
      .optional()
      .meta(
        configField(
          ['Wording', '措辞'],
          ['Replaces the language’s default wording.', '替换该语言的默认措辞。'],
        ),
      ),
  })
  .strict();
export type OptOutLineConfig = z.infer<typeof optOutLineSchema>;

/** The opt-out line for a locale, or the configured wording. */
export function optOutLine(config: Pick<OptOutLineConfig, 'locale' | 'text'>): string {
  return config.text ?? DEFAULT_OPT_OUT_LINES[config.locale];
}

/** Appends the opt-out line on its own line unless the body already carries it (case-insensitive). */
export function appendOptOutLine(text: string, line: string): string {
  const body = text.trimEnd();
  if (normalizeReply(body).includes(normalizeReply(line))) return body;
  return body ? `${body}\n${line}` : line;
}

// ---------------------------------------------------------------------------------------------
// Inbound replies

/**
 * Replies that mean "stop sending me SMS": the Chinese conventions (R, T, TD, 退订) and the US
 * keywords Twilio itself honours (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT), so our record agrees
 * with what the carrier will block anyway.
 */
export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = [
  'R',
  'T',
  'TD',
  '退订',
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
];

/** NFKC folds full-width letters and spaces (ＳＴＯＰ, Ｔ, U+3000) to their ASCII forms. */
function normalizeReply(text: string): string {
  return text.normalize('NFKC').toUpperCase().replace(/\s+/g, ' ').trim();
}

/**
 * Whether an inbound SMS reply is an opt-out: the whole reply, trimmed, case- and width-insensitive,
 * ignoring surrounding punctuation ("TD。", "stop!"). "Please stop calling me" is not an opt-out
 * keyword and is left for a person to read.
 */
export function isOptOutReply(text: string, keywords: readonly string[] = DEFAULT_OPT_OUT_KEYWORDS): boolean {
  const reply = normalizeReply(text).replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, '');
  if (!reply) return false;
  return keywords.some((keyword) => normalizeReply(keyword) === reply);
}

/**
 * Replies with which a person who opted out asks for SMS again. Twilio lifts its own block on
 * START, UNSTOP and YES (its default opt-in keywords), so our record follows it there.
 */
export const TWILIO_OPT_IN_KEYWORDS: readonly string[] = ['START', 'UNSTOP', 'YES'];

/** Whether an inbound SMS reply is an opt-in keyword, read the way `isOptOutReply` reads replies. */
export function isOptInReply(text: string, keywords: readonly string[] = TWILIO_OPT_IN_KEYWORDS): boolean {
  return isOptOutReply(text, keywords);
}

// ---------------------------------------------------------------------------------------------
// Send-time windows

/**
 * When marketing SMS may go out, in the recipients' local time. Tencent enforces 08:00–22:00 for
 * marketing SMS (FailedOperation.MarketingSendTimeConstraint); many operators choose a stricter
 * 08:00–21:00.
 *
 * Outside the window the default is `defer`: a `rate-limited` error whose `retryAfterMs` is the time
 * until the window opens. The message the flow decided to send then goes out the next morning, the
 * runtime needs no new concept (Temporal waits exactly that long), and the activity's one-day
 * schedule-to-close bounds how stale it can get. `fail` instead makes it a `permanent` error
 * ("outside the allowed window") so the flow takes the step's failure path, for messages that are
 * worthless the next day (e.g. "the event starts in an hour").
 */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const sendWindowSchema = z
  .object({
    start: clockTime
      .default('08:00')
      .meta(
        configField(
          ['Opens at', '开始时间'],
          ['Local time the window opens, HH:MM (24 h).', '时段开始的当地时间，HH:MM（24 小时制）。'],
        ),
      ),
    end: clockTime
      .default('21:00')
      .meta(
        configField(
          ['Closes at', '结束时间'],
          [
            'Local time the window closes (not included), HH:MM; before the start for an overnight window.',
            '时段结束的当地时间（不含），HH:MM；早于开始时间表示跨夜时段。',
          ],
        ),
      ),
    timeZone: z
      .string()
      .refine(isValidTimeZone, {
        message: 'Unknown IANA time zone. / 未知的 IANA 时区。',
      })
      .default('Asia/Shanghai')
      .meta(
        configField(
          ['Time zone', '时区'],
          [
            'The recipients’ IANA time zone, e.g. Asia/Shanghai.',
            '收件人所在的 IANA 时区，例如 Asia/Shanghai。',
          ],
        ),
      ),
    outside: z
      .enum(['defer', 'fail'])
      .default('defer')
      .meta(
        configField(
          ['Outside the window', '时段外'],
          [
            'defer: hold the SMS until the window opens; fail: the send fails.',
            'defer：暂缓到时段开始再发；fail：发送失败。',
          ],
        ),
      ),
  })
  .strict();
export type SendWindow = z.infer<typeof sendWindowSchema>;

function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function isWithinSendWindow(
  now: Date,
  window: Pick<SendWindow, 'start' | 'end' | 'timeZone'>,
): boolean {
  const t = localSecondsOfDay(now, window.timeZone);
  const start = clockSeconds(window.start);
  const end = clockSeconds(window.end);
  if (start === end) return true; // a 24-hour window
  return start < end ? t >= start && t < end : t >= start || t < end;
}

/**
 * Throws when `now` is outside the window: `rate-limited` until it opens (`defer`) or `permanent`
 * (`fail`). Does nothing when no window is configured.
 */
export function enforceSendWindow(window: SendWindow | undefined, now: Date = new Date()): void {
  if (!window || isWithinSendWindow(now, window)) return;
  const label = `${window.start}–${window.end} ${window.timeZone}`;
  if (window.outside === 'fail') {
    throw new ProviderSendError('permanent', `Outside the allowed window for marketing SMS (${label}).`, {
      providerCode: 'outside-window',
    });
  }
  throw new ProviderSendError(
    'rate-limited',
    `Outside the allowed window for marketing SMS (${label}); deferred until it opens.`,
    { providerCode: 'outside-window', retryAfterMs: msUntilLocalTime(now, window.timeZone, window.start) },
  );
}
