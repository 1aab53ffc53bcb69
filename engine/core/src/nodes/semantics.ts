import type { PlanNode } from '../flow/plan';
import type { NodeRun } from '../interpreter/run-context';
import { branchRun } from './branch/run';
import { exitRun } from './exit/run';
import { httpRequestRun } from './http_request/run';
import { sendRun } from './send/run';
import { splitRun } from './split/run';
import { staffTaskRun } from './staff_task/run';
import { triggerRun } from './trigger/run';
import { updateContactRun } from './update_contact/run';
import { waitRun } from './wait/run';
import { waitForEventRun } from './wait_for_event/run';
import { waitUntilRun } from './wait_until/run';

/**
 * How each node type runs: the `run.ts` of every node folder, by type. The interpreter imports
 * this and nothing of the definitions (which hold zod): this is what the workflow sandbox loads.
 */
const SEMANTICS: { [T in PlanNode['type']]: NodeRun<Extract<PlanNode, { type: T }>> } = {
  trigger: triggerRun,
  send: sendRun,
  wait: waitRun,
  wait_until: waitUntilRun,
  wait_for_event: waitForEventRun,
  branch: branchRun,
  split: splitRun,
  update_contact: updateContactRun,
  http_request: httpRequestRun,
  staff_task: staffTaskRun,
  exit: exitRun,
};

/** The run semantics of a node's type (each is only called with nodes of its own type). */
export function semanticsOf(node: PlanNode): NodeRun {
  return SEMANTICS[node.type] as NodeRun;
}
