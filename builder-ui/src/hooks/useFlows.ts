import { type FlowSummary, listFlows } from '../api/flows';
import { useRemote } from './useRemote';

export function useFlows() {
  return useRemote<FlowSummary[]>('flows', listFlows);
}
