import {
  type CampaignInput,
  type CampaignProgress,
  type ConnectorJobInput,
  type ContactChange,
  type ContactFlowInput,
  ContactIdKey,
  campaign,
  campaignProgressQuery,
  cancelCampaignSignal,
  cancelSignal,
  connectorJob,
  contactChangedSignal,
  contactFlow,
  type EventAnswer,
  eventSignal,
  eventUpdate,
  type FlowEvent,
  FlowIdKey,
  FlowVersionKey,
  type MigrateRequest,
  migrateSignal,
  NodeKey,
  runAgainSignal,
} from '@sopflow/workflows';
import {
  Client,
  Connection,
  type ConnectionOptions,
  isGrpcServiceError,
  ScheduleNotFoundError,
  type ScheduleOptions,
  type ScheduleOverlapPolicy,
  type ScheduleSpec,
  type Workflow,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { ensureSearchAttributes, type SearchAttributeKind } from './search-attributes';

/**
 * The server's one door to Temporal: every start, signal, query, visibility count and schedule
 * goes through here, in sopflow's words (a contact's run, a campaign, a flow's schedule), so the
 * rest of the server never handles a workflow handle or a Temporal error class.
 */

/** Which runs: each field narrows the visibility query; none at all is every run. */
export interface RunFilter {
  flowId?: string;
  version?: number;
  /** The step the run stands at now. */
  node?: string;
  contactId?: string;
  /** Only runs still going. */
  running?: boolean;
}

/** One run as visibility lists it. */
export interface RunSummary {
  workflowId: string;
  runId: string;
  contactId: string | undefined;
  node: string | undefined;
  startedAt: Date;
}

/** gRPC's status code NOT_FOUND, what Temporal answers for a run it does not have. */
const GRPC_NOT_FOUND = 5;

/** A string in a visibility query, quoted and escaped. */
const visibilityString = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** The visibility query for a filter (also what the Temporal UI's run list is linked with). */
export function runsQuery(filter: RunFilter): string {
  const parts: string[] = [];
  if (filter.flowId !== undefined) parts.push(`SopflowFlowId = ${visibilityString(filter.flowId)}`);
  if (filter.version !== undefined) parts.push(`SopflowFlowVersion = ${Math.trunc(filter.version)}`);
  if (filter.node !== undefined) parts.push(`SopflowNode = ${visibilityString(filter.node)}`);
  if (filter.contactId !== undefined) parts.push(`SopflowContactId = ${visibilityString(filter.contactId)}`);
  if (filter.running) parts.push(`ExecutionStatus = "Running"`);
  return parts.join(' AND ');
}

/**
 * How long an event's delivery waits for the run's answer before it is sent as a signal instead
 * (a worker down or catching up): the signal is durable at once, and the run takes the event once.
 */
const EVENT_ANSWER_TIMEOUT_MS = 5_000;

/** What a worker running code from before event answers says to the update it has no handler for. */
const NO_UPDATE_HANDLER = /No registered handler for update/;

/** What a flow's schedule starts: one of our workflows with its arguments. */
export interface ScheduledStart<W extends Workflow> {
  workflow: W;
  args: Parameters<W>;
  workflowId: string;
}

export interface ScheduleDefinition<W extends Workflow> {
  spec: ScheduleSpec;
  start: ScheduledStart<W>;
  /** What happens when a start is due while the last one still runs. @default Temporal's (skip) */
  overlap?: ScheduleOverlapPolicy;
  memo?: Record<string, unknown>;
}

export interface CampaignState {
  status: string;
  progress?: CampaignProgress;
}

/**
 * The task queue of runs of flows started by a customer adding a staff member: its own worker
 * slots (workflow and activity), so a welcome never waits behind a campaign's sends.
 */
export function welcomeTaskQueue(taskQueue: string): string {
  return `${taskQueue}-welcome`;
}

function startsOnCustomerAdd(plan: ContactFlowInput['plan']): boolean {
  const trigger = plan.nodes[plan.entry];
  return trigger?.type === 'trigger' && trigger.trigger.kind === 'customer_added';
}

export class TemporalGateway {
  constructor(
    /** The SDK client, for tests and tools that read histories; the server itself uses the methods below. */
    readonly client: Client,
    readonly taskQueue: string,
  ) {}

  /**
   * Connects to a Temporal frontend and registers sopflow's search attributes in the namespace
   * (each only if missing); `close()` ends the connection.
   */
  static async connect(
    options: ConnectionOptions,
    namespace: string,
    taskQueue: string,
    searchAttributes: Record<string, SearchAttributeKind>,
    /** How payloads are encoded (sopflow's encrypting converter). */
    dataConverter: DataConverter,
  ): Promise<TemporalGateway> {
    const connection = await Connection.connect(options);
    try {
      await ensureSearchAttributes(connection, namespace, searchAttributes);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return new TemporalGateway(new Client({ connection, namespace, dataConverter }), taskQueue);
  }

  close(): Promise<void> {
    return this.client.connection.close();
  }

  // -- A contact's run of a flow ----------------------------------------------------------------

  /**
   * Starts a contact's run; `started: false` when a run of that workflow id is still going
   * (the id is the (flow, contact) pair, so a contact never runs a flow twice at once).
   */
  async startContactFlow(
    workflowId: string,
    input: ContactFlowInput,
    about: { version: number; summary: string },
  ): Promise<{ started: true; runId: string } | { started: false }> {
    // A welcome flow's run polls its own queue (its first send has 20 s); its later tasks come back here.
    const welcome = startsOnCustomerAdd(input.plan);
    try {
      const handle = await this.client.workflow.start(contactFlow, {
        taskQueue: welcome ? welcomeTaskQueue(this.taskQueue) : this.taskQueue,
        workflowId,
        args: [welcome ? { ...input, tasksQueue: this.taskQueue } : input],
        typedSearchAttributes: [
          { key: FlowIdKey, value: input.plan.flowId },
          { key: FlowVersionKey, value: about.version },
          { key: ContactIdKey, value: input.contact.id },
          { key: NodeKey, value: input.plan.entry },
        ],
        memo: { flowName: input.plan.flowName, flowVersion: about.version },
        staticSummary: about.summary,
      });
      return { started: true, runId: handle.firstExecutionRunId };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return { started: false };
      throw error;
    }
  }

  /**
   * Hands an event to a run and answers what the run did with it (`EventAnswer`); undefined when
   * the run has ended (the usual case, not an error). `event.id` makes a repeated delivery count once.
   */
  async deliverEvent(workflowId: string, event: FlowEvent): Promise<EventAnswer | undefined> {
    const handle = this.client.workflow.getHandle(workflowId);
    try {
      return await this.client.withDeadline(Date.now() + EVENT_ANSWER_TIMEOUT_MS, () =>
        handle.executeUpdate(eventUpdate, { args: [event] }),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      // A run whose worker is down or busy, or runs code from before answers: the signal gets the
      // event there, and its answer is not known now.
      const noAnswer =
        error instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
        (error instanceof WorkflowUpdateFailedError && NO_UPDATE_HANDLER.test(error.cause?.message ?? ''));
      if (!noAnswer) throw error;
      const sent = await this.signal(() => handle.signal(eventSignal, event));
      return sent ? 'pending' : undefined;
    }
  }

  /** Tells a run its contact changed; false when the run has ended. */
  pushContact(workflowId: string, change: ContactChange): Promise<boolean> {
    return this.signal(() => this.client.workflow.getHandle(workflowId).signal(contactChangedSignal, change));
  }

  /** Asks a run to end at once; false when it had ended already. */
  cancelContactFlow(workflowId: string, reason: string): Promise<boolean> {
    return this.signal(() => this.client.workflow.getHandle(workflowId).signal(cancelSignal, reason));
  }

  /**
   * Ends a run at once, without its cleanup steps (they would record more of a contact being
   * erased); false when it had ended already. The reason is stored in the history: keep it free of
   * personal data.
   */
  terminateRun(workflowId: string, runId: string | undefined, reason: string): Promise<boolean> {
    return this.signal(async () => {
      await this.client.workflow.getHandle(workflowId, runId).terminate(reason);
    });
  }

  /**
   * Deletes a run's history and visibility record from Temporal (Temporal terminates it first if it
   * still runs, and deletes in the background); false when there was no such run.
   */
  async deleteRun(workflowId: string, runId: string | undefined): Promise<boolean> {
    try {
      await this.client.workflowService.deleteWorkflowExecution({
        namespace: this.client.options.namespace,
        workflowExecution: { workflowId, ...(runId ? { runId } : {}) },
      });
      return true;
    } catch (error) {
      if (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND) return false;
      throw error;
    }
  }

  /** Moves a run to another version of its flow; false when it had ended already. */
  migrateContactFlow(workflowId: string, runId: string, request: MigrateRequest): Promise<boolean> {
    return this.signal(() =>
      this.client.workflow.getHandle(workflowId, runId).signal(migrateSignal, request),
    );
  }

  /** How many runs match, from visibility; `deadline` (epoch ms) bounds the wait for an answer. */
  async countRuns(filter: RunFilter, deadline?: number): Promise<number> {
    const count = () => this.client.workflow.count(runsQuery(filter));
    const { count: n } =
      deadline === undefined ? await count() : await this.client.withDeadline(deadline, count);
    return n;
  }

  /** The runs that match, page by page from visibility. */
  async *runs(filter: RunFilter, pageSize?: number): AsyncGenerator<RunSummary> {
    const query = runsQuery(filter);
    for await (const run of this.client.workflow.list(pageSize ? { query, pageSize } : { query })) {
      yield {
        workflowId: run.workflowId,
        runId: run.runId,
        contactId: run.typedSearchAttributes.get(ContactIdKey),
        node: run.typedSearchAttributes.get(NodeKey),
        startedAt: run.startTime,
      };
    }
  }

  // -- Campaigns --------------------------------------------------------------------------------

  async startCampaign(
    campaignId: string,
    input: CampaignInput,
    about: { delayMs: number; summary: string },
  ): Promise<void> {
    await this.client.workflow.start(campaign, {
      taskQueue: this.taskQueue,
      workflowId: campaignId,
      args: [input],
      ...(about.delayMs > 0 ? { startDelay: about.delayMs } : {}),
      staticSummary: about.summary,
    });
  }

  /** Where a campaign stands: its result once done, its live progress before; undefined if unknown. */
  async campaignState(campaignId: string): Promise<CampaignState | undefined> {
    const handle = this.client.workflow.getHandle(campaignId);
    try {
      const status = (await handle.describe()).status.name;
      const progress =
        status === 'COMPLETED'
          ? ((await handle.result()) as CampaignProgress)
          : await handle.query(campaignProgressQuery).catch(() => undefined);
      return { status, ...(progress ? { progress } : {}) };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** Stops a campaign's paging; false when there is no such campaign. */
  cancelCampaign(campaignId: string): Promise<boolean> {
    return this.signal(() => this.client.workflow.getHandle(campaignId).signal(cancelCampaignSignal));
  }

  // -- Connectors' jobs -------------------------------------------------------------------------

  /**
   * Starts a run of a connector's job, or when one of that id is going, has it do one more pass
   * after its current one (what asked for it may be newer than that pass's read).
   */
  async startConnectorJob(workflowId: string, input: ConnectorJobInput): Promise<void> {
    // Twice at most: a run that ends between the refused start and the signal makes room for a new one.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.workflow.start(connectorJob, {
          taskQueue: this.taskQueue,
          workflowId,
          args: [input],
          staticSummary: `${input.job} (${input.connector}, channel ${input.account}${input.only ? `, ${input.only}` : ''})`,
        });
        return;
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      const signalled = await this.signal(() =>
        this.client.workflow.getHandle(workflowId).signal(runAgainSignal),
      );
      if (signalled || attempt > 0) return;
    }
  }

  // -- Schedules --------------------------------------------------------------------------------

  /** Creates the schedule, or updates its timing and what it starts when it exists. */
  async putSchedule<W extends Workflow>(
    scheduleId: string,
    definition: ScheduleDefinition<W>,
  ): Promise<void> {
    // The SDK's action type is generic over the workflow's arguments in a way an object built
    // here cannot name; ScheduledStart already ties `args` to the workflow.
    const action = {
      type: 'startWorkflow' as const,
      workflowType: definition.start.workflow,
      args: definition.start.args,
      taskQueue: this.taskQueue,
      workflowId: definition.start.workflowId,
    } as unknown as ScheduleOptions['action'];
    const { spec } = definition;
    try {
      await this.client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      const options: ScheduleOptions = {
        scheduleId,
        spec,
        action,
        ...(definition.overlap ? { policies: { overlap: definition.overlap } } : {}),
        ...(definition.memo ? { memo: definition.memo } : {}),
      };
      await this.client.schedule.create(options);
    }
  }

  /** Removes a schedule; false when there was none. */
  async deleteSchedule(scheduleId: string): Promise<boolean> {
    return this.onSchedule(() => this.client.schedule.getHandle(scheduleId).delete());
  }

  /** Pauses a schedule; false when there is none. */
  pauseSchedule(scheduleId: string, note: string): Promise<boolean> {
    return this.onSchedule(() => this.client.schedule.getHandle(scheduleId).pause(note));
  }

  /** Resumes a schedule; false when there is none. */
  unpauseSchedule(scheduleId: string, note: string): Promise<boolean> {
    return this.onSchedule(() => this.client.schedule.getHandle(scheduleId).unpause(note));
  }

  private signal(send: () => Promise<void>): Promise<boolean> {
    return doneUnlessMissing(send, WorkflowNotFoundError);
  }

  private onSchedule(act: () => Promise<void>): Promise<boolean> {
    return doneUnlessMissing(act, ScheduleNotFoundError);
  }
}

/** True once `act` is done; false when what it acts on does not exist (`NotFound`, Temporal's error for it). */
async function doneUnlessMissing(
  act: () => Promise<void>,
  NotFound: abstract new (...args: never[]) => Error,
): Promise<boolean> {
  try {
    await act();
    return true;
  } catch (error) {
    if (error instanceof NotFound) return false;
    throw error;
  }
}
