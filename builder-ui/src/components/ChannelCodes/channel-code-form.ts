import { type ChannelCode, ChannelCodeBody, channelCodeBodyJsonSchema, checkIssues } from '@sopflow/core/api';
import {
  configOf,
  type Draft,
  draftOf,
  type FormField,
  fieldsOf,
  type JsonSchema,
  placeIssues,
} from '../../editor/schema-form';

/**
 * The channel-code form, drawn from the API contract's `ChannelCodeBody`: its fields (with their
 * zh/en labels and help) come from the body's JSON Schema, the request from the draft, and each
 * issue (the contract's own check, or the API's 422) lands beside the field it names.
 */

/** The form's fields, in the contract's order: name, channel, staff, skipVerify. */
export const CHANNEL_CODE_FIELDS: readonly FormField[] = fieldsOf(channelCodeBodyJsonSchema() as JsonSchema);

/** An empty form, or one holding a code to change. */
export function channelCodeDraft(code?: ChannelCode): Draft {
  return code ? draftOf(CHANNEL_CODE_FIELDS, code) : { channel: 'poster' };
}

/** The body to send, or the issues by field when the contract refuses it (the browser checks first). */
export function channelCodeRequest(
  draft: Draft,
): { ok: true; body: ChannelCodeBody } | { ok: false; issues: Map<string, string[]> } {
  const body = configOf(CHANNEL_CODE_FIELDS, draft);
  // A list left empty is sent as none: the contract then says "name at least one".
  const parsed = checkIssues(ChannelCodeBody, { staff: [], ...body });
  if (parsed.success) return { ok: true, body: parsed.data };
  return { ok: false, issues: placeIssues(CHANNEL_CODE_FIELDS, parsed.issues) };
}

/** Conversions per enrollment, as a whole percentage; none before anyone enrolled. */
export function conversionRate(counts: ChannelCode['counts']): string | undefined {
  if (counts.enrollments === 0) return undefined;
  return `${Math.round((counts.conversions / counts.enrollments) * 100)}%`;
}
