import { describe, expect, it } from 'vitest';
import type { Plan } from '../../flow/plan';
import type { RunContext } from '../../interpreter/run-context';
import { splitRun } from './run';

const plan = { flowId: 'f' } as Plan;
const node = {
  id: 's',
  type: 'split' as const,
  arms: [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 3 },
  ],
  exits: { a: 'x', b: 'y' },
};

function armFor(contactId: string): string {
  let taken = '';
  const run = {
    plan,
    state: { contact: { id: contactId } },
    leave: (_n: unknown, exit: string) => (taken = exit),
  };
  splitRun.enter(node, run as unknown as RunContext);
  return taken;
}

describe('split run', () => {
  it('sends the same contact down the same arm every time', () => {
    for (const id of ['c1', 'c2', 'c3']) expect(armFor(id)).toBe(armFor(id));
  });

  it('shares contacts by weight', () => {
    const arms = Array.from({ length: 4000 }, (_, i) => armFor(`c${i}`));
    const b = arms.filter((a) => a === 'b').length / arms.length;
    expect(b).toBeGreaterThan(0.7);
    expect(b).toBeLessThan(0.8);
  });
});
