/**
 * @sopflow/engine: the flow document schema, the compiler and the interpreter.
 *
 * This entry is isomorphic: the builder (browser), the Temporal workflow sandbox and the
 * server all import it, so nothing here touches Node APIs, a clock or the network. The Node
 * runtime (API server, worker, persistence) is `@sopflow/engine/node`.
 *
 * @example
 * ```ts
 * import { compile, start, advance } from '@sopflow/engine';
 * const result = compile(document);
 * if (!result.ok) console.log(result.errors);
 * else {
 *   let step = start(result.plan, { contact: { id: 'c1', attributes: {}, tags: [], points: 0 }, at: Date.now() });
 *   // carry out step.commands, then feed their results back with advance(plan, step.state, input)
 * }
 * ```
 */

export {
  BUILTIN_CHANNELS,
  type CompileOptions,
  type CompileResult,
  compile,
  nodeExits,
} from './flow/compile';
export {
  type Comparison,
  ComparisonOperator,
  Condition,
  evaluateCondition,
  readPath,
} from './flow/conditions';
export { parseDuration } from './flow/duration';
export { type CompileError, type CompileErrorCode, formatCompileError } from './flow/errors';
export { payloadProblems } from './flow/payload';
export { PLAN_VERSION, type Plan, type PlanNode } from './flow/plan';
export {
  BranchNode,
  ChannelName,
  CONTACT_FIELDS,
  Contact,
  type ContactInput,
  Edge,
  ExitNode,
  FLOW_SCHEMA_VERSION,
  FlowDocument,
  type FlowDocumentInput,
  FlowId,
  FlowNode,
  FlowSettings,
  flowDocumentJsonSchema,
  MessageContent,
  type NodeType,
  PayloadField,
  SendNode,
  Trigger,
  TriggerNode,
  WaitNode,
  WebhookTrigger,
} from './flow/schema';
export { renderTemplate, type TemplateContext, templateVariables } from './flow/template';
export {
  type Awaiting,
  advance,
  type Command,
  type Input,
  type RunOutcome,
  type RunState,
  type StartInput,
  type Step,
  start,
} from './interpreter/interpreter';
