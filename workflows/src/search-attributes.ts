import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so runs can be found in the Temporal UI by flow, version,
 * contact and the step each contact is at (e.g. `SopflowFlowId = "promo" AND SopflowNode = "remind"`).
 */
export const FlowIdKey = defineSearchAttributeKey('SopflowFlowId', SearchAttributeType.KEYWORD);
export const FlowVersionKey = defineSearchAttributeKey('SopflowFlowVersion', SearchAttributeType.INT);
export const ContactIdKey = defineSearchAttributeKey('SopflowContactId', SearchAttributeType.KEYWORD);
export const NodeKey = defineSearchAttributeKey('SopflowNode', SearchAttributeType.KEYWORD);

/** The attributes a server must have registered, by name and type (for the operator API). */
export const SEARCH_ATTRIBUTES = {
  SopflowFlowId: 'Keyword',
  SopflowFlowVersion: 'Int',
  SopflowContactId: 'Keyword',
  SopflowNode: 'Keyword',
} as const;
