import type { ProviderTagGroupItem } from '../../api/tags';
import { listProviderTags } from '../../api/tags';
import { pickableGroups, toggleTag } from '../../editor/provider-tags';
import { useLocale } from '../../hooks/useLocale';
import { useRemote } from '../../hooks/useRemote';
import { ListInput } from './fields';

const NO_GROUPS: readonly ProviderTagGroupItem[] = [];

/** The providers' tag groups (WeCom corp tags), or none while they load or cannot be read. */
export function useProviderTags(): readonly ProviderTagGroupItem[] {
  const [tags] = useRemote('provider-tags', listProviderTags);
  return tags.status === 'ready' ? tags.value.groups : NO_GROUPS;
}

/**
 * A list of tags, typed comma-separated, with WeCom's corp tags offered by group below it: a pick
 * adds the tag (a picked one is shown chosen, and a second pick takes it out again).
 */
export function TagsInput({
  id,
  value,
  onChange,
  testId,
}: {
  id: string;
  value: string[] | undefined;
  onChange: (tags: string[] | undefined) => void;
  testId: string;
}) {
  const { t } = useLocale();
  const groups = pickableGroups(useProviderTags());
  const chosen = value ?? [];
  return (
    <>
      <ListInput id={id} value={value} onChange={onChange} data-testid={testId} />
      {groups.length > 0 && (
        <fieldset className="provider-tags" data-testid={`${testId}-provider`}>
          <legend className="provider-tags__title">{t.providerTags}</legend>
          <p className="field__hint">{t.providerTagsHint}</p>
          {groups.map((group) => (
            <div key={`${group.connector}:${group.account}:${group.id}`} className="provider-tags__group">
              <span className="provider-tags__name">{group.name}</span>
              {group.tags.map((tag) => (
                <button
                  key={tag.id}
                  type="button"
                  className={chosen.includes(tag.name) ? 'chip chip--on' : 'chip'}
                  aria-pressed={chosen.includes(tag.name)}
                  onClick={() => onChange(toggleTag(value, tag.name))}
                >
                  {tag.name}
                </button>
              ))}
            </div>
          ))}
        </fieldset>
      )}
    </>
  );
}
