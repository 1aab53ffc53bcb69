import type { MigrationReport, MigrationRequest } from '@sopflow/core/api';
import type { Database } from '../persistence';
import type { TemporalGateway } from '../temporal/gateway';

export { MigrationRequest } from '@sopflow/core/api';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: 'version_not_found' | 'invalid_mapping',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export type { MigrationReport } from '@sopflow/core/api';

/**
 * Moves the running contacts of one flow version to another: counted first (a preview), then
 * each run is told by a signal, and moves at its next wait; never a reset.
 */
export class VersionMigrator {
  constructor(
    private readonly store: Database,
    private readonly temporal: TemporalGateway,
  ) {}

  async migrate(flowId: string, request: MigrationRequest): Promise<MigrationReport> {
    const from = await this.store.flows.getVersion(flowId, request.from);
    const to =
      request.to === undefined
        ? await this.store.flows.getVersion(flowId)
        : await this.store.flows.getVersion(flowId, request.to);
    if (!from || !to) throw new MigrationError('version_not_found', 'There is no such published version.');
    if (to.version <= from.version) {
      throw new MigrationError(
        'invalid_mapping',
        `Contacts move to a newer version; ${to.version} is not newer than ${from.version}.`,
      );
    }
    const problems = Object.entries(request.mapping).flatMap(([oldId, newId]) => [
      // Own properties only: a "step" called `constructor` or `toString` is not a step.
      ...(Object.hasOwn(from.plan.nodes, oldId)
        ? []
        : [`"${oldId}" is not a step of version ${from.version}.`]),
      ...(Object.hasOwn(to.plan.nodes, newId) ? [] : [`"${newId}" is not a step of version ${to.version}.`]),
    ]);
    if (problems.length > 0) throw new MigrationError('invalid_mapping', problems.join(' '), problems);

    const nodes: MigrationReport['nodes'] = [];
    for (const [oldId, newId] of Object.entries(request.mapping)) {
      const waitingThere = { flowId, version: from.version, node: oldId, running: true };
      const count = await this.temporal.countRuns(waitingThere);
      let signalled = 0;
      if (!request.preview) {
        for await (const run of this.temporal.runs(waitingThere)) {
          const moved = { plan: to.plan, mapping: request.mapping };
          if (await this.temporal.migrateContactFlow(run.workflowId, run.runId, moved)) signalled++;
        }
      }
      nodes.push({ from: oldId, to: newId, waiting: count, signalled });
    }
    return { from: from.version, to: to.version, nodes };
  }
}
