import { useLocale } from '../../hooks/useLocale';
import { LOCALES, type Locale } from '../../i18n';

const NAMES: Record<Locale, string> = { en: 'English', zh: '中文' };

export function LanguageSwitch() {
  const { locale, setLocale, t } = useLocale();
  return (
    <fieldset className="language-switch">
      <legend className="visually-hidden">{t.language}</legend>
      {LOCALES.map((l) => (
        <button key={l} type="button" aria-pressed={l === locale} lang={l} onClick={() => setLocale(l)}>
          {NAMES[l]}
        </button>
      ))}
    </fieldset>
  );
}
