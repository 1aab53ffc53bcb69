import type { FlowDocument } from '@sopflow/core';
import type { FlowStats } from '@sopflow/core/api';

/**
 * After a publish: the contacts still running older versions, by the step they wait at, and where
 * each group would go in the new version. Pure, so the dialog only draws what this decides.
 */

/** A step of an older version with contacts waiting in it now. */
export interface WaitingStep {
  nodeId: string;
  type: string;
  label?: string;
  waiting: number;
}

export interface WaitingVersion {
  version: number;
  steps: WaitingStep[];
}

/** How many older versions the dialog reads (the newest): each costs a visibility count per step. */
export const OLDER_VERSIONS_READ = 20;

/** The older versions with contacts waiting now, newest first; steps with nobody are left out. */
export function waitingVersions(stats: readonly FlowStats[]): WaitingVersion[] {
  return stats
    .map((s) => ({
      version: s.version,
      steps: s.nodes
        .filter((n) => (n.waitingNow ?? 0) > 0)
        .map((n) => ({
          nodeId: n.nodeId,
          type: n.type,
          ...(n.label ? { label: n.label } : {}),
          waiting: n.waitingNow ?? 0,
        })),
    }))
    .filter((v) => v.steps.length > 0)
    .sort((a, b) => b.version - a.version);
}

/** Old step → new step, or '' to leave its contacts on their version. */
export type StepTargets = Record<string, string>;

/** By default a step's contacts go to the step of the same id and type in the new version, else stay. */
export function defaultTargets(version: WaitingVersion, next: FlowDocument): StepTargets {
  return Object.fromEntries(
    version.steps.map((step) => {
      const same = next.nodes.find((n) => n.id === step.nodeId && n.type === step.type);
      return [step.nodeId, same ? same.id : ''];
    }),
  );
}

/** The migration's mapping: only the steps given a target. Undefined when none moves. */
export function mappingOf(targets: StepTargets): Record<string, string> | undefined {
  const mapping = Object.fromEntries(Object.entries(targets).filter(([, to]) => to !== ''));
  return Object.keys(mapping).length > 0 ? mapping : undefined;
}

/** How many contacts the targets move, of how many wait. */
export function movedCount(
  version: WaitingVersion,
  targets: StepTargets,
): { moving: number; waiting: number } {
  let moving = 0;
  let waiting = 0;
  for (const step of version.steps) {
    waiting += step.waiting;
    if (targets[step.nodeId]) moving += step.waiting;
  }
  return { moving, waiting };
}
