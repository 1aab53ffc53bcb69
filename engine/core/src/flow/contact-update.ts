import { readPath } from './conditions';
import { daysBetween, localDate } from './local-time';
import type { Contact, ContactUpdate } from './schema';

/**
 * What an `update_contact` step does to a contact, as a pure function. The worker's activity
 * runs it inside a row-locked transaction and stores the result; the dry-run runs it as is.
 */

export interface PointsEntry {
  points: number;
  reason: string;
}

export interface ContactUpdateResult {
  contact: Contact;
  /** Every points change, for the ledger. */
  ledger: PointsEntry[];
  /** A referrer to credit, when the update names one and the data carries an id. */
  referral?: { contactId: string; points: number; reason: string };
}

/** The highest tier whose threshold the points reach, or undefined below every tier. */
export function tierFor(
  points: number,
  tiers: readonly { name: string; minPoints: number }[],
): string | undefined {
  let best: { name: string; minPoints: number } | undefined;
  for (const tier of tiers)
    if (points >= tier.minPoints && (!best || tier.minPoints > best.minPoints)) best = tier;
  return best?.name;
}

export function applyContactUpdate(
  contact: Contact,
  update: ContactUpdate,
  context: { at: number; zone: string; data: unknown },
): ContactUpdateResult {
  const attributes = { ...contact.attributes };
  const remove = new Set(update.removeTags ?? []);
  const tags = [...new Set([...contact.tags.filter((t) => !remove.has(t)), ...(update.addTags ?? [])])];
  const ledger: PointsEntry[] = [];
  let points = contact.points;

  if (update.points && update.points.add !== 0) {
    points += update.points.add;
    ledger.push({ points: update.points.add, reason: update.points.reason });
  }
  if (update.set) Object.assign(attributes, update.set);

  if (update.checkIn) {
    const today = localDate(context.at, context.zone);
    const last = typeof attributes.lastCheckIn === 'string' ? attributes.lastCheckIn : undefined;
    const streak = typeof attributes.checkInStreak === 'number' ? attributes.checkInStreak : 0;
    // Checking in twice a day counts once: the streak and the points move only on a new day.
    if (last !== today) {
      attributes.checkInStreak = last !== undefined && daysBetween(last, today) === 1 ? streak + 1 : 1;
      attributes.lastCheckIn = today;
      attributes.checkIns = (typeof attributes.checkIns === 'number' ? attributes.checkIns : 0) + 1;
      if (update.checkIn.points > 0) {
        points += update.checkIn.points;
        ledger.push({
          points: update.checkIn.points,
          reason: `check-in (streak ${attributes.checkInStreak})`,
        });
      }
    }
  }

  if (update.tiers) {
    const tier = tierFor(points, update.tiers);
    if (tier !== undefined) attributes.tier = tier;
  }

  let referral: ContactUpdateResult['referral'];
  if (update.creditReferrer) {
    const referrer = readPath(context.data, update.creditReferrer.field);
    if (
      (typeof referrer === 'string' && referrer !== '' && referrer !== contact.id) ||
      typeof referrer === 'number'
    ) {
      referral = {
        contactId: String(referrer),
        points: update.creditReferrer.points,
        reason: update.creditReferrer.reason || `referred ${contact.id}`,
      };
    }
  }

  return { contact: { ...contact, attributes, tags, points }, ledger, ...(referral ? { referral } : {}) };
}
