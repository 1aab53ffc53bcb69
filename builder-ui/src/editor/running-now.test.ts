import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../api/flows';
import { runningNowKey, showsRunningNow } from './running-now';

const flow = (id: string, status: FlowSummary['status'], latestVersion: number | null): FlowSummary => ({
  id,
  name: id,
  status,
  latestVersion,
  updatedAt: '2026-12-07T00:00:00Z',
});

describe('live counts in the flow list', () => {
  it('shows a count on flows whose contacts may still be running', () => {
    expect(showsRunningNow(flow('a', 'live', 1))).toBe(true);
    expect(showsRunningNow(flow('b', 'paused', 2))).toBe(true);
    expect(showsRunningNow(flow('c', 'draft', null))).toBe(false);
    expect(showsRunningNow(flow('d', 'stopped', 1))).toBe(false);
  });

  it('polls for the flows that show one, and not at all when none does', () => {
    expect(runningNowKey([flow('a', 'live', 1), flow('c', 'draft', null), flow('b', 'paused', 1)])).toBe(
      'running-now:a,b',
    );
    expect(runningNowKey([flow('c', 'draft', null)])).toBeUndefined();
    expect(runningNowKey([])).toBeUndefined();
  });
});
