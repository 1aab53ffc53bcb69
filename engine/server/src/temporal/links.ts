/** Links into the Temporal UI: a run's page and a list of runs filtered by a visibility query. */
export function temporalLinks(uiUrl: string, namespace: string) {
  const base = `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return {
    /** A run's page: the current run of the workflow id, or the given run. */
    run: (workflowId: string, runId?: string) =>
      `${base}/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}/history` : ''}`,
    /** The list of runs matching a visibility query, e.g. `SopflowFlowId = "promo"`. */
    list: (query: string) => `${base}?query=${encodeURIComponent(query)}`,
  };
}
