import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { advance, type Command, renderData, type Step, start } from '@sopflow/core/interpreter';
import { encryptingDataConverter, PayloadEncryptionCodec, parsePayloadKeys } from '@sopflow/server';
import { workflowsPath } from '@sopflow/workflows';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { TEST_PAYLOAD_KEYS } from './support/stack';

/**
 * Runs already in flight when a new sopflow is deployed replay their history on the new workflow
 * code. These histories were recorded with the code of before contacts carried addresses by kind
 * and before splits hashed with mixing (plan version 2): flat contact addresses (`wecomUserId`,
 * `email` read by templates), a branch on an attribute, and a 50/50 split whose arm for c5 and c6
 * differs under the new hash. They were recorded before payloads were encrypted, so they replay
 * with the production data converter, whose codec passes payloads it did not seal as they are.
 */
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/histories');

type Payload = { data: string };
type HistoryEvent = {
  workflowExecutionStartedEventAttributes?: { input: { payloads: Payload[] } };
  activityTaskScheduledEventAttributes?: { activityType: { name: string }; input: { payloads: Payload[] } };
};
const decode = (payload: Payload) => JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));

const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({
    workflowId: file.replace(/\.json$/, ''),
    history: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { events: HistoryEvent[] },
  }));

describe('histories recorded by an earlier sopflow', () => {
  it('replay on the current workflow code without nondeterminism', async () => {
    expect(histories.length).toBeGreaterThanOrEqual(4);
    const outcomes: Record<string, string> = {};
    const codec = new PayloadEncryptionCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS));
    const dataConverter = encryptingDataConverter(codec);
    for await (const result of Worker.runReplayHistories({ workflowsPath, dataConverter }, histories))
      outcomes[result.workflowId] = result.error ? `${result.error.name}: ${result.error.message}` : 'ok';
    expect(outcomes).toEqual(Object.fromEntries(histories.map((h) => [h.workflowId, 'ok'])));
  }, 120_000);

  // Temporal checks the order of commands, not their inputs: a send decided for another step (another
  // split arm), or rendered from other data, replays "fine" with the recorded result. So each send's
  // step, recipient and template data are checked against the recording, driving the current
  // interpreter as the workflow does: the recorded input as it is, every task succeeding, timers firing.
  it.each(histories)(
    '$workflowId: the current interpreter sends the same steps, to the same recipient, with the same data',
    ({ history }) => {
      const started = history.events.find((e) => e.workflowExecutionStartedEventAttributes)!;
      const input = decode(started.workflowExecutionStartedEventAttributes!.input.payloads[0]!);
      const recorded = history.events
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType.name === 'deliver')
        .map((a) => decode(a!.input.payloads[0]!) as { nodeId: string; recipient: unknown; data: unknown });
      expect(recorded.length).toBeGreaterThan(0);

      const sends: { nodeId: string; recipient: unknown; data: unknown }[] = [];
      const tasks = new Map<string, Command>();
      let now = 0;
      const take = (step: Step) => {
        for (const command of step.commands)
          if ('commandId' in command) tasks.set(command.commandId, command);
        return step;
      };
      let step = take(start(input.plan, { contact: input.contact, event: input.event, at: now }));
      for (let guard = 0; step.state.status !== 'done' && guard < 100; guard++) {
        const { task, timer } = step.state.awaiting!;
        if (task) {
          const command = tasks.get(task.commandId)!;
          if (command.type === 'send')
            sends.push({
              nodeId: command.nodeId,
              recipient: command.recipient,
              data: renderData(input.plan, step.state),
            });
          step = take(
            advance(input.plan, step.state, {
              type: 'task-result',
              commandId: task.commandId,
              result: { ok: true },
              at: now,
            }),
          );
        } else {
          now = Math.max(now, timer!.until);
          step = take(
            advance(input.plan, step.state, { type: 'timer-fired', timerId: timer!.timerId, at: now }),
          );
        }
      }
      expect(step.state.status).toBe('done');
      expect(sends).toEqual(recorded.map(({ nodeId, recipient, data }) => ({ nodeId, recipient, data })));
    },
  );
});
