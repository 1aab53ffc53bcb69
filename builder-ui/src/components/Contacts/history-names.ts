import type { HistoryFlows } from '@sopflow/core/api';
import type { Locale } from '../../i18n';
import { stepName } from '../../nodes';

/** How a contact's history names flows and steps: in the operator's words, ids only as a last resort. */
export interface HistoryNames {
  flow(flowId: string): string;
  /** A step as the version the contact ran names it (any version that has it, when that one is not known). */
  step(flowId: string, version: number | null | undefined, nodeId: string): string;
}

export function historyNames(flows: HistoryFlows, locale: Locale): HistoryNames {
  return {
    flow: (flowId) => flows[flowId]?.name || flowId,
    step: (flowId, version, nodeId) => {
      const versions = flows[flowId]?.versions ?? {};
      const step =
        (version == null ? undefined : versions[String(version)]?.[nodeId]) ??
        Object.values(versions).find((steps) => steps[nodeId])?.[nodeId];
      return step ? stepName({ id: nodeId, ...step }, locale) : nodeId;
    },
  };
}
