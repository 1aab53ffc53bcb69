import type { FlowDocument } from '@sopflow/core';
import type { FlowStats } from '@sopflow/core/api';
import { describe, expect, it } from 'vitest';
import { defaultTargets, mappingOf, movedCount, waitingVersions } from './migration';

const node = (nodeId: string, type: string, waitingNow: number | null, label?: string) =>
  ({ nodeId, type, label, waitingNow }) as FlowStats['nodes'][number];
const stats = (version: number, nodes: FlowStats['nodes']) => ({ version, nodes }) as FlowStats;

describe('contacts on older versions after a publish', () => {
  it('lists the versions with someone waiting, newest first, and only the steps with someone', () => {
    const versions = waitingVersions([
      stats(1, [node('in', 'trigger', 0), node('wait-1', 'wait', 3)]),
      stats(2, [node('wait-1', 'wait', null)]),
      stats(3, [node('hold', 'wait_for_event', 2, '等回复'), node('wait-1', 'wait', 5)]),
    ]);
    expect(versions).toEqual([
      {
        version: 3,
        steps: [
          { nodeId: 'hold', type: 'wait_for_event', label: '等回复', waiting: 2 },
          { nodeId: 'wait-1', type: 'wait', waiting: 5 },
        ],
      },
      { version: 1, steps: [{ nodeId: 'wait-1', type: 'wait', waiting: 3 }] },
    ]);
  });

  it('sends each step’s contacts to the same step of the new version, if it is still one of that type', () => {
    const next = {
      nodes: [
        { id: 'wait-1', type: 'wait' },
        { id: 'hold', type: 'wait' },
      ],
    } as unknown as FlowDocument;
    const version = {
      version: 3,
      steps: [
        { nodeId: 'hold', type: 'wait_for_event', waiting: 2 },
        { nodeId: 'wait-1', type: 'wait', waiting: 5 },
        { nodeId: 'gone', type: 'wait', waiting: 1 },
      ],
    };
    const targets = defaultTargets(version, next);
    expect(targets).toEqual({ hold: '', 'wait-1': 'wait-1', gone: '' });
    expect(mappingOf(targets)).toEqual({ 'wait-1': 'wait-1' });
    expect(movedCount(version, targets)).toEqual({ moving: 5, waiting: 8 });
    expect(mappingOf({ hold: '', gone: '' })).toBeUndefined();
  });
});
