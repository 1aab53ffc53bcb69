import { z } from 'zod';
import { FlowNode } from '../nodes/index';
import { Condition } from './conditions';
import { isAddressKindName } from './contact-addresses';
import { Duration, EventName, LocalTime, TimeZone } from './fields';

/**
 * The flow document: what an operator draws, what the API stores, what the compiler reads.
 * Every node type is one zod object with a `type` literal (in `nodes/<type>/definition.ts`);
 * `FlowNode` is their union.
 */

export const FLOW_SCHEMA_VERSION = 1;

export const FlowId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
  error:
    'A flow id is 1 to 64 lower-case letters, digits, "-" or "_", starting with a letter or digit. / 流程ID为 1 到 64 个小写字母、数字、“-”或“_”，以字母或数字开头。',
});
export type FlowId = z.infer<typeof FlowId>;

export { BranchNode } from '../nodes/branch/definition';
export { ExitNode } from '../nodes/exit/definition';
export { HttpRequestNode } from '../nodes/http_request/definition';
export { FlowNode, type NodeType } from '../nodes/index';
export { SendNode } from '../nodes/send/definition';
export { SplitNode } from '../nodes/split/definition';
export { StaffMember, StaffTaskNode } from '../nodes/staff_task/definition';
export {
  AudienceTrigger,
  CUSTOMER_ADDED_EVENT,
  CUSTOMER_ADDED_PAYLOAD,
  CustomerAddedTrigger,
  customerAddedMatches,
  EventTrigger,
  ManualTrigger,
  ScheduleTrigger,
  Trigger,
  TriggerNode,
  triggerPayload,
  WebhookTrigger,
} from '../nodes/trigger/definition';
export { ContactUpdate, UpdateContactNode } from '../nodes/update_contact/definition';
export { WaitNode } from '../nodes/wait/definition';
export { WaitForEventNode } from '../nodes/wait_for_event/definition';
export { WaitUntilNode } from '../nodes/wait_until/definition';
export {
  ChannelName,
  Duration,
  EventName,
  HandleId,
  JOIN_WAY_TO_PICK,
  LocalTime,
  MessageContent,
  NodeId,
  PayloadField,
  Position,
  TimeZone,
} from './fields';

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
      error: 'Re-entry "after" needs a duration. / 重新进入选择“间隔后”时需要填写时长。',
    })
    .default({ mode: 'always' }),
  /** A conversion event: whenever it happens, the contact leaves the flow as converted. */
  goal: z.object({ event: EventName, filter: Condition.optional() }).optional(),
});
export type FlowSettings = z.infer<typeof FlowSettings>;

export const FlowDocument = z.object({
  schemaVersion: z.literal(FLOW_SCHEMA_VERSION),
  id: FlowId,
  name: z.string().min(1, { error: 'The flow needs a name. / 请填写流程名称。' }).max(200),
  description: z.string().max(2000).optional(),
  nodes: z.array(FlowNode).max(5000),
  edges: z.array(Edge).max(20_000),
  settings: FlowSettings.default({ timezone: 'Asia/Shanghai', reentry: { mode: 'always' } }),
});
export type FlowDocument = z.infer<typeof FlowDocument>;
/** A flow document as written by hand: fields with defaults may be left out. */
export type FlowDocumentInput = z.input<typeof FlowDocument>;

/**
 * A contact's addresses keyed by address kind (`{ email: 'vera@example.com', wecomUserId: 'vera' }`):
 * the kinds are those the server's connectors declare, which the server checks; the core takes any
 * well-formed kind name.
 */
export const ContactAddresses = z.record(
  z.string().refine(isAddressKindName, {
    error:
      'Not an address kind name: a letter, then letters and digits. / 不是有效的地址类型名：以字母开头，后跟字母和数字。',
  }),
  z.string().min(1).max(320),
);
export type ContactAddresses = z.infer<typeof ContactAddresses>;

/**
 * A contact as it is stored and served. A flow reads its addresses as `contact.<kind>` as well
 * (`flowContactView`).
 */
export const Contact = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  addresses: ContactAddresses.default({}),
  timezone: z.string().max(64).optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(z.string().max(100)).default([]),
  points: z.number().int().default(0),
  /** Channels the contact unsubscribed from: never sent on. */
  unsubscribed: z.array(z.string().max(32)).default([]),
});
export type Contact = z.infer<typeof Contact>;
export type ContactInput = z.input<typeof Contact>;

/**
 * Fields of `contact` that templates and conditions may name, besides `attributes.*` and the
 * addresses (`contact.<kind>`, or `contact.addresses.<kind>`).
 */
export const CONTACT_FIELDS = ['id', 'name', 'timezone', 'tags', 'points'] as const;

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
