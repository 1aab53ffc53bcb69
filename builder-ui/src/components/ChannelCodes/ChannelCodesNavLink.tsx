import { useLocale } from '../../hooks/useLocale';
import { CHANNEL_CODES_HASH, isChannelCodesHash } from './messages';

/** The header's link to the Channel codes page, marked current while it is open. */
export function ChannelCodesNavLink() {
  const { t } = useLocale();
  return (
    <a
      href={CHANNEL_CODES_HASH}
      aria-current={isChannelCodesHash(window.location.hash) ? 'page' : undefined}
      data-testid="nav-channel-codes"
    >
      {t.channelCodes.title}
    </a>
  );
}
