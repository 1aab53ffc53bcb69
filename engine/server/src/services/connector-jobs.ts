import type {
  ConnectorContext,
  ConnectorRegistry,
  ContactsPort,
  GroupsPort,
  TagsPort,
} from '@sopflow/connectors';
import { type ConnectorJobInput, connectorJob } from '@sopflow/workflows';
import { errorCauses } from '../error-causes';
import type { TemporalGateway } from '../temporal/gateway';
import type { ChannelRoutes } from './channel-routes';

/** The Temporal Schedule of one job of one channel account. */
export const connectorJobScheduleId = ({ connector, account, job }: ConnectorJobInput): string =>
  `sopflow-job:${connector}:${account}:${job}`;

/** The workflow of a job's run for one item (`only`) of one account, started by an inbound call. */
export const connectorJobRunId = (input: ConnectorJobInput & { only: string }): string =>
  `${connectorJobScheduleId(input)}:${input.only}`;

/**
 * Schedules of jobs that were hand-wired before connectors declared them; deleted at start so an
 * upgraded server does not keep starting a workflow type that is gone.
 */
const RETIRED_SCHEDULES = ['sopflow-wecom-reconcile'];

/**
 * A save changing tags of more contacts than this (an import) starts no job per contact: the jobs'
 * scheduled passes hand the changes over.
 */
const TAG_CHANGE_STARTS_PER_SAVE = 20;

/**
 * The address kinds of the connectors with a job started on tag changes: a contact with such an
 * address has its tag changes noted for them.
 */
export function tagChangeAddressKinds(registry: ConnectorRegistry): string[] {
  return [
    ...new Set(
      registry
        .list()
        .filter((c) => c.address && c.jobs?.some((j) => j.startsOnTagChange))
        .map((c) => c.address!.name),
    ),
  ];
}

/**
 * The jobs connectors declare (`Connector.jobs`), run for each channel account that uses them:
 * one Temporal Schedule per job of each configured channel, each run one `connectorJob` workflow,
 * which calls `run` here with the account's config, its instance and the narrow ports.
 */
export class ConnectorJobs {
  private warnedNoSchedules = false;

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly routes: ChannelRoutes,
    private readonly groups: GroupsPort,
    /** What each connector is created with (its storage port, log). */
    private readonly contextOf: (connector: string) => ConnectorContext,
    private readonly temporal: TemporalGateway,
    private readonly contacts: ContactsPort,
    /** The tags port each connector's jobs get (its catalogs and pending tag changes). */
    private readonly tagsOf: (connector: string) => TagsPort,
  ) {}

  /** One pass of a job for an account; `only` narrows it to one item (a group an inbound call named). */
  async run(input: ConnectorJobInput): Promise<Record<string, unknown>> {
    const { only } = input;
    const connector = this.registry.get(input.connector);
    const job = connector?.jobs?.find((j) => j.name === input.job);
    if (!connector || !job) throw new Error(`Connector "${input.connector}" has no job "${input.job}".`);
    const route = await this.routes.route(input.account);
    // The channel was routed elsewhere since the schedule was made: nothing of this account to do.
    if (route?.connector !== connector.name)
      return { skipped: `Channel "${input.account}" does not go through ${connector.name}.` };
    const context = this.contextOf(connector.name);
    return job.run({
      config: route.config,
      instance: route.instance,
      storage: context.storage,
      groups: this.groups,
      contacts: this.contacts,
      tags: this.tagsOf(connector.name),
      ...(only === undefined ? {} : { only }),
      ...(context.log ? { log: context.log } : {}),
    });
  }

  /**
   * Starts a connector's job for one item (`only`), for every channel routed to the connector, as
   * `connectorJob` workflows, and returns once Temporal has them: an inbound call asked for it and
   * answers without waiting for the job (WeCom retries a callback not answered within 5 s), and
   * an API restart after the start loses nothing. One workflow id per item and account: a repeat
   * while one is running joins it, and has it read once more when done, so no change is missed.
   */
  async startNow(connectorName: string, jobName: string, only: string): Promise<string[]> {
    const started: string[] = [];
    for (const route of await this.routes.list()) {
      if (route.connector !== connectorName) continue;
      const input = { connector: connectorName, account: route.channel, job: jobName, only };
      const workflowId = connectorJobRunId(input);
      await this.temporal.startConnectorJob(workflowId, input);
      started.push(workflowId);
    }
    return started;
  }

  /**
   * Runs a connector's job for one item (`only`) here and now, for every channel routed to the
   * connector, and answers the channels it ran for: what an inbound event asked for once its
   * provider has been answered (WeCom's read of a customer after an add). No workflow is started
   * for it: under a burst of adds, a run per add cost the worker more than the welcome run itself.
   */
  async runNow(connectorName: string, jobName: string, only: string): Promise<string[]> {
    const ran: string[] = [];
    for (const route of await this.routes.list()) {
      if (route.connector !== connectorName) continue;
      await this.run({ connector: connectorName, account: route.channel, job: jobName, only });
      ran.push(route.channel);
    }
    return ran;
  }

  /**
   * Starts the jobs declared `startsOnTagChange` for each contact whose tag changes were noted, in
   * the background. The changes are in Postgres already: a start that fails (Temporal down) is only
   * logged, and the jobs' scheduled passes hand them over.
   */
  async startForTagChanges(contactIds: readonly string[]): Promise<void> {
    if (contactIds.length === 0 || contactIds.length > TAG_CHANGE_STARTS_PER_SAVE) return;
    for (const connector of this.registry.list())
      for (const job of connector.jobs ?? []) {
        if (!job.startsOnTagChange) continue;
        for (const contactId of contactIds)
          await this.startNow(connector.name, job.name, contactId).catch((error: unknown) =>
            console.warn(
              `${job.name} (${connector.name}) for ${contactId} not started now; its scheduled pass will do it:`,
              error instanceof Error ? error.message : error,
            ),
          );
      }
  }

  /**
   * Keeps the schedules of a channel's jobs (or every channel's) in step with its route: one for
   * each job of the connector it goes through, at the interval its config gives, and none for the
   * jobs of other connectors. Each API start and each route change calls it; an existing schedule
   * is updated in place, so replicas agree on one.
   */
  async syncSchedules(channel?: string): Promise<void> {
    const { temporal } = this;
    try {
      if (channel === undefined) for (const id of RETIRED_SCHEDULES) await temporal.deleteSchedule(id);
      const routed = new Map((await this.routes.list()).map((r) => [r.channel, r.connector]));
      for (const account of channel === undefined ? this.registry.channels() : [channel]) {
        for (const connector of this.registry.list()) {
          if (!connector.channels.includes(account)) continue;
          for (const job of connector.jobs ?? []) {
            const input = { connector: connector.name, account, job: job.name };
            const route =
              routed.get(account) === connector.name ? await this.routes.route(account) : undefined;
            const spec = route ? job.schedule(route.config) : undefined;
            if (!spec) {
              await temporal.deleteSchedule(connectorJobScheduleId(input));
              continue;
            }
            await temporal.putSchedule(connectorJobScheduleId(input), {
              spec,
              start: { workflow: connectorJob, args: [input], workflowId: connectorJobScheduleId(input) },
              // A pass still running when the next is due: the next is skipped, not queued.
              overlap: 'SKIP',
              memo: { purpose: `${job.label.en} (${connector.name}, channel ${account})` },
            });
            // Read once now, so what the job keeps is there before its first interval ends.
            if (job.runsWhenScheduled)
              await temporal.startConnectorJob(`${connectorJobScheduleId(input)}:scheduled`, input);
          }
        }
      }
    } catch (error) {
      // Temporal's Java time-skipping test server has no schedules; jobs still run when asked.
      if (!isUnimplemented(error)) throw error;
      if (!this.warnedNoSchedules)
        console.warn("This Temporal server has no schedules: connectors' jobs do not run on a timer.");
      this.warnedNoSchedules = true;
    }
  }
}

/** gRPC UNIMPLEMENTED (12), as Temporal's client reports it. */
export function isUnimplemented(error: unknown): boolean {
  for (const e of errorCauses(error)) if (e.code === 12) return true;
  return false;
}
