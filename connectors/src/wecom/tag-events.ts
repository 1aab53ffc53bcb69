import type { EventFields } from './callback';

/**
 * WeCom's `change_external_tag` callback event (企业客户标签变更事件): a corp tag or tag group was
 * created, renamed or reordered (`update`), deleted, or a group's tags were reordered (`shuffle`),
 * in the admin console, a client, or through the API. Fields: `Id` (the tag's or group's id; for
 * `shuffle` the group whose tags moved, absent when the groups themselves moved), `TagType` (`tag`
 * or `tag_group`), `ChangeType`, and `StrategyId` for the tags of a rule group (规则组).
 */

export type CorpTagChangeType = 'create' | 'update' | 'delete' | 'shuffle';

export interface CorpTagChange {
  changeType: CorpTagChangeType;
  tagType?: 'tag' | 'tag_group';
  /** The tag's or group's id; none when all groups were reordered. */
  id?: string;
  /** Set for the tags of a rule group (规则组标签), which sopflow reads as corp tags too. */
  strategyId?: string;
  /** The event's CreateTime, in ms. */
  at?: number;
}

const CHANGE_TYPES: readonly string[] = [
  'create',
  'update',
  'delete',
  'shuffle',
] satisfies CorpTagChangeType[];

const textOf = (fields: EventFields, name: string): string | undefined => {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** Reads a `change_external_tag` event; any other event (or an unknown change type) gives undefined. */
export function readCorpTagChange(fields: EventFields): CorpTagChange | undefined {
  if (textOf(fields, 'Event') !== 'change_external_tag') return undefined;
  const changeType = textOf(fields, 'ChangeType');
  if (!changeType || !CHANGE_TYPES.includes(changeType)) return undefined;
  const tagType = textOf(fields, 'TagType');
  const createTime = Number(textOf(fields, 'CreateTime'));
  const id = textOf(fields, 'Id');
  const strategyId = textOf(fields, 'StrategyId');
  return {
    changeType: changeType as CorpTagChangeType,
    ...(tagType === 'tag' || tagType === 'tag_group' ? { tagType } : {}),
    ...(id ? { id } : {}),
    ...(strategyId ? { strategyId } : {}),
    ...(Number.isFinite(createTime) && createTime > 0 ? { at: createTime * 1000 } : {}),
  };
}
