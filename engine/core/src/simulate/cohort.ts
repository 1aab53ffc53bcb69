import { DateTime } from 'luxon';
import { parseDuration } from '../flow/duration';
import { isTimeZone } from '../flow/local-time';
import type { Plan } from '../flow/plan';
import { applyQuotas, type QuotaOverrides, quotaPeriod, type RecipientLimit } from '../flow/recipient-limits';
import { Contact, type ContactInput } from '../flow/schema';
import { describeDuration } from '../flow/warnings';
import { contactZone, type RunOutcome } from '../interpreter/interpreter';
import { reachOf } from '../interpreter/reach';
import { stableFraction } from '../interpreter/stable-hash';
import { type ScriptedEvent, type SimulationOptions, simulate } from './simulate';

/**
 * The cohort dry-run: a few hundred or thousand synthetic contacts, drawn from distributions the
 * operator gives, each run through the single-contact dry-run (`simulate`, the production
 * interpreter on a virtual clock). What comes back is what operators look at before publishing:
 * the funnel per step, how runs end, messages per channel per day, and the limits the flow would
 * run into (frequency cap, quiet-hours piles, the quotas providers put on each recipient).
 *
 * Pure and deterministic: every random draw comes from a seeded PRNG (mulberry32), keyed by the
 * seed, the contact and what is drawn, so the same options always give the same report, and
 * changing one distribution does not reshuffle the others.
 */

/** A duration: milliseconds or ISO-8601 (`PT1H`, `P2D`). */
export type DurationInput = number | string;

type Scalar = string | number | boolean;

/**
 * A categorical distribution, `{ vip: 0.1, basic: 0.9 }`, or `[{ value: 3, weight: 0.5 }, …]`
 * for values that are not strings. Weights adding up to at most 1 are probabilities and the rest
 * leaves the field unset (`{ vip: 0.1 }`: one contact in ten is a VIP, the others have no tier);
 * weights adding up to more than 1 are relative (`{ a: 7, b: 3 }` is 70/30).
 */
export type Distribution = Record<string, number> | { value: Scalar; weight: number }[];

export interface CohortEvent {
  name: string;
  /** The chance that a contact gets the event, 0 to 1. */
  probability: number;
  /** When, after the contact's enrollment: uniformly between `min` (default 0) and `max`. */
  after: { min?: DurationInput; max: DurationInput };
  payload?: Record<string, unknown>;
}

export interface CohortOptions {
  /** How many synthetic contacts. */
  size: number;
  /** The virtual time (epoch ms) the first contact is enrolled. */
  startAt: number;
  /** @default 1 */
  seed?: number | string;
  /** Enrollments are spread evenly over this span after `startAt`. @default all at `startAt` */
  enrollOver?: DurationInput;
  /** Attributes by name, each a distribution of its values, e.g. `{ tier: { vip: 0.1, basic: 0.9 } }`. */
  attributes?: Record<string, Distribution>;
  /** Contacts' time zones; a contact without one runs on the flow's. */
  timezones?: Distribution;
  /**
   * The chance that a contact has an address on each channel (`wechat`: a WeCom user id, `email`,
   * `sms`: a phone number). @default 1 for each
   */
  addresses?: Partial<Record<string, number>>;
  /**
   * The address kinds that reach each channel, as the connectors declare them; a contact's
   * address on a channel is of the first kind. `simulateCohort` takes the plan's.
   */
  reach?: Plan['reach'];
  /** The chance that a contact unsubscribed from each channel, e.g. `{ sms: 0.05 }`. */
  unsubscribed?: Record<string, number>;
  /** The chance that a contact carries each tag. */
  tags?: Record<string, number>;
  /** The payload of the enrolling event, the same for every contact. */
  event?: Record<string, unknown>;
  /** Events that may arrive after enrollment, each drawn independently per contact. */
  events?: CohortEvent[];
  /** How steps' tasks turn out, as in `simulate`; the same for every contact. */
  responses?: SimulationOptions['responses'];
  /**
   * Messages each contact got from other flows (epoch ms), counted by the frequency cap and the
   * messages-per-day check: one list for everyone, or a function of the contact.
   */
  priorSends?: number[] | ((contact: Contact, index: number, enrolledAt: number) => number[]);
  /** Each contact is followed this long after its enrollment; runs going on are "still running". @default P30D */
  horizon?: DurationInput;
  /** Without a frequency cap: warn about contacts who get more than this many messages in a local day. @default 3 */
  dailyCapReference?: number;
  /**
   * The quotas providers put on each recipient, as the connectors declare them (a platform's mass-send
   * quota): each contact's sends on their channels are counted per period.
   * @default none
   */
  limits?: readonly RecipientLimit[];
  /** Quotas as admins set them, by limit id (`{ max: 7, per: 'week' }`); win over the declared ones. */
  quotas?: QuotaOverrides;
  /**
   * A quiet-hours pile: on a day, more than `share` of the sends and more than `min` messages go
   * out in the first `windowMinutes` after quiet hours end, held there by the quiet hours.
   * @default { share: 0.3, min: 20, windowMinutes: 15 }
   */
  quietPile?: { share?: number; min?: number; windowMinutes?: number };
}

/** One synthetic contact, as drawn. */
export interface SyntheticContact {
  contact: ContactInput;
  enrolledAt: number;
  /** Events after enrollment, offsets in ms. */
  events: ScriptedEvent[];
  priorSends: number[];
}

export interface FunnelStep {
  nodeId: string;
  type: string;
  label?: string;
  /** Entries into the step (a contact going round a loop counts each time). */
  entered: number;
  /** Distinct contacts who entered. */
  contacts: number;
  /** Departures by exit name. */
  left: Record<string, number>;
  /** Runs that ended in the step: at an exit, converted or failed while there. */
  ended: number;
  /** Runs still in the step at the horizon. `entered` = sum of `left` + `ended` + `stillThere`. */
  stillThere: number;
  /** Sends skipped by reason (`no-address`, `opted-out`, `capped`), as production's statistics count them. */
  suppressed: Record<string, number>;
  /** Sends held for later by reason (`quiet-hours`, `capped`), likewise. */
  held: Record<string, number>;
}

export type CohortWarningCode =
  | 'frequency_cap_hit'
  | 'many_per_day'
  | 'quiet_hours_pile'
  | 'channel_quota_exceeded';

export interface CohortWarning {
  code: CohortWarningCode;
  message: string;
  messageZh: string;
  /** The steps whose sends are concerned, in plan order. */
  nodeIds: string[];
  /** How many synthetic contacts it concerns. */
  contacts: number;
  /** How many messages (or contact-days, for `many_per_day`) it concerns. */
  count: number;
  /** The local dates concerned, when it is about days. */
  dates?: string[];
  /** For `channel_quota_exceeded`: the limit (`RecipientLimit.id`) broken. */
  limitId?: string;
}

export interface CohortReport {
  size: number;
  seed: number | string;
  startAt: number;
  /** The latest virtual time any contact's run reached. */
  endAt: number;
  funnel: FunnelStep[];
  outcomes: { exited: number; converted: number; failed: number; cancelled: number; running: number };
  /** Failed runs by step and reason. */
  failures: { nodeId: string; reason: string; contacts: number }[];
  /** Messages to contacts per channel by status (staff notices are not counted). */
  sends: Record<string, { sent: number; failed: number; capped: number }>;
  /** Messages sent to contacts per local calendar day (each contact's own time zone). */
  messagesPerDay: { date: string; total: number; byChannel: Record<string, number> }[];
  /** What was drawn: counts per attribute value, time zone and event. */
  population: {
    attributes: Record<string, Record<string, number>>;
    timezones: Record<string, number>;
    events: Record<string, number>;
  };
  warnings: CohortWarning[];
}

/** The address a synthetic contact gets for each channel: the first address kind that reaches it. */
const channelKinds = (reach: Plan['reach']): [string, string][] =>
  Object.entries(reachOf(reach)).flatMap(([channel, kinds]) => (kinds[0] ? [[channel, kinds[0]]] : []));

/** mulberry32: a tiny, well-mixed 32-bit PRNG. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** A uniform number in [0, 1) for one draw, keyed by what is drawn. */
function uniform(key: string): number {
  return mulberry32(Math.round(stableFraction(key) * 0x1_0000_0000))();
}

function toMs(value: DurationInput, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a duration ≥ 0.`);
    return value;
  }
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new RangeError(`${what}: ${parsed.message}`);
  return parsed.ms;
}

function probability(value: number, what: string): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${what} must be a probability from 0 to 1.`);
  return value;
}

function entriesOf(distribution: Distribution, what: string): [Scalar, number][] {
  const entries: [Scalar, number][] = Array.isArray(distribution)
    ? distribution.map((d) => [d.value, d.weight])
    : Object.entries(distribution);
  for (const [value, weight] of entries) {
    if (!(weight >= 0 && Number.isFinite(weight)))
      throw new RangeError(`${what}: the weight of "${String(value)}" must be a number ≥ 0.`);
  }
  return entries;
}

/** Draws from a distribution; undefined when the draw falls in the unset remainder. */
function pick(entries: [Scalar, number][], u: number): Scalar | undefined {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  // Weights adding up to 1 (give or take rounding) or more are shares of the whole.
  const relative = total >= 1 - 1e-9;
  let point = u * (relative ? total : 1);
  for (const [value, weight] of entries) {
    point -= weight;
    if (point < 0) return value;
  }
  return relative ? entries[entries.length - 1]?.[0] : undefined;
}

/** The synthetic contacts a cohort run uses: deterministic for the options. */
export function buildCohort(options: CohortOptions): SyntheticContact[] {
  const { size } = options;
  if (!Number.isInteger(size) || size < 0) throw new RangeError('size must be a whole number ≥ 0.');
  const seed = String(options.seed ?? 1);
  const span = options.enrollOver === undefined ? 0 : toMs(options.enrollOver, 'enrollOver');
  const attributes = Object.entries(options.attributes ?? {}).map(
    ([name, d]) => [name, entriesOf(d, `attributes.${name}`)] as const,
  );
  const zones = options.timezones ? entriesOf(options.timezones, 'timezones') : [];
  for (const [zone] of zones) {
    if (!isTimeZone(String(zone))) throw new RangeError(`timezones: "${String(zone)}" is not a time zone.`);
  }
  const addresses = channelKinds(options.reach).map(
    ([channel, field]) =>
      [channel, field, probability(options.addresses?.[channel] ?? 1, `addresses.${channel}`)] as const,
  );
  const unsubscribed = Object.entries(options.unsubscribed ?? {}).map(
    ([channel, p]) => [channel, probability(p, `unsubscribed.${channel}`)] as const,
  );
  const tags = Object.entries(options.tags ?? {}).map(
    ([tag, p]) => [tag, probability(p, `tags.${tag}`)] as const,
  );
  const events = (options.events ?? []).map((e, j) => {
    const min = e.after.min === undefined ? 0 : toMs(e.after.min, `events[${j}].after.min`);
    const max = toMs(e.after.max, `events[${j}].after.max`);
    if (max < min) throw new RangeError(`events[${j}].after: max is before min.`);
    return { ...e, probability: probability(e.probability, `events[${j}].probability`), min, max };
  });

  const cohort: SyntheticContact[] = [];
  for (let i = 0; i < size; i++) {
    const key = `${seed}|${i}|`;
    const id = `sim-${seed}-${i + 1}`;
    const contact: ContactInput = { id, addresses: {}, attributes: {}, tags: [], unsubscribed: [] };
    for (const [name, entries] of attributes) {
      const value = pick(entries, uniform(`${key}attr:${name}`));
      if (value !== undefined) setOwn(contact.attributes!, name, value);
    }
    const zone = pick(zones, uniform(`${key}tz`));
    if (zone !== undefined) contact.timezone = String(zone);
    for (const [channel, field, p] of addresses) {
      if (uniform(`${key}addr:${channel}`) < p) setOwn(contact.addresses!, field, `${field}-${id}`);
    }
    for (const [channel, p] of unsubscribed) {
      if (uniform(`${key}unsub:${channel}`) < p) contact.unsubscribed!.push(channel);
    }
    for (const [tag, p] of tags) {
      if (uniform(`${key}tag:${tag}`) < p) contact.tags!.push(tag);
    }
    const scripted: ScriptedEvent[] = [];
    events.forEach((e, j) => {
      if (uniform(`${key}event:${j}`) >= e.probability) return;
      const at = Math.round(e.min + uniform(`${key}event:${j}:at`) * (e.max - e.min));
      scripted.push({ at, name: e.name, ...(e.payload ? { payload: e.payload } : {}) });
    });
    const enrolledAt = options.startAt + (size > 0 ? Math.floor((i * span) / size) : 0);
    const prior = options.priorSends;
    const priorSends =
      typeof prior === 'function' ? prior(Contact.parse(contact), i, enrolledAt) : [...(prior ?? [])];
    cohort.push({ contact, enrolledAt, events: scripted, priorSends });
  }
  return cohort;
}

/**
 * Counts are kept in records keyed by names from the flow and the spec (exits, channels,
 * attributes, time zones): read and written as own properties, so a name such as `constructor` or
 * `__proto__` counts like any other instead of reaching the prototype (or the global `Object`).
 */
function setOwn<T>(record: Record<string, T>, key: string, value: T): T {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  return value;
}
function slot<T>(record: Record<string, T>, key: string, make: () => T): T {
  return Object.hasOwn(record, key) ? record[key]! : setOwn(record, key, make());
}
const bump = <K extends string>(record: Record<K, number>, key: K, by = 1) => {
  setOwn(record, key, (Object.hasOwn(record, key) ? record[key] : 0) + by);
};

function localParts(at: number, zone: string): { date: string; minute: number } {
  const local = DateTime.fromMillis(at, { zone });
  return { date: local.toISODate()!, minute: local.hour * 60 + local.minute };
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

interface SendRecord {
  nodeId: string;
  channel: string;
  at: number;
  date: string;
  minute: number;
  /** The send was held by quiet hours and went out when they ended. */
  released: boolean;
}

/** Runs a cohort of synthetic contacts through a plan and sums up what happened. */
export function simulateCohort(plan: Plan, options: CohortOptions): CohortReport {
  const cohort = buildCohort({ ...options, reach: options.reach ?? plan.reach });
  const horizonMs = toMs(options.horizon ?? 'P30D', 'horizon');
  const order = Object.keys(plan.nodes);
  type FunnelEntry = FunnelStep & { seen: Set<string> };
  /** A step of the funnel no contact has reached yet. */
  const unreached = (nodeId: string, type: string, label?: string): FunnelEntry => ({
    nodeId,
    type,
    ...(label ? { label } : {}),
    entered: 0,
    contacts: 0,
    left: {},
    ended: 0,
    stillThere: 0,
    suppressed: {},
    held: {},
    seen: new Set(),
  });
  const funnel = new Map<string, FunnelEntry>();
  for (const nodeId of order) {
    const node = plan.nodes[nodeId]!;
    funnel.set(nodeId, unreached(nodeId, node.type, node.label));
  }
  const step = (nodeId: string) => {
    let entry = funnel.get(nodeId);
    if (!entry) {
      entry = unreached(nodeId, 'unknown');
      funnel.set(nodeId, entry);
    }
    return entry;
  };
  const outcomes = { exited: 0, converted: 0, failed: 0, cancelled: 0, running: 0 };
  const failures = new Map<string, { nodeId: string; reason: string; contacts: number }>();
  const sends: CohortReport['sends'] = {};
  const perDay = new Map<string, { total: number; byChannel: Record<string, number> }>();
  const population: CohortReport['population'] = { attributes: {}, timezones: {}, events: {} };
  let endAt = options.startAt;

  const quiet = plan.settings.quietHours;
  const quietEnd = quiet && quiet.start !== quiet.end ? minutesOf(quiet.end) : undefined;
  const pileWindow = options.quietPile?.windowMinutes ?? 15;
  const pile = new Map<string, { pile: number; nodes: Set<string>; contacts: Set<string> }>();

  const cap = plan.settings.frequencyCap;
  const capHits = { count: 0, contacts: 0, nodes: new Set<string>() };
  const reference = options.dailyCapReference ?? 3;
  const busy = { contactDays: 0, contacts: 0, worst: 0, nodes: new Set<string>(), dates: new Set<string>() };
  const limits = applyQuotas(options.limits ?? [], options.quotas);
  /** What broke each limit on each channel, keyed by limit id and channel. */
  const overQuota = new Map<
    string,
    {
      limit: RecipientLimit;
      channel: string;
      contacts: number;
      count: number;
      nodes: Set<string>;
      periods: Set<string>;
    }
  >();

  for (const member of cohort) {
    const contact = Contact.parse(member.contact);
    const zone = contactZone(plan, contact);
    for (const [name, value] of Object.entries(contact.attributes)) {
      bump(
        slot(population.attributes, name, () => ({})),
        String(value),
      );
    }
    bump(population.timezones, contact.timezone ?? `${plan.settings.timezone} (flow)`);
    for (const e of member.events) bump(population.events, e.name);

    const result = simulate(plan, {
      contact,
      startAt: member.enrolledAt,
      event: options.event ?? {},
      events: member.events,
      priorSends: member.priorSends,
      horizonMs,
      ...(options.responses ? { responses: options.responses } : {}),
    });
    endAt = Math.max(endAt, result.endAt);

    let current: string | null = null;
    let heldByQuiet: string | null = null;
    let capped = false;
    const mine: SendRecord[] = [];
    for (const entry of result.timeline) {
      switch (entry.kind) {
        case 'enter': {
          const s = step(entry.nodeId);
          s.entered++;
          s.seen.add(contact.id);
          current = entry.nodeId;
          break;
        }
        case 'leave':
          bump(step(entry.nodeId).left, entry.exit);
          if (current === entry.nodeId) current = null;
          break;
        case 'wait':
          heldByQuiet = entry.reason === 'quiet-hours' ? entry.nodeId : null;
          break;
        case 'suppressed': {
          const s = step(entry.nodeId);
          bump(entry.until === undefined ? s.suppressed : s.held, entry.reason);
          break;
        }
        case 'send': {
          if (entry.to !== contact.id) break;
          slot(sends, entry.channel, () => ({ sent: 0, failed: 0, capped: 0 }))[entry.status]++;
          const released = heldByQuiet === entry.nodeId;
          heldByQuiet = null;
          if (entry.status === 'capped') {
            capHits.count++;
            capHits.nodes.add(entry.nodeId);
            capped = true;
          }
          if (entry.status !== 'sent') break;
          const { date, minute } = localParts(entry.at, zone);
          mine.push({ nodeId: entry.nodeId, channel: entry.channel, at: entry.at, date, minute, released });
          break;
        }
        default:
          break;
      }
    }
    if (capped) capHits.contacts++;

    const outcome: RunOutcome | null = result.outcome;
    if (current !== null) {
      if (outcome) step(current).ended++;
      else step(current).stillThere++;
    }
    if (!outcome) outcomes.running++;
    else {
      outcomes[outcome.kind]++;
      if (outcome.kind === 'failed') {
        const key = `${outcome.nodeId}\u0000${outcome.reason}`;
        const f = failures.get(key) ?? { nodeId: outcome.nodeId, reason: outcome.reason, contacts: 0 };
        f.contacts++;
        failures.set(key, f);
      }
    }

    // Messages per day, and quiet-hours releases.
    const daily = new Map<string, { count: number; nodes: Set<string> }>();
    for (const s of mine) {
      const day = perDay.get(s.date) ?? { total: 0, byChannel: {} };
      day.total++;
      bump(day.byChannel, s.channel);
      perDay.set(s.date, day);
      const d = daily.get(s.date) ?? { count: 0, nodes: new Set<string>() };
      d.count++;
      d.nodes.add(s.nodeId);
      daily.set(s.date, d);
      if (quietEnd !== undefined && s.released) {
        const after = (s.minute - quietEnd + 1440) % 1440;
        if (after < pileWindow) {
          const p = pile.get(s.date) ?? { pile: 0, nodes: new Set<string>(), contacts: new Set<string>() };
          p.pile++;
          p.nodes.add(s.nodeId);
          p.contacts.add(contact.id);
          pile.set(s.date, p);
        }
      }
    }

    // Without a cap: days a contact would get more messages than the reference (other flows included).
    if (!cap) {
      for (const at of member.priorSends) {
        const date = localParts(at, zone).date;
        const d = daily.get(date);
        if (d) d.count++;
      }
      let over = false;
      for (const [date, d] of daily) {
        if (d.count <= reference) continue;
        over = true;
        busy.contactDays++;
        busy.worst = Math.max(busy.worst, d.count);
        busy.dates.add(date);
        for (const n of d.nodes) busy.nodes.add(n);
      }
      if (over) busy.contacts++;
    }

    // Providers' quotas per recipient, each channel counted apart (customers apart from groups).
    for (const limit of limits)
      for (const channel of limit.channels) {
        const periods = new Map<string, { count: number; max: number; text: string; nodes: Set<string> }>();
        for (const s of mine) {
          if (s.channel !== channel) continue;
          const period = quotaPeriod(s.at, limit);
          const p = periods.get(period.key) ?? {
            count: 0,
            max: period.max,
            text: period.text,
            nodes: new Set(),
          };
          p.count++;
          p.nodes.add(s.nodeId);
          periods.set(period.key, p);
        }
        let over = false;
        for (const p of periods.values()) {
          if (p.count <= p.max) continue;
          over = true;
          const key = `${limit.id}\u0000${channel}`;
          const w = overQuota.get(key) ?? {
            limit,
            channel,
            contacts: 0,
            count: 0,
            nodes: new Set(),
            periods: new Set(),
          };
          w.count += p.count - p.max;
          for (const n of p.nodes) w.nodes.add(n);
          w.periods.add(p.text);
          overQuota.set(key, w);
        }
        if (over) overQuota.get(`${limit.id}\u0000${channel}`)!.contacts++;
      }
  }

  const inPlanOrder = (ids: Iterable<string>) => {
    const set = new Set(ids);
    return [...order.filter((id) => set.has(id)), ...[...set].filter((id) => !order.includes(id)).sort()];
  };
  const { size } = options;
  const warnings: CohortWarning[] = [];

  if (cap && capHits.count > 0) {
    const skip = cap.onCap === 'skip';
    warnings.push({
      code: 'frequency_cap_hit',
      message: `${capHits.count} sends to ${capHits.contacts} of ${size} contacts hit the frequency cap (${cap.max} in ${describeDuration(cap.per)}) and were ${skip ? 'skipped' : 'held back'}.`,
      messageZh: `${size} 个联系人中有 ${capHits.contacts} 个的 ${capHits.count} 条消息触达频次上限（每 ${describeDuration(cap.per, 'zh')} 最多 ${cap.max} 条），已${skip ? '跳过' : '推迟发送'}。`,
      nodeIds: inPlanOrder(capHits.nodes),
      contacts: capHits.contacts,
      count: capHits.count,
    });
  }
  if (!cap && busy.contacts > 0) {
    warnings.push({
      code: 'many_per_day',
      message: `${busy.contacts} of ${size} contacts would get more than ${reference} messages in one day (up to ${busy.worst}), and the flow has no frequency cap.`,
      messageZh: `${size} 个联系人中有 ${busy.contacts} 个会在一天内收到超过 ${reference} 条消息（最多 ${busy.worst} 条），而流程没有设置频次上限。`,
      nodeIds: inPlanOrder(busy.nodes),
      contacts: busy.contacts,
      count: busy.contactDays,
      dates: [...busy.dates].sort(),
    });
  }
  if (quiet && quietEnd !== undefined) {
    const share = options.quietPile?.share ?? 0.3;
    const min = options.quietPile?.min ?? 20;
    const days = [...pile.entries()]
      .filter(([date, p]) => p.pile > min && p.pile / (perDay.get(date)?.total ?? p.pile) > share)
      .sort(([a], [b]) => a.localeCompare(b));
    if (days.length > 0) {
      const [worstDate, worst] = days.reduce((a, b) => (b[1].pile > a[1].pile ? b : a));
      const total = perDay.get(worstDate)?.total ?? worst.pile;
      const pct = Math.round((worst.pile / total) * 100);
      const contacts = new Set(days.flatMap(([, p]) => [...p.contacts])).size;
      warnings.push({
        code: 'quiet_hours_pile',
        message: `Quiet hours (${quiet.start}–${quiet.end}) hold sends and release them together: on ${worstDate}, ${worst.pile} of ${total} messages (${pct}%) go out in the first ${pileWindow} minutes after ${quiet.end}${days.length > 1 ? `, and ${days.length - 1} more day(s) look alike` : ''}. Schedule those sends for a time of day instead.`,
        messageZh: `免打扰时段（${quiet.start}–${quiet.end}）会把消息攒到结束时一起发出：${worstDate} 当天 ${total} 条消息中有 ${worst.pile} 条（${pct}%）在 ${quiet.end} 后 ${pileWindow} 分钟内发出${days.length > 1 ? `，另有 ${days.length - 1} 天情况类似` : ''}。建议改为在固定时间发送。`,
        nodeIds: inPlanOrder(days.flatMap(([, p]) => [...p.nodes])),
        contacts,
        count: days.reduce((sum, [, p]) => sum + p.pile, 0),
        dates: days.map(([date]) => date),
      });
    }
  }
  for (const limit of limits)
    for (const channel of limit.channels) {
      const w = overQuota.get(`${limit.id}\u0000${channel}`);
      if (!w) continue;
      const periods = [...w.periods].sort().join(', ');
      warnings.push({
        code: 'channel_quota_exceeded',
        limitId: w.limit.id,
        message: `${w.contacts} of ${size} contacts would get more ${w.limit.label.en} (${w.channel}) than one recipient may receive (${periods}); the extra ${w.count} would be refused. ${w.limit.message.en}`,
        messageZh: `${size} 个联系人中有 ${w.contacts} 个收到的${w.limit.label.zh}（${w.channel}）会超过每个接收方的上限（${periods}），超出的 ${w.count} 条会被拒绝。${w.limit.message.zh}`,
        nodeIds: inPlanOrder(w.nodes),
        contacts: w.contacts,
        count: w.count,
      });
    }

  return {
    size,
    seed: options.seed ?? 1,
    startAt: options.startAt,
    endAt,
    funnel: [...funnel.values()].map(({ seen, ...s }) => ({ ...s, contacts: seen.size })),
    outcomes,
    failures: [...failures.values()].sort(
      (a, b) => order.indexOf(a.nodeId) - order.indexOf(b.nodeId) || a.reason.localeCompare(b.reason),
    ),
    sends: Object.fromEntries(Object.entries(sends).sort(([a], [b]) => a.localeCompare(b))),
    messagesPerDay: [...perDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, d]) => ({
        date,
        total: d.total,
        byChannel: Object.fromEntries(Object.entries(d.byChannel).sort(([a], [b]) => a.localeCompare(b))),
      })),
    population,
    warnings,
  };
}
