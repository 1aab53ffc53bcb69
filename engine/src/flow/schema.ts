import { z } from 'zod';
import { Condition } from './conditions';
import { parseDuration } from './duration';

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

const nodeBase = {
  id: NodeId,
  /** A name the operator gives the step; shown on the canvas. */
  label: z.string().max(200).optional(),
  position: Position.default({ x: 0, y: 0 }),
};

/** A field that a webhook's payload carries; declaring fields lets templates be checked. */
export const PayloadField = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: 'A payload field name is a plain identifier.' }),
  type: z.enum(['string', 'number', 'boolean', 'object', 'array']),
  required: z.boolean().default(false),
});
export type PayloadField = z.infer<typeof PayloadField>;

export const WebhookTrigger = z.object({
  kind: z.literal('webhook'),
  /** The event name recorded for each delivery, e.g. `member.joined`. */
  event: z.string().min(1).max(100).default('webhook'),
  /** Fields of the payload; when given, `{{event.*}}` references are checked against them. */
  payload: z.array(PayloadField).optional(),
});

export const Trigger = z.discriminatedUnion('kind', [WebhookTrigger]);
export type Trigger = z.infer<typeof Trigger>;

export const TriggerNode = z.object({ ...nodeBase, type: z.literal('trigger'), trigger: Trigger });
export type TriggerNode = z.infer<typeof TriggerNode>;

export const MessageContent = z.object({
  /** The message body; `{{contact.*}}`, `{{event.*}}` and `{{flow.*}}` are filled in per contact. */
  text: z.string().min(1, { error: 'The message is empty.' }).max(20_000),
  /** The subject line, for channels that have one (email). */
  subject: z.string().max(500).optional(),
});
export type MessageContent = z.infer<typeof MessageContent>;

export const SendNode = z.object({
  ...nodeBase,
  type: z.literal('send'),
  channel: ChannelName,
  message: MessageContent,
});
export type SendNode = z.infer<typeof SendNode>;

export const WaitNode = z.object({ ...nodeBase, type: z.literal('wait'), duration: Duration });
export type WaitNode = z.infer<typeof WaitNode>;

export const HandleId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'An exit name is 1 to 64 letters, digits, "-" or "_".' })
  .refine((h) => h !== 'else' && h !== 'next', { error: '"else" and "next" are reserved exit names.' });

export const BranchNode = z.object({
  ...nodeBase,
  type: z.literal('branch'),
  /** Checked in order; the first that holds picks the exit. None holding takes `else`. */
  branches: z
    .array(z.object({ id: HandleId, label: z.string().max(200).optional(), when: Condition }))
    .min(1, { error: 'A branch needs at least one condition.' }),
});
export type BranchNode = z.infer<typeof BranchNode>;

export const ExitNode = z.object({ ...nodeBase, type: z.literal('exit') });
export type ExitNode = z.infer<typeof ExitNode>;

export const FlowNode = z.discriminatedUnion('type', [TriggerNode, SendNode, WaitNode, BranchNode, ExitNode]);
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
  timezone: z.string().default('Asia/Shanghai'),
});
export type FlowSettings = z.infer<typeof FlowSettings>;

export const FlowDocument = z.object({
  schemaVersion: z.literal(FLOW_SCHEMA_VERSION),
  id: FlowId,
  name: z.string().min(1, { error: 'The flow needs a name.' }).max(200),
  description: z.string().max(2000).optional(),
  nodes: z.array(FlowNode).max(5000),
  edges: z.array(Edge).max(20_000),
  settings: FlowSettings.default({ timezone: 'Asia/Shanghai' }),
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
  timezone: z.string().max(64).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(z.string().max(100)).default([]),
  points: z.number().int().default(0),
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
  'timezone',
  'tags',
  'points',
] as const;

/** The JSON Schema of the flow document, generated from the zod schema (for editors and OpenAPI). */
export function flowDocumentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FlowDocument, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
