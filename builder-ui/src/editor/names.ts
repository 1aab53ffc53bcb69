/**
 * Names operators type, read back as ids and searched: Chinese names become readable ids through
 * their pinyin ("欢迎新人" → `huan-ying-xin-ren`), and a search for "hyxr" or "huanying" finds the
 * flow "欢迎新人". The pinyin dictionary is large, so callers load it when it is needed
 * (`loadPinyin`) and pass it in; without it, ids and search work on Latin letters alone.
 */

export interface Pinyin {
  /** The text with each Chinese character as its toneless pinyin, separated by spaces. */
  romanise(text: string): string;
  /** Whether `query` matches `text` by pinyin: whole syllables, initials, or a mix. */
  matches(text: string, query: string): boolean;
}

export async function loadPinyin(): Promise<Pinyin> {
  const { pinyin, match } = await import('pinyin-pro');
  return {
    romanise: (text) => pinyin(text, { toneType: 'none', nonZh: 'consecutive', v: true }),
    matches: (text, query) => match(text, query, { continuous: true }) !== null,
  };
}

const HAN = /\p{Script=Han}/u;

export const hasChinese = (text: string) => HAN.test(text);

/** A flow id from a name: lower-case letters, digits and "-", or undefined when none are left. */
export function slugify(name: string, pinyin?: Pinyin): string | undefined {
  const latin = pinyin && hasChinese(name) ? pinyin.romanise(name) : name;
  const slug = latin
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug || undefined;
}

/** Whether a flow's name or id answers a search: words in any order, any case, or pinyin. */
export function flowMatches(flow: { id: string; name: string }, query: string, pinyin?: Pinyin): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const haystack = `${flow.name} ${flow.id}`.toLowerCase();
  return words.every(
    (word) =>
      haystack.includes(word) ||
      (pinyin !== undefined &&
        hasChinese(flow.name) &&
        /^[a-z]+$/.test(word) &&
        pinyin.matches(flow.name, word)),
  );
}
