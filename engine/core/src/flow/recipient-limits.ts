import { DateTime } from 'luxon';

/**
 * Provider quotas on how many messages one recipient may receive in a calendar period (a
 * messaging platform's mass-send quota). Connectors declare them as plain data; the compile warnings and the
 * cohort dry-run take them as input, so the core names no provider.
 */

export type QuotaPeriod = 'day' | 'week' | 'month';

/** At most `max` messages per recipient in each calendar `per`; `daysInMonth`: the days of that month. */
export interface Quota {
  max: number | 'daysInMonth';
  per: QuotaPeriod;
}

export interface LimitWords {
  en: string;
  zh: string;
}

export interface RecipientLimit {
  /** Stable, e.g. `acme-mass-send`; quotas an admin set are given by it (`CohortOptions.quotas`). */
  id: string;
  /** The channels it counts on; each channel is counted apart (customers apart from groups). */
  channels: readonly string[];
  /** The provider's default quota, and the time zone its periods are counted in. */
  perRecipient: Quota & { zone: string };
  /** What is counted, e.g. "mass messages" / "群发消息". */
  label: LimitWords;
  /** What the provider does past the quota and what admins may set, said after each warning. */
  message: LimitWords;
}

/**
 * A provider's window for free-form messages: a message without a provider template reaches a
 * person only within `hours` of their last interaction with the sender (a messaging platform's
 * customer-service window); template messages go at any time. Declared by connectors as data.
 */
export interface FreeFormWindow {
  /** Stable, e.g. `acme-service-window`. */
  id: string;
  channels: readonly string[];
  hours: number;
  /** What is limited, e.g. "customer-service messages" / "客服消息". */
  label: LimitWords;
  /** What the provider does outside the window and what to do instead, said after each warning. */
  message: LimitWords;
}

/** Quotas admins set, by limit id (1 a day or 7 a week instead of the days of the month). */
export type QuotaOverrides = Readonly<Record<string, Quota>>;

/** The limits with the quotas admins set in place of the providers' defaults. */
export function applyQuotas(
  limits: readonly RecipientLimit[],
  quotas: QuotaOverrides = {},
): RecipientLimit[] {
  return limits.map((limit) => {
    const quota = Object.hasOwn(quotas, limit.id) ? quotas[limit.id] : undefined;
    return quota ? { ...limit, perRecipient: { ...limit.perRecipient, ...quota } } : limit;
  });
}

const DAY = 24 * 60 * 60 * 1000;
/** The shortest each period can be: a window this long lies inside some single period. */
const SHORTEST: Record<QuotaPeriod, number> = { day: DAY, week: 7 * DAY, month: 28 * DAY };

/**
 * The steadiest sending a quota allows, for the compile-time check: at most `max` in any window
 * of `windowMs`. The days of the month allow one a day.
 */
export function steadyRate(quota: Quota): { max: number; windowMs: number } {
  return quota.max === 'daysInMonth'
    ? { max: 1, windowMs: DAY }
    : { max: quota.max, windowMs: SHORTEST[quota.per] };
}

/** The period a send at `at` falls in, and the quota for that period (`text` as operators read it). */
export function quotaPeriod(at: number, limit: RecipientLimit): { key: string; max: number; text: string } {
  const { max, per, zone } = limit.perRecipient;
  const local = DateTime.fromMillis(at, { zone });
  const key =
    per === 'day'
      ? local.toISODate()!
      : per === 'week'
        ? local.toFormat("kkkk-'W'WW")
        : local.toFormat('yyyy-MM');
  const n = max === 'daysInMonth' ? local.daysInMonth! : max;
  return { key, max: n, text: per === 'month' ? `${n} in ${key}` : `${n} a ${per}` };
}
