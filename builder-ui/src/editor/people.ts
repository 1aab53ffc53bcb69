import type { Condition } from '@sopflow/core';
import type { CampaignRequest, CampaignState } from '../api/campaigns';
import type { ContactHistory, Delivery, Enrollment, ImportFormat, JourneyStep } from '../api/contacts';

/**
 * Pure helpers behind the Contacts and Campaigns pages: their hash routes, what an import file
 * is, an audience typed as text, the request a campaign form makes, whether a campaign is over, and
 * a contact's history grouped by journey.
 */

export type PeopleRoute = { kind: 'contacts'; id?: string } | { kind: 'campaigns' };

const CONTACTS = '#/contacts';
export const CAMPAIGNS_HASH = '#/campaigns';

export const contactsHash = (id?: string) =>
  id === undefined ? CONTACTS : `${CONTACTS}/${encodeURIComponent(id)}`;

/** The page a hash names, or undefined when it is not one of these pages (a flow, the gallery). */
export function peopleRouteOf(hash: string): PeopleRoute | undefined {
  if (hash === CAMPAIGNS_HASH) return { kind: 'campaigns' };
  if (hash === CONTACTS || hash === `${CONTACTS}/`) return { kind: 'contacts' };
  if (!hash.startsWith(`${CONTACTS}/`)) return undefined;
  try {
    return { kind: 'contacts', id: decodeURIComponent(hash.slice(CONTACTS.length + 1)) };
  } catch {
    return { kind: 'contacts' };
  }
}

/** The import format of a chosen file, by its name first (browsers rarely know NDJSON's type). */
export function importFormatOf(fileName: string, mimeType: string): ImportFormat | undefined {
  const name = fileName.toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return 'json';
  if (mimeType === 'text/csv') return 'csv';
  if (mimeType === 'application/json') return 'json';
  if (mimeType === 'application/x-ndjson') return 'ndjson';
  return undefined;
}

/** Contact ids pasted as text: one per line, or separated by commas, semicolons or spaces; each once. */
export function parseContactIds(text: string): string[] {
  const ids = text
    .split(/[\s,;，；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(ids)];
}

/** Who a campaign enrolls: always chosen, never a default (everyone is a deliberate choice). */
export type AudienceKind = 'ids' | 'condition' | 'everyone';

export interface CampaignForm {
  flowId: string;
  audience: AudienceKind;
  idsText: string;
  where: Condition;
  /** Start now, or at `at` (a `datetime-local` value, in the browser's time zone). */
  when: 'now' | 'at';
  at: string;
}

export type CampaignFormProblem = 'noFlow' | 'noIds' | 'tooManyIds' | 'noTime' | 'pastTime';

/** The API's limit on an explicit audience. */
export const MAX_CONTACT_IDS = 100_000;

/** The request a campaign form makes, or what is missing from it. */
export function campaignRequestOf(
  form: CampaignForm,
  now: number,
): { ok: true; request: CampaignRequest } | { ok: false; problem: CampaignFormProblem } {
  if (!form.flowId) return { ok: false, problem: 'noFlow' };
  let audience: CampaignRequest['audience'];
  if (form.audience === 'ids') {
    const contactIds = parseContactIds(form.idsText);
    if (contactIds.length === 0) return { ok: false, problem: 'noIds' };
    if (contactIds.length > MAX_CONTACT_IDS) return { ok: false, problem: 'tooManyIds' };
    audience = { contactIds };
  } else if (form.audience === 'condition') {
    audience = { where: form.where };
  } else {
    audience = { everyone: true };
  }
  const request: CampaignRequest = { flowId: form.flowId, audience };
  if (form.when === 'at') {
    const at = form.at ? new Date(form.at).getTime() : Number.NaN;
    if (Number.isNaN(at)) return { ok: false, problem: 'noTime' };
    if (at <= now) return { ok: false, problem: 'pastTime' };
    request.at = new Date(at).toISOString();
  }
  return { ok: true, request };
}

/** Whether a campaign can change no more (its numbers are final, it cannot be cancelled). */
export const campaignSettled = (state: CampaignState) =>
  state === 'done' || state === 'cancelled' || state === 'failed';

/** One journey of a contact through a flow: its enrollment, the steps it took and what was sent. */
export interface Journey {
  enrollment: Enrollment;
  /** Oldest first. */
  steps: JourneyStep[];
  /** Oldest first. */
  deliveries: Delivery[];
}

/**
 * A contact's history as journeys, newest first. A flow enrolls a contact again under the same
 * workflow id, and a delivery names only its flow, so each step or delivery belongs to the
 * latest journey of its run (or flow) that had started when it happened.
 */
export function journeysOf(
  history: Pick<ContactHistory, 'enrollments' | 'journey' | 'deliveries'>,
): Journey[] {
  const journeys: Journey[] = history.enrollments.map((enrollment) => ({
    enrollment,
    steps: [],
    deliveries: [],
  }));
  const newestFirst = [...journeys].sort(
    (a, b) => Date.parse(b.enrollment.startedAt) - Date.parse(a.enrollment.startedAt),
  );
  // Clocks differ a little between the API and the worker, so a step stamped just before its
  // journey's start still belongs to the oldest journey it could be part of.
  const ownerOf = (matches: (e: Enrollment) => boolean, at: string) => {
    const mine = newestFirst.filter((j) => matches(j.enrollment));
    return mine.find((j) => Date.parse(j.enrollment.startedAt) <= Date.parse(at)) ?? mine.at(-1);
  };
  for (const step of [...history.journey].reverse())
    ownerOf((e) => e.workflowId === step.workflowId, step.at)?.steps.push(step);
  for (const delivery of [...history.deliveries].reverse())
    ownerOf((e) => e.flowId === delivery.flowId, delivery.createdAt)?.deliveries.push(delivery);
  return journeys;
}
