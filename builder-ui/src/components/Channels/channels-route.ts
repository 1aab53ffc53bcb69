/**
 * The Channels page lives in the URL hash like the rest of the builder: `#/channels` the list,
 * `#/channels/<channel>` one channel open, so a reload comes back to the same channel.
 */

export const CHANNELS_HASH = '#/channels';

export type ChannelsRoute = { open: false } | { open: true; channel: string | undefined };

export const channelsHash = (channel?: string) =>
  channel ? `${CHANNELS_HASH}/${encodeURIComponent(channel)}` : CHANNELS_HASH;

export function parseChannelsRoute(hash: string): ChannelsRoute {
  if (hash === CHANNELS_HASH || hash === `${CHANNELS_HASH}/`) return { open: true, channel: undefined };
  if (!hash.startsWith(`${CHANNELS_HASH}/`)) return { open: false };
  try {
    return { open: true, channel: decodeURIComponent(hash.slice(CHANNELS_HASH.length + 1)) || undefined };
  } catch {
    return { open: true, channel: undefined };
  }
}
