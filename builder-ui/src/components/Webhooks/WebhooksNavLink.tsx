import { useLocale } from '../../hooks/useLocale';
import { isWebhooksHash, WEBHOOKS_HASH, webhooksMessages } from './messages';

/** The header's link to the Webhooks page, marked current while it is open. */
export function WebhooksNavLink() {
  const { locale } = useLocale();
  return (
    <a
      href={WEBHOOKS_HASH}
      aria-current={isWebhooksHash(window.location.hash) ? 'page' : undefined}
      data-testid="nav-webhooks"
    >
      {webhooksMessages[locale].title}
    </a>
  );
}
