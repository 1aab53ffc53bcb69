/**
 * @sopflow/core: the flow document schema, the compiler and the interpreter.
 *
 * This entry is isomorphic: the builder (browser), the Temporal workflow sandbox and the
 * server all import it, so nothing here touches Node APIs, a clock or the network. The Node
 * runtime (API server, worker, persistence) is `@sopflow/server`.
 *
 * @example
 * ```ts
 * import { compile, start, advance } from '@sopflow/core';
 * const result = compile(document);
 * if (!result.ok) console.log(result.errors);
 * else {
 *   let step = start(result.plan, { contact: { id: 'c1', attributes: {}, tags: [], points: 0 }, at: Date.now() });
 *   // carry out step.commands, then feed their results back with advance(plan, step.state, input)
 * }
 * ```
 */

// The HTTP API's contract, also its own entry (`@sopflow/core/api`).
export * as api from './api/index';
export {
  BUILTIN_CHANNELS,
  type CompileOptions,
  type CompileResult,
  compile,
  nodeExits,
  optionalExits,
} from './flow/compile';
export {
  type Comparison,
  ComparisonOperator,
  Condition,
  evaluateCondition,
  readPath,
} from './flow/conditions';
export {
  ADDRESS_KIND_NAME,
  CONTACT_BASE_FIELDS,
  contactAddresses,
  flowContactView,
  isAddressKindName,
} from './flow/contact-addresses';
export {
  applyContactUpdate,
  type ContactUpdateResult,
  type PointsEntry,
  tierFor,
} from './flow/contact-update';
export { parseDuration } from './flow/duration';
export { type CompileError, type CompileErrorCode, formatCompileError } from './flow/errors';
export { daysBetween, isTimeZone, localDate, nextLocalTime, quietHoursEnd, zoneFor } from './flow/local-time';
export { type PayloadProblem, payloadProblems } from './flow/payload';
export { PLAN_VERSION, type Plan, type PlanNode, type PlanNodeOf } from './flow/plan';
export {
  applyQuotas,
  type FreeFormWindow,
  type LimitWords,
  type Quota,
  type QuotaOverrides,
  type QuotaPeriod,
  quotaPeriod,
  type RecipientLimit,
  steadyRate,
} from './flow/recipient-limits';
export {
  AudienceTrigger,
  BranchNode,
  ChannelName,
  CONTACT_FIELDS,
  Contact,
  ContactAddresses,
  type ContactInput,
  ContactUpdate,
  CUSTOMER_ADDED_EVENT,
  CUSTOMER_ADDED_PAYLOAD,
  CustomerAddedTrigger,
  customerAddedMatches,
  Duration,
  Edge,
  EventName,
  EventTrigger,
  ExitNode,
  FLOW_SCHEMA_VERSION,
  FlowDocument,
  type FlowDocumentInput,
  FlowId,
  FlowNode,
  FlowSettings,
  flowDocumentJsonSchema,
  HandleId,
  HttpRequestNode,
  JOIN_WAY_TO_PICK,
  LocalTime,
  ManualTrigger,
  MessageContent,
  type NodeType,
  PayloadField,
  ScheduleTrigger,
  SendNode,
  SplitNode,
  StaffMember,
  StaffTaskNode,
  TimeZone,
  Trigger,
  TriggerNode,
  triggerPayload,
  UpdateContactNode,
  WaitForEventNode,
  WaitNode,
  WaitUntilNode,
  WebhookTrigger,
} from './flow/schema';
export { renderTemplate, type TemplateContext, templateVariables } from './flow/template';
export {
  type CompileWarning,
  type CompileWarningCode,
  describeDuration,
  limitWarnings,
} from './flow/warnings';
// The interpreter's face, also the workflows' narrow entry (`@sopflow/core/interpreter`).
export * from './interpreter/index';
export { reachOf, unreachableReason } from './interpreter/reach';
export type { NodeRun, RunContext } from './interpreter/run-context';
export { stableFraction } from './interpreter/stable-hash';
export {
  type AnyNodeDefinition,
  defaultNode,
  type FieldMeta,
  form,
  type Locale as NodeLocale,
  NODE_DEFINITIONS,
  NODE_TYPES,
  type NodeDefinition,
  nodeDefinition,
  nodeJsonSchema,
  type Widget,
  type Words,
} from './nodes/index';
export { semanticsOf } from './nodes/semantics';
export {
  buildCohort,
  type CohortEvent,
  type CohortOptions,
  type CohortReport,
  type CohortWarning,
  type CohortWarningCode,
  type Distribution,
  type DurationInput,
  type FunnelStep,
  type SyntheticContact,
  simulateCohort,
} from './simulate/cohort';
export { describeOutcome, formatTimeline } from './simulate/format';
export {
  type ContactChange,
  changedContact,
  offsetMs,
  type ScriptedContactChange,
  type ScriptedEvent,
  type SimulationOptions,
  type SimulationResult,
  simulate,
  type TimelineEntry,
} from './simulate/simulate';
export {
  type FlowTemplate,
  findTemplate,
  icebreakerFlow,
  nurtureFlow,
  promoFlow,
  reactivationFlow,
  TEMPLATE_LOCALES,
  TEMPLATES,
  type TemplateId,
  type TemplateLocale,
  templateFlow,
  wecomNewCustomerFlow,
  welcomeFlow,
} from './templates';
