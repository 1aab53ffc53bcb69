/**
 * @sopflow/core/interpreter: the interpreter and the pure code it runs on, for the Temporal
 * workflow sandbox.
 *
 * The sandbox evaluates every module of the workflow's import graph anew for each run it keeps in
 * its cache, so what this entry reaches is paid per waiting contact. It reaches the interpreter,
 * condition evaluation, durations and local time (luxon), and nothing else: no schema (zod), no
 * templates (LiquidJS), no compiler, simulator or SOP templates. Types cost nothing at run time
 * and are re-exported freely. Anything else belongs in `@sopflow/core`.
 */

export type {
  Comparison,
  ComparisonOperator,
  Condition,
  Scalar,
} from '../flow/evaluate-condition';
export { evaluateCondition, readPath } from '../flow/evaluate-condition';
export { nextLocalTime, quietHoursEnd } from '../flow/local-time';
export type { Plan, PlanNode, PlanNodeOf } from '../flow/plan';
export type {
  Contact,
  ContactUpdate,
  MessageContent,
  StaffMember,
} from '../flow/schema';
export {
  type Awaiting,
  advance,
  type Command,
  contactZone,
  type EventUse,
  type HttpAnswer,
  type Input,
  migrate,
  type NodeMapping,
  type NodePhase,
  type ReceivedEvent,
  type Recipient,
  type RenderData,
  type RunOutcome,
  type RunState,
  renderData,
  type StartInput,
  type Step,
  type SuppressReason,
  start,
  type TaskCommand,
  type TaskFailure,
  type TaskKind,
  type TaskResult,
  type TimerReason,
  type WelcomeSend,
} from './interpreter';
