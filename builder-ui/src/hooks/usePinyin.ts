import { useEffect, useState } from 'react';
import { loadPinyin, type Pinyin } from '../editor/names';

let loading: Promise<Pinyin> | undefined;

/** The pinyin dictionary once `needed` (it loads on first need, once per page), else undefined. */
export function usePinyin(needed: boolean): Pinyin | undefined {
  const [pinyin, setPinyin] = useState<Pinyin>();
  useEffect(() => {
    if (!needed || pinyin) return;
    let live = true;
    loading ??= loadPinyin();
    loading.then(
      (loaded) => live && setPinyin(loaded),
      () => {
        // Without the dictionary ids and search fall back to Latin letters; a later need tries again.
        loading = undefined;
      },
    );
    return () => {
      live = false;
    };
  }, [needed, pinyin]);
  return pinyin;
}
