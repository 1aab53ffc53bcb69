import { type FlowDraft, getDraft } from '../api/flows';
import { useRemote } from './useRemote';

export function useFlowDraft(id: string) {
  return useRemote<FlowDraft>(id, (signal) => getDraft(id, signal));
}
