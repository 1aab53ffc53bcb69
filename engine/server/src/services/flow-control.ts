import { type CompileOptions, compile, type FlowDocument } from '@sopflow/core';
import type { Database, FlowRecord, FlowStatus } from '../persistence';
import type { TemporalGateway } from '../temporal/gateway';
import { type Campaigns, scheduleIdOf } from './campaigns';

export class FlowControlError extends Error {
  override readonly name = 'FlowControlError';
  constructor(
    readonly code:
      | 'flow_not_found'
      | 'flow_archived'
      | 'not_published'
      | 'version_not_found'
      | 'compile_failed'
      | 'invalid_state',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** How long the flow list waits for Temporal's counts before answering without them. */
export const RUNNING_COUNT_DEADLINE_MS = 3_000;
/** Visibility counts asked at once for one flow list, so a long list does not flood Temporal. */
const RUNNING_COUNT_CONCURRENCY = 8;

/**
 * A flow's life after publishing: pause (no new enrollments; running contacts go on), resume,
 * stop (no new enrollments, and every running contact is cancelled cleanly through the
 * `sopflow.cancel` signal, ending as `cancelled`), archive (delete), restore, and roll back to an
 * older version. The flow's Temporal Schedule, if it has one, is paused with the flow.
 */
export class FlowControl {
  constructor(
    private readonly store: Database,
    private readonly temporal: TemporalGateway,
    private readonly campaigns: Campaigns,
    /** What drafts are compiled against: the registered connectors' channels, whom they reach and limits. */
    private readonly compileOptions: Pick<CompileOptions, 'channels' | 'reach' | 'limits'>,
  ) {}

  private async flow(id: string): Promise<FlowRecord> {
    const flow = await this.store.flows.get(id);
    if (!flow) throw new FlowControlError('flow_not_found', `There is no flow "${id}".`);
    return flow;
  }

  async pause(id: string): Promise<{ flowId: string; status: FlowStatus; schedule: string }> {
    const flow = await this.flow(id);
    if (flow.status === 'archived') throw new FlowControlError('flow_archived', `Flow "${id}" is archived.`);
    if (flow.status !== 'live' && flow.status !== 'paused') {
      throw new FlowControlError('invalid_state', `Flow "${id}" is ${flow.status}; only a live flow pauses.`);
    }
    await this.store.flows.setStatus(id, 'paused');
    return { flowId: id, status: 'paused', schedule: await this.pauseSchedule(id, 'flow paused') };
  }

  async resume(id: string): Promise<{ flowId: string; status: FlowStatus; schedule: string }> {
    const flow = await this.flow(id);
    if (flow.status === 'archived') throw new FlowControlError('flow_archived', `Flow "${id}" is archived.`);
    if (flow.latestVersion === null)
      throw new FlowControlError('not_published', `Flow "${id}" has no published version to run.`);
    await this.store.flows.setStatus(id, 'live');
    return { flowId: id, status: 'live', schedule: await this.unpauseSchedule(id) };
  }

  /**
   * Stops the flow: no new enrollments, and each running contact gets the cancel signal. Runs are
   * found through Temporal's visibility and through the enrollments not yet finished (visibility
   * lags a moment behind a start), so none started before the stop is missed.
   */
  async stop(
    id: string,
    reason = 'flow stopped',
  ): Promise<{ flowId: string; status: FlowStatus; cancelled: number; schedule: string }> {
    const flow = await this.flow(id);
    if (flow.status === 'archived') throw new FlowControlError('flow_archived', `Flow "${id}" is archived.`);
    await this.store.flows.setStatus(id, flow.latestVersion === null ? flow.status : 'stopped');
    const schedule = await this.pauseSchedule(id, 'flow stopped');
    const cancelled = await this.cancelRunning(id, reason);
    return { flowId: id, status: flow.latestVersion === null ? flow.status : 'stopped', cancelled, schedule };
  }

  /** Signals every running run of the flow to end; answers how many took the signal. */
  async cancelRunning(id: string, reason: string): Promise<number> {
    const workflowIds = new Set<string>();
    for await (const run of this.temporal.runs({ flowId: id, running: true }))
      workflowIds.add(run.workflowId);
    for (const workflowId of await this.store.enrollments.unfinishedWorkflows(id))
      workflowIds.add(workflowId);
    let cancelled = 0;
    for (const workflowId of workflowIds) {
      // Finished already: nothing to cancel.
      if (await this.temporal.cancelContactFlow(workflowId, reason)) cancelled++;
    }
    return cancelled;
  }

  /**
   * How many contacts are in each flow now: one visibility count of its running runs per flow
   * that was ever published (a flow never published has had no runs). Null for a flow whose count
   * Temporal did not answer within `RUNNING_COUNT_DEADLINE_MS`, so an unreachable Temporal empties
   * the numbers rather than failing the list they sit in.
   */
  async runningNow(
    flows: readonly Pick<FlowRecord, 'id' | 'latestVersion'>[],
  ): Promise<Map<string, number | null>> {
    const counts = new Map<string, number | null>();
    const asked = flows.filter((f) => f.latestVersion !== null);
    for (const f of flows) if (f.latestVersion === null) counts.set(f.id, 0);
    const deadline = Date.now() + RUNNING_COUNT_DEADLINE_MS;
    let next = 0;
    const worker = async () => {
      while (next < asked.length) {
        const flow = asked[next++]!;
        try {
          counts.set(flow.id, await this.temporal.countRuns({ flowId: flow.id, running: true }, deadline));
        } catch {
          counts.set(flow.id, null);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RUNNING_COUNT_CONCURRENCY, asked.length) }, worker));
    return counts;
  }

  /** Archives the flow: it leaves lists and enrolls nobody; contacts in it finish their journey. */
  async archive(id: string): Promise<{ flowId: string; status: FlowStatus; schedule: string }> {
    await this.flow(id);
    await this.store.flows.setStatus(id, 'archived');
    return { flowId: id, status: 'archived', schedule: await this.pauseSchedule(id, 'flow archived') };
  }

  /** Brings an archived flow back, paused when it has versions (resume it to run it). */
  async restore(id: string): Promise<{ flowId: string; status: FlowStatus }> {
    const flow = await this.flow(id);
    if (flow.status !== 'archived')
      throw new FlowControlError('invalid_state', `Flow "${id}" is ${flow.status}, not archived.`);
    const status: FlowStatus = flow.latestVersion === null ? 'draft' : 'paused';
    await this.store.flows.setStatus(id, status);
    return { flowId: id, status };
  }

  /** Publishes version `version`'s document again, as the next version. The draft is left alone. */
  async rollback(id: string, version: number, note?: string) {
    const flow = await this.flow(id);
    if (flow.status === 'archived') throw new FlowControlError('flow_archived', `Flow "${id}" is archived.`);
    const old = await this.store.flows.getVersion(id, version);
    if (!old) throw new FlowControlError('version_not_found', `Flow "${id}" has no version ${version}.`);
    const published = await this.publishDocument(
      flow,
      old.document,
      note ?? `Rolled back to version ${version}`,
    );
    return { ...published, rolledBackTo: version };
  }

  /** Compiles and publishes a document as the flow's next version and syncs its schedule. */
  async publishDocument(flow: FlowRecord, document: FlowDocument, note?: string) {
    const check = compile(document, this.compileOptions);
    if (!check.ok)
      throw new FlowControlError(
        'compile_failed',
        'The flow has errors; fix them before publishing.',
        check.errors,
      );
    const compiled = check.plan;
    // The version is known only inside the transaction; it is the plan's one field that depends on it.
    const published = await this.store.flows.publish(
      flow.id,
      document,
      (version) => ({ ...compiled, version }),
      note,
    );
    // The version is stored either way; a schedule that could not be synced is said, not hidden.
    let schedule = await this.campaigns.syncSchedule(published.plan).then(
      () => 'synced',
      (error: Error) => `not synced: ${error.message}`,
    );
    const status = (await this.store.flows.get(flow.id))?.status ?? 'live';
    if (status !== 'live' && schedule === 'synced')
      schedule = await this.pauseSchedule(flow.id, `flow ${status}`);
    return {
      flowId: flow.id,
      version: published.version,
      ...(published.unchanged ? { unchanged: true } : {}),
      status,
      schedule,
      warnings: check.warnings,
    };
  }

  private async pauseSchedule(flowId: string, note: string): Promise<string> {
    try {
      return (await this.temporal.pauseSchedule(scheduleIdOf(flowId), note)) ? 'paused' : 'none';
    } catch (error) {
      return `not paused: ${(error as Error).message}`;
    }
  }

  private async unpauseSchedule(flowId: string): Promise<string> {
    try {
      return (await this.temporal.unpauseSchedule(scheduleIdOf(flowId), 'flow resumed')) ? 'running' : 'none';
    } catch (error) {
      return `not resumed: ${(error as Error).message}`;
    }
  }
}
