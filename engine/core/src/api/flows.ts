import { z } from 'zod';
import type { CompileError } from '../flow/errors';
import type { Plan } from '../flow/plan';
import { Contact, FlowDocument, FlowId } from '../flow/schema';
import type { RunOutcome } from '../interpreter/interpreter';
import type { TimelineEntry } from '../simulate/simulate';
import { ContactPatch, ContactTimeZone } from './contacts';
import { MessageStatusCounts } from './message-statuses';
import { Points, VersionNumber, VersionText } from './numbers';
import { pageLimit } from './query';

/**
 * Flows: drafts, templates, publishing, versions, rollback, dry-runs, enrollment, live migration,
 * pause / resume / stop, archive / restore, export / import and statistics.
 */

/** A value the core types as a TypeScript interface (no zod schema of its own): any JSON object. */
const object = <T>() => z.custom<T>((value) => typeof value === 'object' && value !== null);

/** What the compiler says is wrong with a document (`CompileError` of the core). */
export const CompileErrorAnswer = object<CompileError>().meta({
  description: 'A compile error: { code, message, nodeId?, ... }.',
});

export const FlowStatus = z.enum(['draft', 'live', 'paused', 'stopped', 'archived']);
export type FlowStatus = z.infer<typeof FlowStatus>;

/** What every answer about a flow says of it. */
const flowBase = {
  id: z.string(),
  name: z.string(),
  status: FlowStatus,
  latestVersion: z.number().nullable(),
};

/** A flow as lists show it. */
export const FlowSummary = z.object({
  ...flowBase,
  updatedAt: z.string(),
  runningNow: z
    .number()
    .int()
    .nullable()
    .optional()
    .meta({
      description:
        'With `counts=true`: running journeys of the flow now (`SopflowFlowId = "<id>" AND ExecutionStatus = ' +
        '"Running"`); 0 for a flow never published; null when Temporal did not answer in time.',
    }),
});
export type FlowSummary = z.infer<typeof FlowSummary>;

/** `GET /api/flows`. */
export const FlowListQuery = z.object({
  archived: z.enum(['true', 'false']).optional().meta({ description: 'List the archived flows instead.' }),
  counts: z.enum(['true', 'false']).optional().meta({
    description:
      'Add `runningNow` to each flow: how many contacts are in it now, counted by Temporal visibility.',
  }),
});
export type FlowListQuery = z.infer<typeof FlowListQuery>;

export const FlowList = z.object({ flows: z.array(FlowSummary) });
export type FlowList = z.infer<typeof FlowList>;

/** A flow with its links, as single-flow answers show it. */
export const FlowView = z.object({
  ...flowBase,
  webhookUrl: z.string(),
  temporalUrl: z.string().meta({ description: "The Temporal UI's list of this flow's runs." }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FlowView = z.infer<typeof FlowView>;

/** `GET /api/flows/{id}`, `POST /api/flows/from-template`. */
export const FlowAnswer = z.object({ flow: FlowView, draft: FlowDocument });
export type FlowAnswer = z.infer<typeof FlowAnswer>;

/** `PUT /api/flows/{id}`: saved, with the draft's compile errors (a draft with errors is saved). */
/** A limit the flow will run into, said before it runs; it does not stop publishing. */
export const CompileWarningAnswer = z.object({
  code: z.string(),
  nodeId: z.string().optional(),
  limitId: z.string().optional(),
  message: z.string(),
  messageZh: z.string(),
});

export const FlowSaved = z.object({
  flow: FlowView,
  errors: z.array(CompileErrorAnswer),
  warnings: z.array(CompileWarningAnswer),
});
export type FlowSaved = z.infer<typeof FlowSaved>;

/** `POST /api/flows/{id}/validate`. */

export const FlowValidation = z.object({
  ok: z.boolean(),
  errors: z.array(CompileErrorAnswer),
  /** Limit warnings (frequency cap, quiet hours, channel quotas), when it compiles. */
  warnings: z.array(CompileWarningAnswer),
});
export type FlowValidation = z.infer<typeof FlowValidation>;

/** `GET /api/templates`. */
export const TemplateSummary = z.object({
  id: z.string(),
  name: z.object({ zh: z.string(), en: z.string() }),
  description: z.object({ zh: z.string(), en: z.string() }),
  locales: z.array(z.string()),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;

export const TemplateList = z.object({ templates: z.array(TemplateSummary) });
export type TemplateList = z.infer<typeof TemplateList>;

/** `POST /api/flows/from-template`. */
export const FromTemplateBody = z.object({
  template: z.string().min(1),
  locale: z.enum(['zh', 'en']),
  id: FlowId,
});
export type FromTemplateBody = z.infer<typeof FromTemplateBody>;

/** `POST /api/flows/{id}/publish`. */
export const PublishBody = z.object({ note: z.string().max(2000).optional() }).default({});
export type PublishBody = z.input<typeof PublishBody>;

/** A version published (publish, rollback, import with publish=true). */
export const Published = z.object({
  flowId: z.string(),
  version: z.number(),
  /** The document is the latest version's already: that version is answered and none is made. */
  unchanged: z.literal(true).optional(),
  status: FlowStatus,
  /** What became of the flow's Temporal Schedule: synced, paused, none, or why not synced. */
  schedule: z.string(),
  /** The limit warnings of the published version (frequency cap, quiet hours, channel quotas). */
  warnings: z.array(CompileWarningAnswer),
});
export type Published = z.infer<typeof Published>;

/** `POST /api/flows/{id}/rollback`. */
export const RollbackBody = z.object({
  version: VersionNumber.meta({ description: 'The version whose document is published again.' }),
  note: z.string().max(2000).optional(),
});
export type RollbackBody = z.infer<typeof RollbackBody>;

export const RolledBack = Published.extend({ rolledBackTo: z.number() });
export type RolledBack = z.infer<typeof RolledBack>;

/** `POST /api/flows/{id}/stop`. */
export const StopBody = z.object({ reason: z.string().max(500).optional() }).default({});
export type StopBody = z.input<typeof StopBody>;

/** Pause, resume, stop, archive and restore: the flow's status now. */
export const FlowControlled = z.object({
  flowId: z.string(),
  status: FlowStatus,
  /** What became of the flow's Temporal Schedule (not for restore). */
  schedule: z.string().optional(),
  /** Stop: how many running runs were told to cancel. */
  cancelled: z.number().optional(),
});
export type FlowControlled = z.infer<typeof FlowControlled>;

/** A published version as the history lists it: no document, no plan. */
export const VersionSummary = z.object({
  version: z.number(),
  note: z.string().nullable(),
  publishedAt: z.string(),
});
export type VersionSummary = z.infer<typeof VersionSummary>;

export const VersionList = z.object({ versions: z.array(VersionSummary) });
export type VersionList = z.infer<typeof VersionList>;

/** What `GET /api/flows/{id}/export` answers and `POST /api/flows/import` takes. */
export const FlowExport = z.object({
  sopflowExport: z.literal(1),
  exportedAt: z.string(),
  flow: z.object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    latestVersion: z.number().nullable(),
  }),
  draft: FlowDocument,
  published: VersionSummary.extend({ document: FlowDocument }).nullable(),
});
export type FlowExport = z.infer<typeof FlowExport>;

/** `POST /api/flows/import`: an export file or a bare flow document. */
export const FlowImportBody = z.union([FlowExport, FlowDocument]);
export type FlowImportBody = z.input<typeof FlowImportBody>;

export const FlowImportQuery = z.object({
  id: FlowId.optional().meta({ description: "Import under this id instead of the document's." }),
  overwrite: z.enum(['true', 'false']).optional().meta({ description: "Replace an existing flow's draft." }),
  publish: z.enum(['true', 'false']).optional().meta({ description: 'Publish it as well.' }),
});
export type FlowImportQuery = z.infer<typeof FlowImportQuery>;

export const FlowImported = FlowSaved.extend({ published: Published.optional() });
export type FlowImported = z.infer<typeof FlowImported>;

/** A query's published version of a flow; the latest when left out. */
const publishedVersion = VersionText.optional().meta({
  description: 'A published version; the latest by default.',
});

/** `GET /api/flows/{id}/stats`. */
export const StatsQuery = z.object({
  version: publishedVersion,
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Start of the range (ISO-8601).' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'End of the range, exclusive.' }),
});
export type StatsQuery = z.infer<typeof StatsQuery>;

/** One step of a version in the statistics. */
export const NodeStats = z.object({
  nodeId: z.string(),
  type: z.string(),
  label: z.string().optional(),
  /** Entries into the step (a contact going round a loop counts each time). */
  entered: z.number(),
  /** Distinct contacts who entered. */
  contacts: z.number(),
  /** Departures by exit. */
  left: z.record(z.string(), z.number()),
  /** Sends of the step that did not go out, by reason: `no-address`, `opted-out`, `capped`. */
  suppressed: z.record(z.string(), z.number()),
  /** Sends of the step held for later, by reason: `quiet-hours`, `capped` (the cap's `defer`). */
  held: z.record(z.string(), z.number()),
  /** Journeys that ended in the step: at an exit, converted, failed or cancelled while there. */
  ended: z.number(),
  /** Journeys whose goal converted them while they were in this step. */
  converted: z.number(),
  /** The step's messages, by where each stands now in its lifecycle (queued, sent, delivered, read, failed, …). */
  messages: MessageStatusCounts,
  /** Running journeys waiting in this step now (Temporal visibility); null when unreachable. */
  waitingNow: z.number().nullable(),
  /** The Temporal UI's list of the runs waiting here. */
  temporalUrl: z.string(),
});
export type NodeStats = z.infer<typeof NodeStats>;

/**
 * A channel's messages of a version, by the send gate's state (sending counts as pending), and by
 * where each stands now in its lifecycle (`statuses`).
 */
export const MessageCounts = z.object({
  channel: z.string(),
  sent: z.number(),
  failed: z.number(),
  unconfirmed: z.number(),
  pending: z.number(),
  statuses: MessageStatusCounts,
});
export type MessageCounts = z.infer<typeof MessageCounts>;

export const FlowStats = z.object({
  flowId: z.string(),
  version: z.number(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  enrolled: z.number(),
  /** Running journeys of the version now; null when Temporal did not answer. */
  running: z.number().nullable(),
  /** Ended journeys by outcome: exited, converted, failed, cancelled. */
  finished: z.record(z.string(), z.number()),
  converted: z.number(),
  nodes: z.array(NodeStats),
  messages: z.array(MessageCounts),
  temporalUrl: z.string(),
  runningUrl: z.string(),
});
export type FlowStats = z.infer<typeof FlowStats>;

/** `GET /api/flows/{id}/nodes/{nodeId}/contacts`. */
export const NodeContactsQuery = z.object({
  version: publishedVersion,
  limit: pageLimit(500)
    .default(100)
    .meta({ description: 'At most this many contacts (1-500, 100 by default); `total` counts them all.' }),
});
export type NodeContactsQuery = z.infer<typeof NodeContactsQuery>;

/** A running journey standing in a step now, as Temporal's visibility sees it. */
export const ContactAtNode = z.object({
  contactId: z.string(),
  name: z.string().nullable(),
  workflowId: z.string(),
  runId: z.string(),
  /** When the run (this continue-as-new link of it) started, ISO-8601. */
  startedAt: z.string(),
  /** This run in the Temporal UI. */
  temporalUrl: z.string(),
});
export type ContactAtNode = z.infer<typeof ContactAtNode>;

export const NodeContacts = z.object({
  flowId: z.string(),
  version: z.number(),
  nodeId: z.string(),
  total: z.number(),
  contacts: z.array(ContactAtNode),
  temporalUrl: z.string().meta({ description: "The Temporal UI's list of these runs." }),
});
export type NodeContacts = z.infer<typeof NodeContacts>;

/** The path of `GET /api/flows/{id}/versions/{version}`. */
export const FlowVersionPath = z.object({ id: z.string(), version: VersionText });
export type FlowVersionPath = z.infer<typeof FlowVersionPath>;

/** `GET /api/flows/{id}/versions/{version}`: a published version, its document and plan. */
export const FlowVersion = VersionSummary.extend({
  flowId: z.string(),
  document: FlowDocument,
  plan: object<Plan>().meta({ description: 'The compiled plan the version runs.' }),
});
export type FlowVersion = z.infer<typeof FlowVersion>;

/** `GET /api/flows/{id}/webhook`. */
export const WebhookInfo = z.object({ url: z.string(), secret: z.string(), signatureHeader: z.string() });
export type WebhookInfo = z.infer<typeof WebhookInfo>;

/** A contact as a request gives it: its time zone checked as contact writes check it. */
const GivenContact = Contact.extend({ timezone: ContactTimeZone.optional(), points: Points.default(0) });

/** `POST /api/flows/{id}/enroll`, and the body of a flow's signed webhook. */
export const EnrollBody = z.object({
  contact: GivenContact,
  event: z.record(z.string(), z.unknown()).optional(),
});
export type EnrollBody = z.input<typeof EnrollBody>;

/**
 * `POST /api/flows/{id}/webhook/test`: what the flow's own webhook answered a delivery the server
 * signed with the flow's secret (the builder's "send a test delivery"), status and body as a
 * sender would see them.
 */
export const WebhookTestAnswer = z.object({
  status: z.number().int(),
  answer: z.unknown().meta({ description: "The webhook's JSON answer: an enrollment or an error." }),
});
export type WebhookTestAnswer = z.infer<typeof WebhookTestAnswer>;

/** What an enrollment did: started a run, found one already running, or refused the contact. */
export const EnrollResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('enrolled'), workflowId: z.string(), runId: z.string(), version: z.number() }),
  z.object({ status: z.literal('already-enrolled'), workflowId: z.string() }),
  z.object({ status: z.literal('not-eligible'), workflowId: z.string(), reason: z.string() }),
]);
export type EnrollResult = z.infer<typeof EnrollResult>;

/** An enrollment's answer: its result and the run in the Temporal UI. */
export const EnrollAnswer = z.intersection(EnrollResult, z.object({ temporalUrl: z.string() }));
export type EnrollAnswer = z.infer<typeof EnrollAnswer>;

/** `POST /api/flows/{id}/migrate`. */
export const MigrationRequest = z.object({
  /** The published version whose running contacts move. */
  from: VersionNumber,
  /** The version they move to; the latest by default. */
  to: VersionNumber.optional(),
  /** Old node id → new node id; contacts at other nodes stay on their version. */
  mapping: z
    .record(z.string(), z.string())
    .refine((m) => Object.keys(m).length > 0, { error: 'Map at least one node. / 请至少映射一个步骤。' }),
  /** Only count who would move. @default false */
  preview: z.boolean().default(false),
});
export type MigrationRequest = z.infer<typeof MigrationRequest>;
/** The migration as a client sends it (`preview` may be left out). */
export type MigrationBody = z.input<typeof MigrationRequest>;

export const MigrationReport = z.object({
  from: z.number(),
  to: z.number(),
  /** Per mapped old node: contacts waiting there, and (when applied) how many were signalled. */
  nodes: z.array(z.object({ from: z.string(), to: z.string(), waiting: z.number(), signalled: z.number() })),
});
export type MigrationReport = z.infer<typeof MigrationReport>;

/** `POST /api/flows/{id}/simulate`: whom an enrollment would take, and what then happens to them. */
const scriptedAt = z.union([z.number().min(0), z.string()]);
export const SimulateBody = EnrollBody.extend({
  /** Events for the contact, and changes to the contact (`{ at, contact }`), after enrollment. */
  events: z
    .array(
      z.union([
        z.object({
          at: scriptedAt,
          name: z.string().min(1),
          payload: z.record(z.string(), z.unknown()).optional(),
        }),
        z
          .object({ at: scriptedAt, contact: ContactPatch.omit({ id: true }) })
          .meta({ description: 'The contact changes, as PUT /api/contacts/{id} would change it.' }),
      ]),
    )
    .max(1000)
    .optional(),
  /** When the contact enters, ISO-8601; now by default. */
  startAt: z.iso.datetime({ offset: true }).optional(),
  /** A published version to simulate; the draft by default. */
  version: VersionNumber.optional(),
});
export type SimulateBody = z.input<typeof SimulateBody>;

/** The timeline one contact would live, on a virtual clock (ms since the epoch). */
export const SimulateAnswer = z.object({
  timeline: z.array(object<TimelineEntry>()),
  /** The timeline as lines a person reads, in the flow's time zone. */
  lines: z.array(z.string()),
  /** How the contact left, or null when the flow was still running at the horizon. */
  outcome: object<RunOutcome>().nullable(),
  /** The contact as the flow left it (tags, points, attributes). */
  contact: Contact,
  startAt: z.number(),
  endAt: z.number(),
  /** Set when the simulation stopped at its limits, with the flow still running. */
  truncated: z.literal(true).optional(),
});
export type SimulateAnswer = z.infer<typeof SimulateAnswer>;
