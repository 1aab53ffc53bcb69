import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import { type Locale, type Messages, messages, preferredLocale } from '../i18n';

const STORAGE_KEY = 'sopflow.locale';

export interface LocaleState {
  locale: Locale;
  t: Messages;
  setLocale: (locale: Locale) => void;
}

export const LocaleContext = createContext<LocaleState>({
  locale: 'en',
  t: messages.en,
  setLocale: () => {},
});

export function useLocale(): LocaleState {
  return useContext(LocaleContext);
}

/** The state behind `LocaleContext`; the choice is remembered across visits. */
export function useLocaleState(): LocaleState {
  const [locale, setLocaleState] = useState<Locale>(() =>
    preferredLocale(readSaved(), navigator.languages ?? [navigator.language]),
  );
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Storage may be disabled (private mode); the choice then lasts for this page only.
    }
  }, []);
  return useMemo(() => ({ locale, t: messages[locale], setLocale }), [locale, setLocale]);
}

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
