import { describe, expect, it } from 'vitest';
import { channelsHash, parseChannelsRoute } from './channels-route';

describe('parseChannelsRoute', () => {
  it('opens the page, and one channel when the hash names it', () => {
    expect(parseChannelsRoute('#/channels')).toEqual({ open: true, channel: undefined });
    expect(parseChannelsRoute('#/channels/')).toEqual({ open: true, channel: undefined });
    expect(parseChannelsRoute('#/channels/wechat_oa')).toEqual({ open: true, channel: 'wechat_oa' });
    expect(parseChannelsRoute('#/channels/a%2Fb')).toEqual({ open: true, channel: 'a/b' });
  });

  it('leaves other screens alone', () => {
    expect(parseChannelsRoute('')).toEqual({ open: false });
    expect(parseChannelsRoute('#/flows/welcome')).toEqual({ open: false });
    expect(parseChannelsRoute('#/channelsx')).toEqual({ open: false });
  });
});

describe('channelsHash', () => {
  it('names the page or one channel, and parses back', () => {
    expect(channelsHash()).toBe('#/channels');
    expect(parseChannelsRoute(channelsHash('a/b'))).toEqual({ open: true, channel: 'a/b' });
  });
});
