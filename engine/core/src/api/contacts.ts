import { z } from 'zod';
import { isAddressKindName } from '../flow/contact-addresses';
import { isTimeZone } from '../flow/local-time';
import { Contact } from '../flow/schema';
import { Issue } from './errors';
import { MessageStatusEntry } from './message-statuses';
import { Points } from './numbers';
import { pageLimit } from './query';

const optionalText = (max: number) => z.string().max(max).nullable().optional();

/**
 * A contact's time zone as a request gives it, wherever a contact is written or enrolled: a
 * misspelt zone would silently fall back to the flow's and send at the wrong local time.
 */
export const ContactTimeZone = z.string().max(64).refine(isTimeZone, {
  error: 'Not an IANA time zone such as Asia/Shanghai. / 不是 IANA 时区名，例如 Asia/Shanghai。',
});

/**
 * A change to a contact (`PUT /api/contacts/{id}`, each row of an import). Fields left out stay as
 * they are. `addresses` are keyed by address kind, the kinds the server's connectors declare
 * (`GET /api/connectors`); each replaces the one of its kind, `null` removes it. As a shorthand, a
 * top-level field named after a kind is that address (`{ "id": "c1", "email": "a@b.c" }`). Attributes are merged (a key set to null is removed); `tags`
 * and `unsubscribed` (a list) replace, while `unsubscribed` as `{ channel: true | false }` opts in
 * or out per channel. `points` sets the balance, and the difference goes to the points ledger.
 */
export const ContactPatch = z
  .object({
    id: z.string().min(1).max(200),
    name: optionalText(200),
    addresses: z
      .record(
        z.string().refine(isAddressKindName, {
          error:
            'Not an address kind name: a letter, then letters and digits. / 不是有效的地址类型名：以字母开头，后跟字母和数字。',
        }),
        z.string().min(1).max(320).nullable(),
      )
      .optional()
      .meta({
        description:
          'Address kind → address (null removes it); the kinds are those of GET /api/connectors. Shorthand: ' +
          'a top-level field named after a kind, e.g. "email".',
      }),
    timezone: ContactTimeZone.nullable().optional(),
    attributes: z.record(z.string().min(1).max(100), z.unknown()).optional(),
    tags: z.array(z.string().min(1).max(100)).max(500).optional(),
    points: Points.optional(),
    unsubscribed: z
      .union([z.array(z.string().min(1).max(32)).max(50), z.record(z.string().min(1).max(32), z.boolean())])
      .optional(),
  })
  .strict();
export type ContactPatch = z.infer<typeof ContactPatch>;

/** The body of `PUT /api/contacts/{id}`: a patch whose id, when given, is the one in the path. */
export const ContactPutBody = ContactPatch.omit({ id: true }).extend({
  id: z.string().min(1).max(200).optional(),
});
export type ContactPutBody = z.infer<typeof ContactPutBody>;

export const ContactSaved = z.object({ contact: Contact, created: z.boolean() });
export type ContactSaved = z.infer<typeof ContactSaved>;

/** `GET /api/contacts`. */
export const ContactListQuery = z.object({
  q: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'Start of the id or of any address, or part of the name.' }),
  tag: z.string().max(100).optional(),
  unsubscribed: z
    .string()
    .max(32)
    .optional()
    .meta({ description: 'Only contacts unsubscribed from this channel.' }),
  after: z.string().max(200).optional().meta({ description: 'The `next` of the previous page.' }),
  limit: pageLimit(500).optional(),
});
export type ContactListQuery = z.infer<typeof ContactListQuery>;

export const ContactPage = z.object({
  contacts: z.array(Contact),
  /** The `after` of the next page; null on the last one. */
  next: z.string().nullable(),
});
export type ContactPage = z.infer<typeof ContactPage>;

export const Enrollment = z.object({
  workflowId: z.string(),
  runId: z.string(),
  flowId: z.string(),
  version: z.number(),
  startedAt: z.string(),
  status: z.enum(['running', 'finished']),
  /** The step a running journey waits at (null when Temporal did not say). */
  waitingAt: z.string().nullable().optional(),
  finishedAt: z.string().nullable(),
  outcome: z.looseObject({ kind: z.string(), nodeId: z.string().nullable() }).nullable(),
  finalVersion: z.number().nullable(),
  temporalUrl: z.string(),
});
export type Enrollment = z.infer<typeof Enrollment>;

/**
 * A step of a contact's journey: `enter`, `leave` (with its `exit`), or `suppressed`: a send of
 * the step that did not go out, on `channel` for `reason` (`no-address`, `opted-out`, `capped`,
 * `quiet-hours`), held until `until` when it was held rather than skipped.
 */
export const JourneyStep = z.object({
  workflowId: z.string(),
  flowId: z.string(),
  version: z.number(),
  nodeId: z.string(),
  kind: z.string(),
  exit: z.string().optional(),
  channel: z.string().optional(),
  reason: z.string().optional(),
  until: z.string().optional(),
  at: z.string(),
});
export type JourneyStep = z.infer<typeof JourneyStep>;

export const Delivery = z.object({
  idempotencyKey: z.string(),
  flowId: z.string(),
  version: z.number(),
  nodeId: z.string(),
  channel: z.string(),
  connector: z.string(),
  /** The send gate's state: `pending`, `sending`, `sent`, `failed` or `unconfirmed` (a send cut off mid-call). */
  status: z.string(),
  error: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  /** Where the message stands now in its lifecycle. */
  lifecycle: MessageStatusEntry,
  /**
   * Each status it went through, in the order sopflow learned them (the contact's timeline of it);
   * `at` is the provider's time, which may be coarser than ours (whole seconds).
   */
  statuses: z.array(MessageStatusEntry),
});
export type Delivery = z.infer<typeof Delivery>;

export const ContactEvent = z.object({
  id: z.string().nullable(),
  name: z.string(),
  payload: z.unknown(),
  receivedAt: z.string(),
});
export type ContactEvent = z.infer<typeof ContactEvent>;

/** A line of the points ledger. */
export const PointsLedgerEntry = z.object({
  points: z.number(),
  reason: z.string(),
  flowId: z.string().nullable(),
  nodeId: z.string().nullable(),
  at: z.string(),
});
export type PointsLedgerEntry = z.infer<typeof PointsLedgerEntry>;

/** `GET /api/contacts/{id}`: a contact and its history, newest first. */
/** A step as the version a contact ran names it: its type and the operator's label, if any. */
export const StepName = z.object({ type: z.string(), label: z.string().optional() });
export type StepName = z.infer<typeof StepName>;

/**
 * The flows a contact's history mentions: each flow's name, and for each version its steps by id,
 * so a journey reads in the operator's words rather than step ids.
 */
export const HistoryFlows = z.record(
  z.string(),
  z.object({ name: z.string(), versions: z.record(z.string(), z.record(z.string(), StepName)) }),
);
export type HistoryFlows = z.infer<typeof HistoryFlows>;

export const ContactHistory = z.object({
  contact: Contact.extend({ createdAt: z.string(), updatedAt: z.string() }),
  flows: HistoryFlows,
  enrollments: z.array(Enrollment),
  journey: z.array(JourneyStep),
  deliveries: z.array(Delivery),
  events: z.array(ContactEvent),
  points: z.array(PointsLedgerEntry),
});
export type ContactHistory = z.infer<typeof ContactHistory>;

export const ImportFormat = z.enum(['csv', 'json', 'ndjson']);
export type ImportFormat = z.infer<typeof ImportFormat>;

/** `POST /api/contacts/import`. */
export const ContactImportQuery = z.object({
  format: ImportFormat.optional().meta({
    description: 'By default from the content type: text/csv, application/json, application/x-ndjson.',
  }),
  columns: z
    .string()
    .optional()
    .meta({
      description:
        'CSV only: what each column fills, as JSON: header → target or [targets], e.g. ' +
        '{"手机号":["id","addresses.phone"],"城市":"attributes.city","备注":"skip"}. A header not named ' +
        'here fills what it names (see the column list), else the attribute of its name.',
    }),
});
export type ContactImportQuery = z.infer<typeof ContactImportQuery>;

export const ImportRowError = z.object({
  /** The CSV or NDJSON line, or the position in a JSON array (1-based). */
  row: z.number(),
  id: z.string().optional(),
  message: z.string(),
  issues: z.array(Issue).optional(),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

export const ImportReport = z.object({
  received: z.number(),
  imported: z.number(),
  created: z.number(),
  updated: z.number(),
  failed: z.number(),
  errors: z.array(ImportRowError),
  errorsTruncated: z.boolean(),
});
export type ImportReport = z.infer<typeof ImportReport>;

/** What erasing a contact did (`DELETE /api/contacts/:id`): counts only, never the contact's data. */
export const ContactErasure = z.object({
  erased: z.literal(true),
  /** The erasure's non-reversible reference (HMAC of the id), as the audit log names it. */
  reference: z.string(),
  runs: z.object({
    /** Runs that were still going and were terminated. */
    ended: z.number().int(),
    /** Runs whose Temporal history was deleted. */
    historiesDeleted: z.number().int(),
  }),
  /** Rows removed, or kept for statistics with nothing left that names the contact, per kind. */
  removed: z.object({
    contacts: z.number().int(),
    addresses: z.number().int(),
    events: z.number().int(),
    outbox: z.number().int(),
    deliveriesAnonymised: z.number().int(),
    enrollmentsAnonymised: z.number().int(),
    journeyStepsAnonymised: z.number().int(),
    pointsLedger: z.number().int(),
    contactUpdates: z.number().int(),
    connectorRecords: z.number().int(),
    webhookAnswers: z.number().int(),
    groupMemberships: z.number().int(),
    auditEntriesAnonymised: z.number().int(),
  }),
});
export type ContactErasure = z.infer<typeof ContactErasure>;
