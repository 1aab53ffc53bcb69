import { useEffect } from 'react';
import { FlowList } from './components/FlowList/FlowList';
import { FlowView } from './components/FlowView/FlowView';
import { LanguageSwitch } from './components/LanguageSwitch/LanguageSwitch';
import { NoFlows } from './components/NoFlows/NoFlows';
import { useFlows } from './hooks/useFlows';
import { LocaleContext, useLocaleState } from './hooks/useLocale';
import { useSelectedFlow } from './hooks/useSelectedFlow';

export function App() {
  const localeState = useLocaleState();
  const [flows, reloadFlows] = useFlows();
  const [selectedId, select] = useSelectedFlow();
  const { t, locale } = localeState;

  // Screen readers and CJK font selection both read the document language.
  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    document.title = t.appTitle;
  }, [locale, t]);

  return (
    <LocaleContext value={localeState}>
      <div className="app">
        <header className="app__header">
          <h1>{t.appTitle}</h1>
          <LanguageSwitch />
        </header>
        <FlowList flows={flows} selectedId={selectedId} onSelect={select} onRetry={reloadFlows} />
        <main className="app__main">
          {selectedId ? (
            <FlowView key={selectedId} id={selectedId} />
          ) : flows.status === 'ready' && flows.value.length === 0 ? (
            <NoFlows />
          ) : flows.status === 'ready' ? (
            <p className="pane-message muted">{t.pickFlow}</p>
          ) : null}
        </main>
      </div>
    </LocaleContext>
  );
}
