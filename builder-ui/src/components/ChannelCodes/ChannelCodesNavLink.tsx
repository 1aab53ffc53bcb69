import { useLocale } from '../../hooks/useLocale';
import { CHANNEL_CODES_HASH, channelCodesMessages, isChannelCodesHash } from './messages';

/** The header's link to the Channel codes page, marked current while it is open. */
export function ChannelCodesNavLink() {
  const { locale } = useLocale();
  return (
    <a
      href={CHANNEL_CODES_HASH}
      aria-current={isChannelCodesHash(window.location.hash) ? 'page' : undefined}
      data-testid="nav-channel-codes"
    >
      {channelCodesMessages[locale].title}
    </a>
  );
}
