import type { PlanNodeOf } from '../../flow/plan';
import { ms, type NodeRun, setOwn } from '../../interpreter/run-context';

/** Asks the shell to make the request; its answer is kept as `http.<node id>`. */
export const httpRequestRun: NodeRun<PlanNodeOf<'http_request'>> = {
  enter(node, run) {
    const commandId = run.ids(node);
    const { method, url, headers, body, retries } = node;
    run.emit({
      type: 'http',
      commandId,
      nodeId: node.id,
      request: { method, url, headers, body, retries, timeoutMs: ms(node.timeout) },
      at: run.at,
    });
    run.wait({ task: { commandId, kind: 'http' } }, node);
  },
  taskResult(node, result, run) {
    setOwn(
      run.state.http,
      node.id,
      result.ok
        ? (result.response ?? { status: 0, body: null })
        : { status: 0, body: null, error: result.message },
    );
    run.leave(node, result.ok || !node.exits.failed ? 'next' : 'failed');
  },
};
