import { z } from 'zod';
import { Condition } from './conditions';
import { parseDuration } from './duration';
import { isTimeZone } from './local-time';

/**
 * The flow document: what an operator draws, what the API stores, what the compiler reads.
 * Every node type is one zod object with a `type` literal; `FlowNode` is their union.
 */

export const FLOW_SCHEMA_VERSION = 1;

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

export const NodeId = z
  .string()
  .regex(idPattern, { error: 'A node id is 1 to 64 letters, digits, "-" or "_".' });
export type NodeId = z.infer<typeof NodeId>;

export const FlowId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
  error: 'A flow id is 1 to 64 lower-case letters, digits, "-" or "_", starting with a letter or digit.',
});
export type FlowId = z.infer<typeof FlowId>;

/** A channel a message goes out on: a built-in one or the name of a registered connector. */
export const ChannelName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, { error: 'A channel name is lower-case letters, digits or "_".' });

/** Where a node sits on the canvas. Ignored by the compiler. */
export const Position = z.object({ x: z.number().finite(), y: z.number().finite() });

/** An ISO-8601 duration such as PT10M, PT2H, P1D or P1W. */
export const Duration = z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

/** Exit names the node types use themselves. */
const RESERVED_EXITS: ReadonlySet<string> = new Set([
  'next',
  'else',
  'failed',
  'event',
  'timeout',
  'done',
  'expired',
]);

const nodeBase = {
  id: NodeId,
  /** A name the operator gives the step; shown on the canvas. */
  label: z.string().max(200).optional(),
  position: Position.default({ x: 0, y: 0 }),
};

/** A field that an event's payload carries; declaring fields lets templates be checked. */
export const PayloadField = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'A payload field name is a plain identifier.' }),
  type: z.enum(['string', 'number', 'boolean', 'object', 'array']),
  required: z.boolean().default(false),
});
export type PayloadField = z.infer<typeof PayloadField>;

export const EventName = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, {
  error: 'An event name is letters, digits, ".", ":", "-" or "_", e.g. order.paid.',
});

/** A local time of day, 24-hour `HH:mm`. */
export const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'A time of day is written HH:mm, e.g. 08:00 or 20:30.' });

export const TimeZone = z
  .string()
  .refine(isTimeZone, { error: 'Not a time zone; use a name such as Asia/Shanghai.' });

const payload = z.array(PayloadField).max(100).optional();

export const WebhookTrigger = z.object({
  kind: z.literal('webhook'),
  /** The event name recorded for each delivery, e.g. `member.joined`. */
  event: EventName.default('webhook'),
  /** Fields of the payload; when given, `{{event.*}}` references are checked against them. */
  payload,
});

/** Starts the flow when an event is posted for a contact (`POST /api/events`). */
export const EventTrigger = z.object({
  kind: z.literal('event'),
  event: EventName,
  /** Only events whose payload matches start the flow; fields are `payload.*`. */
  filter: Condition.optional(),
  payload,
});

/** Contacts are enrolled one at a time by an operator or the API. */
export const ManualTrigger = z.object({ kind: z.literal('manual'), payload });

/** A broadcast: everyone matching `where` (or everyone) is enrolled when a campaign runs it. */
export const AudienceTrigger = z.object({ kind: z.literal('audience'), where: Condition.optional() });

/** A recurring enrollment on a Temporal Schedule. */
export const ScheduleTrigger = z.object({
  kind: z.literal('schedule'),
  /** Five-field cron, e.g. `0 20 * * *` for every evening at 20:00. */
  cron: z
    .string()
    .regex(/^\s*(\S+\s+){4}\S+\s*$/, { error: 'A cron expression has five fields, e.g. "0 20 * * *".' }),
  timezone: TimeZone.optional(),
  where: Condition.optional(),
});

export const Trigger = z.discriminatedUnion('kind', [
  WebhookTrigger,
  EventTrigger,
  ManualTrigger,
  AudienceTrigger,
  ScheduleTrigger,
]);
export type Trigger = z.infer<typeof Trigger>;

export const TriggerNode = z.object({ ...nodeBase, type: z.literal('trigger'), trigger: Trigger });
export type TriggerNode = z.infer<typeof TriggerNode>;

export const MessageContent = z.object({
  /** The message body; `{{contact.*}}`, `{{event.*}}` and `{{flow.*}}` are filled in per contact. */
  text: z.string().min(1, { error: 'The message is empty.' }).max(20_000),
  /** The subject line, for channels that have one (email). */
  subject: z.string().max(500).optional(),
  /** How `text` is written; `html` bodies are rendered with every value escaped. @default text */
  format: z.enum(['text', 'markdown', 'html']).optional(),
  /** Who to @mention in a group (templates, e.g. `{{ contact.wecomUserId }}`), or `@all`. */
  mentions: z.array(z.string().min(1).max(200)).max(50).optional(),
  /** A provider-approved template (SMS, Official Account) and its parameters (templates). */
  template: z
    .object({
      id: z.string().min(1).max(200),
      params: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), z.string().max(1000)).default({}),
    })
    .optional(),
  /** Link cards (WeCom news): title, description, url and picture, each a template. */
  articles: z
    .array(
      z.object({
        title: z.string().min(1).max(200),
        description: z.string().max(500).optional(),
        url: z.string().min(1).max(2000),
        picUrl: z.string().max(2000).optional(),
      }),
    )
    .max(8)
    .optional(),
  /** For group channels: which group, e.g. `{{ event.chatId }}`. */
  group: z.string().max(200).optional(),
});
export type MessageContent = z.infer<typeof MessageContent>;

export const SendNode = z.object({
  ...nodeBase,
  type: z.literal('send'),
  channel: ChannelName,
  message: MessageContent,
  /** Tried when the first channel fails for good or the contact has no address or opted out there. */
  fallback: z.object({ channel: ChannelName, message: MessageContent.optional() }).optional(),
});
export type SendNode = z.infer<typeof SendNode>;

export const WaitNode = z.object({ ...nodeBase, type: z.literal('wait'), duration: Duration });
export type WaitNode = z.infer<typeof WaitNode>;

/** Waits until the next local time of day, optionally on given weekdays or a date. */
export const WaitUntilNode = z.object({
  ...nodeBase,
  type: z.literal('wait_until'),
  time: LocalTime,
  /** ISO weekdays, 1 = Monday … 7 = Sunday; any day when left out. */
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
  /** A calendar date `YYYY-MM-DD`; once it has passed, the wait ends at once. */
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'A date is written YYYY-MM-DD.' })
    .optional(),
  /** Whose clock: the contact's time zone (falling back to the flow's) unless one is named. */
  timezone: TimeZone.optional(),
});
export type WaitUntilNode = z.infer<typeof WaitUntilNode>;

export const WaitForEventNode = z.object({
  ...nodeBase,
  type: z.literal('wait_for_event'),
  event: EventName,
  /** Only matching events count; fields are `payload.*` (the event's) and `contact.*`. */
  filter: Condition.optional(),
  timeout: Duration,
});
export type WaitForEventNode = z.infer<typeof WaitForEventNode>;

export const HandleId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'An exit name is 1 to 64 letters, digits, "-" or "_".' })
  .refine((h) => !RESERVED_EXITS.has(h), { error: 'That exit name is reserved; choose another.' });

export const BranchNode = z.object({
  ...nodeBase,
  type: z.literal('branch'),
  /** Checked in order; the first that holds picks the exit. None holding takes `else`. */
  branches: z
    .array(z.object({ id: HandleId, label: z.string().max(200).optional(), when: Condition }))
    .min(1, { error: 'A branch needs at least one condition.' })
    .max(50),
});
export type BranchNode = z.infer<typeof BranchNode>;

/** A random split, stable per contact: the same contact always takes the same arm. */
export const SplitNode = z.object({
  ...nodeBase,
  type: z.literal('split'),
  arms: z
    .array(
      z.object({
        id: HandleId,
        label: z.string().max(200).optional(),
        weight: z.number().positive().max(1e6),
      }),
    )
    .min(2, { error: 'A split needs at least two arms.' })
    .max(20),
});
export type SplitNode = z.infer<typeof SplitNode>;

const Scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
const Tag = z.string().min(1).max(100);

export const ContactUpdate = z.object({
  addTags: z.array(Tag).max(50).optional(),
  removeTags: z.array(Tag).max(50).optional(),
  /** Points (积分) to add (or take away); every change lands in the ledger with its reason. */
  points: z
    .object({ add: z.number().int().min(-1e6).max(1e6), reason: z.string().min(1).max(200) })
    .optional(),
  /** Attributes to set, e.g. `{ "segment": "active" }`. */
  set: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), Scalar).optional(),
  /** Records today's check-in (打卡) in the contact's time zone; keeps `attributes.checkInStreak`. */
  checkIn: z.object({ points: z.number().int().min(0).max(1e6).default(0) }).optional(),
  /** Tiers by points, e.g. silver from 100; sets `attributes.tier` after points change. */
  tiers: z
    .array(z.object({ name: z.string().min(1).max(50), minPoints: z.number().int() }))
    .max(20)
    .optional(),
  /** Credits the contact named by a field (e.g. `event.referrerId`) for a referral (裂变). */
  creditReferrer: z
    .object({
      field: z.string().min(1).max(200),
      points: z.number().int().min(0).max(1e6),
      reason: z.string().max(200),
    })
    .optional(),
});
export type ContactUpdate = z.infer<typeof ContactUpdate>;

export const UpdateContactNode = z.object({
  ...nodeBase,
  type: z.literal('update_contact'),
  update: ContactUpdate,
});
export type UpdateContactNode = z.infer<typeof UpdateContactNode>;

/** Calls another system; its answer is `http.<node id>.status` and `http.<node id>.body.*` later on. */
export const HttpRequestNode = z.object({
  ...nodeBase,
  type: z.literal('http_request'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** A template, e.g. `https://crm.example.com/members/{{ contact.id }}`. */
  url: z.string().min(1).max(2000),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(2000)).optional(),
  /** A JSON body template. */
  body: z.string().max(20_000).optional(),
  timeout: Duration.default('PT10S'),
  retries: z.number().int().min(0).max(10).default(3),
});
export type HttpRequestNode = z.infer<typeof HttpRequestNode>;

/** A staff member, addressed on a channel. */
export const StaffMember = z.object({
  channel: ChannelName,
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  phone: z.string().max(40).optional(),
  wecomUserId: z.string().max(200).optional(),
});
export type StaffMember = z.infer<typeof StaffMember>;

/**
 * Work for a person: the task (with the prepared text and the contact) goes to a staff member,
 * then the flow waits for `task.done` for this step until the deadline, escalating on the way.
 */
export const StaffTaskNode = z.object({
  ...nodeBase,
  type: z.literal('staff_task'),
  assignee: StaffMember,
  message: MessageContent,
  deadline: Duration,
  escalation: z.object({ after: Duration, assignee: StaffMember }).optional(),
});
export type StaffTaskNode = z.infer<typeof StaffTaskNode>;

export const ExitNode = z.object({ ...nodeBase, type: z.literal('exit') });
export type ExitNode = z.infer<typeof ExitNode>;

export const FlowNode = z.discriminatedUnion('type', [
  TriggerNode,
  SendNode,
  WaitNode,
  WaitUntilNode,
  WaitForEventNode,
  BranchNode,
  SplitNode,
  UpdateContactNode,
  HttpRequestNode,
  StaffTaskNode,
  ExitNode,
]);
export type FlowNode = z.infer<typeof FlowNode>;
export type NodeType = FlowNode['type'];

export const Edge = z.object({
  id: z.string().min(1).max(200),
  source: z.string(),
  /** Which exit of the source node; nodes with a single exit use `next`. */
  sourceHandle: z.string().default('next'),
  target: z.string(),
});
export type Edge = z.infer<typeof Edge>;

export const FlowSettings = z.object({
  /** The time zone used for contacts that have none of their own. */
  timezone: TimeZone.default('Asia/Shanghai'),
  /** No sends in this local window (it may cross midnight); a send due inside it waits for the end. */
  quietHours: z.object({ start: LocalTime, end: LocalTime }).optional(),
  /** At most `max` messages per contact per `per`, counted across all flows. */
  frequencyCap: z
    .object({
      max: z.number().int().min(1).max(1000),
      per: Duration,
      /** `defer`: send once the window allows; `skip`: drop the message and go on. */
      onCap: z.enum(['defer', 'skip']).default('defer'),
    })
    .optional(),
  /** May a contact enter again: `always` (once the last run ended), `never`, or `after` a cool-down. */
  reentry: z
    .object({ mode: z.enum(['always', 'never', 'after']), after: Duration.optional() })
    .refine((r) => r.mode !== 'after' || r.after !== undefined, {
      error: 'Re-entry "after" needs a duration.',
    })
    .default({ mode: 'always' }),
  /** A conversion event: whenever it happens, the contact leaves the flow as converted. */
  goal: z.object({ event: EventName, filter: Condition.optional() }).optional(),
});
export type FlowSettings = z.infer<typeof FlowSettings>;

export const FlowDocument = z.object({
  schemaVersion: z.literal(FLOW_SCHEMA_VERSION),
  id: FlowId,
  name: z.string().min(1, { error: 'The flow needs a name.' }).max(200),
  description: z.string().max(2000).optional(),
  nodes: z.array(FlowNode).max(5000),
  edges: z.array(Edge).max(20_000),
  settings: FlowSettings.default({ timezone: 'Asia/Shanghai', reentry: { mode: 'always' } }),
});
export type FlowDocument = z.infer<typeof FlowDocument>;
/** A flow document as written by hand: fields with defaults may be left out. */
export type FlowDocumentInput = z.input<typeof FlowDocument>;

/** A contact as a flow sees it: the fields templates and conditions may read. */
export const Contact = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  phone: z.string().max(40).optional(),
  wecomUserId: z.string().max(200).optional(),
  /** A WeCom external contact (customer) id. */
  wecomExternalUserId: z.string().max(200).optional(),
  /** A WeChat Official Account follower's OpenID. */
  openId: z.string().max(200).optional(),
  timezone: z.string().max(64).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(z.string().max(100)).default([]),
  points: z.number().int().default(0),
  /** Channels the contact unsubscribed from: never sent on. */
  unsubscribed: z.array(z.string().max(32)).default([]),
});
export type Contact = z.infer<typeof Contact>;
export type ContactInput = z.input<typeof Contact>;

/** Fields of `contact` that templates and conditions may name, besides `attributes.*`. */
export const CONTACT_FIELDS = [
  'id',
  'name',
  'email',
  'phone',
  'wecomUserId',
  'wecomExternalUserId',
  'openId',
  'timezone',
  'tags',
  'points',
] as const;

/** The JSON Schema of the flow document, generated from the zod schema (for editors and OpenAPI). */
export function flowDocumentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FlowDocument, {
    io: 'input',
    unrepresentable: 'any',
    // zod leaves out the defaults of objects that hold a preprocess step (the depth check of
    // conditions), as defaults of transformed values; ours are plain data, so they go back in.
    override: (ctx) => {
      const def = ctx.zodSchema._zod.def as { type: string; defaultValue?: unknown };
      if (def.type === 'default' && ctx.jsonSchema.default === undefined)
        ctx.jsonSchema.default = JSON.parse(JSON.stringify(def.defaultValue));
    },
  }) as Record<string, unknown>;
}
