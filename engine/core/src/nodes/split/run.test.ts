import { describe, expect, it } from 'vitest';
import { PLAN_VERSION, type Plan } from '../../flow/plan';
import type { RunContext } from '../../interpreter/run-context';
import { splitRun } from './run';

type Arm = { id: string; weight: number };

function armFor(
  contactId: string,
  opts: { arms?: Arm[]; flowId?: string; planVersion?: number } = {},
): string {
  const arms = opts.arms ?? [
    { id: 'a', weight: 1 },
    { id: 'b', weight: 3 },
  ];
  const node = {
    id: 's',
    type: 'split' as const,
    arms,
    exits: Object.fromEntries(arms.map((a) => [a.id, 'x'])),
  };
  let taken = '';
  const run = {
    plan: { flowId: opts.flowId ?? 'f', planVersion: opts.planVersion ?? PLAN_VERSION } as Plan,
    state: { contact: { id: contactId } },
    leave: (_n: unknown, exit: string) => (taken = exit),
  };
  splitRun.enter(node, run as unknown as RunContext);
  return taken;
}

/** Ids as integrators number them: one after another, in several shapes. */
const ID_SHAPES: Record<string, (i: number) => string> = {
  short: (i) => `c${i}`,
  padded: (i) => `contact-${String(i).padStart(6, '0')}`,
  bare: (i) => String(i),
  phone: (i) => `1380013${String(i).padStart(4, '0')}`,
  prefixed: (i) => `wecom:wmABCDEF${i}`,
};

describe('split run', () => {
  it('sends the same contact down the same arm every time', () => {
    for (const id of ['c1', 'c2', 'c3']) expect(armFor(id)).toBe(armFor(id));
  });

  it('keeps every arm within binomial bounds for sequential ids of every shape, across many flows', () => {
    const n = 1000;
    const weightings: Arm[][] = [
      [
        { id: 'a', weight: 50 },
        { id: 'b', weight: 50 },
      ],
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 1 },
        { id: 'c', weight: 2 },
      ],
    ];
    const outside: string[] = [];
    for (const [shape, idOf] of Object.entries(ID_SHAPES))
      for (let seed = 0; seed < 20; seed++)
        for (const arms of weightings) {
          const total = arms.reduce((s, a) => s + a.weight, 0);
          const counts = new Map(arms.map((a) => [a.id, 0]));
          for (let i = 0; i < n; i++) {
            const arm = armFor(idOf(i), { arms, flowId: `flow-${seed}` });
            counts.set(arm, counts.get(arm)! + 1);
          }
          for (const arm of arms) {
            const p = arm.weight / total;
            const sigma = Math.sqrt(n * p * (1 - p));
            const got = counts.get(arm.id)!;
            if (Math.abs(got - n * p) > 4 * sigma)
              outside.push(`${shape} flow-${seed} ${arm.id}: ${got} of ${n}`);
          }
        }
    expect(outside).toEqual([]);
  });

  it('does not send runs of consecutive ids down one arm', () => {
    const arms = Array.from({ length: 1000 }, (_, i) => armFor(`c${i}`));
    let longest = 1;
    let run = 1;
    for (let i = 1; i < arms.length; i++) {
      run = arms[i] === arms[i - 1] ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    // At 25/75, a run of 30 "b"s has a chance of about 1000 × 0.75^30 ≈ 0.2 in a thousand fair draws.
    expect(longest).toBeLessThan(30);
  });

  it('keeps the arm a contact took on a plan compiled before the mixed hash (replay)', () => {
    // FNV-1a of "f:s:c1" without mixing, as plans of version 2 split.
    let hash = 0x811c9dc5;
    for (const ch of 'f:s:c1') hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    const expected = (hash / 0x1_0000_0000) * 4 < 1 ? 'a' : 'b';
    expect(armFor('c1', { planVersion: 2 })).toBe(expected);
    const legacy = Array.from({ length: 200 }, (_, i) => armFor(`c${i}`, { planVersion: 2 }));
    const mixed = Array.from({ length: 200 }, (_, i) => armFor(`c${i}`));
    expect(legacy).not.toEqual(mixed);
  });
});
