import type { PlanNodeOf } from '../../flow/plan';
import type { NodeRun } from '../../interpreter/run-context';

/** Asks the shell to update the contact, and carries on with the contact it answers. */
export const updateContactRun: NodeRun<PlanNodeOf<'update_contact'>> = {
  enter(node, run) {
    const commandId = run.ids(node);
    run.emit({ type: 'update-contact', commandId, nodeId: node.id, update: node.update, at: run.at });
    run.wait({ task: { commandId, kind: 'update-contact' } }, node);
  },
  taskResult(node, result, run) {
    // A change pushed to the run while the update was in flight may be newer than its answer.
    if (result.ok && result.contact) run.takeContact(result.contact, result.contactRevision);
    run.leave(node, 'next');
  },
};
