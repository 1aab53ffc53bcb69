/**
 * Compile errors are values: a stable code, the node or edge they concern, and a message in
 * English and Chinese, because operators read them on the canvas in either language.
 */

export type CompileErrorCode =
  | 'invalid_document'
  | 'invalid_field'
  | 'duplicate_node_id'
  | 'duplicate_edge_id'
  | 'no_trigger'
  | 'several_triggers'
  | 'edge_unknown_source'
  | 'edge_unknown_target'
  | 'edge_unknown_exit'
  | 'exit_connected_twice'
  | 'missing_exit'
  | 'unreachable_node'
  | 'cycle_without_wait'
  | 'invalid_duration'
  | 'unknown_variable'
  | 'invalid_template'
  | 'unknown_channel'
  | 'invalid_condition'
  | 'duplicate_branch_id'
  | 'welcome_needs_add_trigger'
  | 'join_way_not_picked';

export interface CompileError {
  code: CompileErrorCode;
  /** The node the error is about, when it is about one. */
  nodeId?: string;
  /** The edge the error is about, when it is about one. */
  edgeId?: string;
  /** Where in the document, e.g. `nodes[2].message.text`. */
  path?: string;
  message: string;
  messageZh: string;
}

/** A warning: the flow compiles and publishes, but will run into a limit or a rule. */
export type CompileWarningCode =
  | 'loop_exceeds_cap'
  | 'path_exceeds_cap'
  | 'send_in_quiet_hours'
  | 'channel_quota_risk'
  | 'free_form_after_window'
  | 'goal_shadows_wait'
  | 'welcome_not_first_send';

export interface CompileWarning {
  code: CompileWarningCode;
  /** The node the warning is about. */
  nodeId?: string;
  /** For `channel_quota_risk` and `free_form_after_window`: the limit or window the flow risks. */
  limitId?: string;
  message: string;
  messageZh: string;
}

/** One line per error, as the CLI prints it: `node send-1: message`. */
export function formatCompileError(error: CompileError, locale: 'en' | 'zh' = 'en'): string {
  const where = error.nodeId
    ? `node ${error.nodeId}`
    : error.edgeId
      ? `edge ${error.edgeId}`
      : error.path || 'flow';
  return `${where}: ${locale === 'zh' ? error.messageZh : error.message}`;
}
