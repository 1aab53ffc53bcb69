/**
 * @sopflow/workflows: the Temporal workflow code. Deterministic only: the worker bundles this
 * package into Temporal's workflow sandbox.
 *
 * @example
 * ```ts
 * import { contactFlow, contactFlowWorkflowId } from '@sopflow/workflows';
 * await client.workflow.start(contactFlow, { taskQueue, workflowId: contactFlowWorkflowId(flowId, contactId), args: [input] });
 * ```
 */

export type {
  ConnectorJobInput,
  DeliverInput,
  DeliverResult,
  EnrollPageInput,
  EnrollPageResult,
  FollowDeliveryResult,
  HttpRequestInput,
  JourneyStep,
  RecordJourneyInput,
  SopflowActivities,
  TaskOrigin,
  UpdateContactInput,
  UpdatedContact,
} from './activities';
export {
  type CampaignInput,
  type CampaignProgress,
  campaign,
  campaignProgressQuery,
  cancelCampaignSignal,
} from './campaign';
export { connectorJob, runAgainSignal } from './connector-job';
export {
  type ContactChange,
  type ContactFlowInput,
  type ContactFlowResult,
  cancelSignal,
  contactChangedSignal,
  contactFlow,
  type EventAnswer,
  eventSignal,
  eventUpdate,
  type FlowEvent,
  type MigrateRequest,
  migrateSignal,
  runStateQuery,
} from './contact-flow';
export { retentionPurge } from './retention-purge';
export { ContactIdKey, FlowIdKey, FlowVersionKey, NodeKey, SEARCH_ATTRIBUTES } from './search-attributes';

/** The file the worker bundles: it exports workflow functions and nothing else. */
export const workflowsPath: string = new URL('./workflows.ts', import.meta.url).pathname;

/**
 * The failure converter workers and the workflow bundle load by path (`failureConverterPath`):
 * failure messages and stack traces travel as payloads, so a payload codec encrypts them.
 */
export const failureConverterPath: string = new URL('./failure-converter.cjs', import.meta.url).pathname;

/** The workflow id of a contact's run of a flow: one run per (flow, contact) at a time. */
export function contactFlowWorkflowId(flowId: string, contactId: string): string {
  return `sopflow:${flowId}:${contactId}`;
}
