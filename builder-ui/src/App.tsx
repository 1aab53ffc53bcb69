import { LogOut } from 'lucide-react';
import { useEffect, useState } from 'react';
import { currentSession, logOut, onUnauthorized, type Session } from './api/flows';
import { CampaignsPage } from './components/Campaigns/CampaignsPage';
import { ChannelCodesNavLink } from './components/ChannelCodes/ChannelCodesNavLink';
import { ChannelCodesPage, isChannelCodesHash } from './components/ChannelCodes/ChannelCodesPage';
import { ChannelsPage } from './components/Channels/ChannelsPage';
import { channelsHash, parseChannelsRoute } from './components/Channels/channels-route';
import { ContactsPage } from './components/Contacts/ContactsPage';
import { FlowList } from './components/FlowList/FlowList';
import { FlowView } from './components/FlowView/FlowView';
import { Gallery } from './components/Gallery/Gallery';
import { GroupsPage } from './components/Groups/GroupsPage';
import { GroupsNavLink } from './components/Groups/JoinWaySelect';
import { isGroupsHash } from './components/Groups/route';
import { LanguageSwitch } from './components/LanguageSwitch/LanguageSwitch';
import { Login } from './components/Login/Login';
import { RetentionPage } from './components/Retention/RetentionPage';
import { RETENTION_HASH } from './components/Retention/words';
import { WebhooksNavLink } from './components/Webhooks/WebhooksNavLink';
import { isWebhooksHash, WebhooksPage } from './components/Webhooks/WebhooksPage';
import { CAMPAIGNS_HASH, contactsHash, peopleRouteOf } from './editor/people';
import { useFlows } from './hooks/useFlows';
import { LocaleContext, useLocaleState } from './hooks/useLocale';
import { usePanels } from './hooks/usePanels';
import { useRemote } from './hooks/useRemote';
import { useRoute } from './hooks/useSelectedFlow';

export function App() {
  const localeState = useLocaleState();
  const [route, { openFlow, openGallery }] = useRoute();
  const [panels, togglePanel] = usePanels();
  const { t, locale } = localeState;
  // Who the builder acts as, when the API has accounts; a 401 at any time asks to log in again.
  const [loaded] = useRemote('session', currentSession);
  const [session, setSession] = useState<Session>();
  useEffect(() => onUnauthorized(() => setSession({ kind: 'login' })), []);
  const who =
    session ??
    (loaded.status === 'ready' ? loaded.value : loaded.status === 'failed' ? { kind: 'open' } : undefined);
  // Asked only once the session is known: a logged-out load asks for nothing it may not read.
  const [flows, reloadFlows] = useFlows(who !== undefined && who.kind !== 'login');

  // Screen readers and CJK font selection both read the document language.
  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    document.title = t.appTitle;
  }, [locale, t]);

  const selectedId = route.kind === 'flow' ? route.id : undefined;
  const summary = flows.status === 'ready' ? flows.value.find((f) => f.id === selectedId) : undefined;
  const noFlows = flows.status === 'ready' && flows.value.length === 0;
  // Contacts and campaigns are whole pages beside the flows; useRoute re-renders on every hash change.
  const page = peopleRouteOf(window.location.hash);
  const channels = parseChannelsRoute(window.location.hash);
  const channelCodes = isChannelCodesHash(window.location.hash);
  const groups = isGroupsHash(window.location.hash);
  const webhooks = isWebhooksHash(window.location.hash);
  const retention = window.location.hash === RETENTION_HASH;
  const otherPage = Boolean(page) || channels.open || channelCodes || groups || webhooks || retention;
  // The retention settings are an admin's (the API refuses anyone else); an API without accounts is open.
  const admin = who?.kind === 'open' || (who?.kind === 'user' && who.role === 'admin');

  // The flow list folds on the flows' pages only; the canvas alone hides the whole shell.
  const flowsShown = who?.kind !== 'login' && who !== undefined && !otherPage;
  const shell = [
    'app',
    flowsShown && !panels.flows ? 'app--flows-folded' : '',
    flowsShown && panels.canvasOnly && route.kind === 'flow' ? 'app--canvas-only' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <LocaleContext value={localeState}>
      <div className={shell}>
        <header className="app__header">
          <div className="app__header-start">
            <h1>{t.appTitle}</h1>
            <nav className="app__nav" aria-label={t.flows}>
              <a href="#/" aria-current={otherPage ? undefined : 'page'} data-testid="nav-flows">
                {t.flows}
              </a>
              <a
                href={contactsHash()}
                aria-current={page?.kind === 'contacts' ? 'page' : undefined}
                data-testid="nav-contacts"
              >
                {t.contacts.title}
              </a>
              <a
                href={CAMPAIGNS_HASH}
                aria-current={page?.kind === 'campaigns' ? 'page' : undefined}
                data-testid="nav-campaigns"
              >
                {t.campaigns.title}
              </a>
              <a
                href={channelsHash()}
                aria-current={channels.open ? 'page' : undefined}
                data-testid="nav-channels"
              >
                {t.channelsPage.title}
              </a>
              <ChannelCodesNavLink />
              <GroupsNavLink current={groups} />
              <WebhooksNavLink />
              {admin && (
                <a
                  href={RETENTION_HASH}
                  aria-current={retention ? 'page' : undefined}
                  data-testid="nav-retention"
                >
                  {t.retention.nav}
                </a>
              )}
            </nav>
          </div>
          <div className="app__header-end">
            {who?.kind === 'user' && (
              <>
                <span className="muted" data-testid="user">
                  {who.email}
                </span>
                <button
                  type="button"
                  onClick={() => void logOut().finally(() => setSession({ kind: 'login' }))}
                  data-testid="logout"
                >
                  <LogOut size={14} /> {t.logOut}
                </button>
              </>
            )}
            <LanguageSwitch />
          </div>
        </header>
        {who?.kind === 'login' ? (
          <main className="app__login">
            <Login
              onLoggedIn={(next) => {
                setSession(next);
                reloadFlows();
              }}
            />
          </main>
        ) : who === undefined ? (
          <p className="pane-message muted">{t.loading}</p>
        ) : channels.open ? (
          <main className="app__page channels-main">
            <ChannelsPage
              channel={channels.channel}
              onOpen={(channel) => {
                window.location.hash = channelsHash(channel);
              }}
            />
          </main>
        ) : channelCodes ? (
          <main className="app__page">
            <ChannelCodesPage />
          </main>
        ) : groups ? (
          <main className="app__page">
            <GroupsPage />
          </main>
        ) : webhooks ? (
          <main className="app__page">
            <WebhooksPage />
          </main>
        ) : retention ? (
          <main className="app__page">
            <RetentionPage />
          </main>
        ) : page ? (
          <main className="app__page">
            {page.kind === 'contacts' ? <ContactsPage contactId={page.id} /> : <CampaignsPage />}
          </main>
        ) : (
          <>
            <FlowList
              flows={flows}
              selectedId={selectedId}
              onSelect={openFlow}
              onRetry={reloadFlows}
              onNew={openGallery}
              creating={route.kind === 'new'}
              folded={!panels.flows}
              onFold={() => togglePanel('flows')}
            />
            <main className="app__main">
              {route.kind === 'flow' ? (
                <FlowView key={route.id} id={route.id} summary={summary} onChanged={reloadFlows} />
              ) : route.kind === 'new' || noFlows ? (
                <Gallery
                  onCreated={(id) => {
                    reloadFlows();
                    openFlow(id);
                  }}
                />
              ) : flows.status === 'ready' ? (
                <p className="pane-message muted">{t.pickFlow}</p>
              ) : null}
            </main>
          </>
        )}
      </div>
    </LocaleContext>
  );
}
