import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../flow/compile';
import type { Plan } from '../flow/plan';
import { Contact, type ContactInput } from '../flow/schema';
import { advance, type Command, type RunState, start } from './interpreter';

function examplePlan(): Plan {
  const doc = JSON.parse(readFileSync(new URL('../../examples/vip-welcome.json', import.meta.url), 'utf8'));
  const result = compile(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

const contact = (input: ContactInput) => Contact.parse(input);
const sends = (commands: Command[]) => commands.filter((c) => c.type === 'send');

/** Runs a plan to the end, answering every send as sent and every timer when due. */
function runToEnd(plan: Plan, c: ContactInput, t0 = 1_000_000) {
  let now = t0;
  let step = start(plan, { contact: contact(c), event: { group: 'G1' }, at: now });
  const log: Command[] = [...step.commands];
  for (let i = 0; i < 100 && step.state.status !== 'done'; i++) {
    const awaiting = step.state.awaiting!;
    if (awaiting.kind === 'timer') now = awaiting.until;
    step =
      awaiting.kind === 'send'
        ? advance(plan, step.state, { type: 'send-result', commandId: awaiting.commandId, ok: true, at: now })
        : advance(plan, step.state, { type: 'timer-fired', timerId: awaiting.timerId, at: now });
    log.push(...step.commands);
  }
  return { state: step.state, log };
}

describe('interpreter', () => {
  it('enters the trigger and stops at the first send, waiting for its result', () => {
    const plan = examplePlan();
    const step = start(plan, { contact: contact({ id: 'c1' }), at: 5 });
    expect(step.commands.map((c) => c.type)).toEqual(['enter', 'enter', 'send']);
    expect(step.state).toMatchObject({ status: 'awaiting', nodeId: 'greet', awaiting: { kind: 'send' } });
  });

  it('waits the planned duration, then branches on a contact attribute', () => {
    const plan = examplePlan();
    const vip = runToEnd(plan, { id: 'v', name: 'Vera', attributes: { tier: 'vip' } });
    const other = runToEnd(plan, { id: 'o', name: 'Otto', attributes: { tier: 'basic' } });
    expect(sends(vip.log).map((c) => c.nodeId)).toEqual(['greet', 'vip-perk']);
    expect(sends(other.log).map((c) => c.nodeId)).toEqual(['greet', 'intro']);
    const timer = vip.log.find((c) => c.type === 'start-timer');
    expect(timer).toMatchObject({ durationMs: 2000, until: 1_000_000 + 2000 });
    expect(vip.state.outcome).toEqual({ kind: 'exited', nodeId: 'done' });
    expect(vip.log.at(-1)).toMatchObject({ type: 'finish', at: 1_002_000 });
  });

  it('ignores inputs that answer nothing it waits for', () => {
    const plan = examplePlan();
    const step = start(plan, { contact: contact({ id: 'c1' }), at: 0 });
    const stale = advance(plan, step.state, { type: 'timer-fired', timerId: 'pause#1', at: 10 });
    expect(stale.commands).toEqual([]);
    expect(stale.state).toBe(step.state);
    const wrongId = advance(plan, step.state, {
      type: 'send-result',
      commandId: 'greet#9',
      ok: true,
      at: 10,
    });
    expect(wrongId.commands).toEqual([]);
  });

  it('is deterministic and does not mutate the state it is given', () => {
    const plan = examplePlan();
    const a = runToEnd(plan, { id: 'x', attributes: { tier: 'vip' } });
    const b = runToEnd(plan, { id: 'x', attributes: { tier: 'vip' } });
    expect(a.log).toEqual(b.log);
    const step = start(plan, { contact: contact({ id: 'c1' }), at: 0 });
    const frozen: RunState = structuredClone(step.state);
    advance(plan, step.state, { type: 'send-result', commandId: 'greet#1', ok: true, at: 1 });
    expect(step.state).toEqual(frozen);
  });

  it('numbers the commands of a loop by visit so each is distinct', () => {
    const plan = examplePlan();
    // Send the VIP path back to the wait: the contact loops with a pause each time.
    plan.nodes['vip-perk'] = { ...plan.nodes['vip-perk'], next: 'pause' } as Plan['nodes'][string];
    let step = start(plan, { contact: contact({ id: 'v', attributes: { tier: 'vip' } }), at: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const awaiting = step.state.awaiting!;
      if (awaiting.kind === 'send') ids.push(awaiting.commandId);
      step =
        awaiting.kind === 'send'
          ? advance(plan, step.state, { type: 'send-result', commandId: awaiting.commandId, ok: true, at: 0 })
          : advance(plan, step.state, { type: 'timer-fired', timerId: awaiting.timerId, at: awaiting.until });
    }
    expect(ids).toEqual(['greet#1', 'vip-perk#1', 'vip-perk#2', 'vip-perk#3']);
  });

  it('carries on after a send fails: one lost message does not stop the journey', () => {
    const plan = examplePlan();
    const step = start(plan, { contact: contact({ id: 'c1' }), at: 0 });
    const next = advance(plan, step.state, {
      type: 'send-result',
      commandId: 'greet#1',
      ok: false,
      error: { kind: 'permanent', message: 'no such user' },
      at: 1,
    });
    expect(next.state.awaiting).toMatchObject({ kind: 'timer', nodeId: 'pause' });
  });

  it('stops a runaway loop instead of spinning', () => {
    const plan = examplePlan();
    plan.nodes['is-vip'] = { ...plan.nodes['is-vip'], elseNext: 'is-vip' } as Plan['nodes'][string];
    let step = start(plan, { contact: contact({ id: 'c1' }), at: 0 });
    step = advance(plan, step.state, { type: 'send-result', commandId: 'greet#1', ok: true, at: 0 });
    step = advance(plan, step.state, { type: 'timer-fired', timerId: 'pause#1', at: 2000 });
    expect(step.state.outcome).toMatchObject({ kind: 'failed', nodeId: 'is-vip' });
  });
});
