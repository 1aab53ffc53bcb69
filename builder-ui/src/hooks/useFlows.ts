import { type FlowSummary, listFlows } from '../api/flows';
import { useRemote } from './useRemote';

/** The flows, asked for once `allowed` (the session is known and may read them). */
export function useFlows(allowed: boolean) {
  return useRemote<FlowSummary[]>(allowed ? 'flows' : undefined, listFlows);
}
