import { inLocale } from '@sopflow/core/api';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_CODE_FIELDS,
  channelCodeDraft,
  channelCodeRequest,
  conversionRate,
} from './channel-code-form';

describe('the channel-code form, drawn from the contract', () => {
  it('has the contract fields with their zh and en labels, and the acquisition channels as options', () => {
    expect(CHANNEL_CODE_FIELDS.map((f) => [f.name, f.kind])).toEqual([
      ['name', 'text'],
      ['channel', 'enum'],
      ['staff', 'list'],
      ['skipVerify', 'boolean'],
    ]);
    expect(CHANNEL_CODE_FIELDS[0]!.label).toEqual({ en: 'Name', zh: '名称' });
    const channel = CHANNEL_CODE_FIELDS[1]!;
    expect(channel.kind === 'enum' && channel.options).toContain('live_stream');
    expect(CHANNEL_CODE_FIELDS[3]).toMatchObject({ defaultValue: true, label: { zh: '无需员工确认即添加' } });
  });

  it('turns the draft into the body, staff split on commas and lines', () => {
    const draft = { ...channelCodeDraft(), name: ' Poster A ', staff: 'lin, zhou\nwu' };
    expect(channelCodeRequest(draft)).toEqual({
      ok: true,
      body: { name: 'Poster A', channel: 'poster', staff: ['lin', 'zhou', 'wu'], skipVerify: true },
    });
  });

  it("places the contract's refusals beside their fields", () => {
    const refused = channelCodeRequest({ name: '', channel: 'poster', staff: '' });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect([...refused.issues.keys()].sort()).toEqual(['name', 'staff']);
    expect(inLocale(refused.issues.get('name')![0]!, 'zh')).toBe('请填写活码名称。');
    expect(inLocale(refused.issues.get('staff')![0]!, 'en')).toBe('Name at least one staff member.');
  });

  it('fills the form from a stored code', () => {
    const draft = channelCodeDraft({
      id: 'c1',
      name: 'Live',
      channel: 'live_stream',
      state: 'sfabc',
      staff: ['lin', 'zhou'],
      skipVerify: false,
      connector: 'wecom-mass',
      qrCode: 'https://example.test/qr.png',
      qrImageUrl: '/api/channel-codes/c1/qr',
      counts: { adds: 0, enrollments: 0, conversions: 0 },
      createdAt: '',
      updatedAt: '',
    });
    expect(draft).toEqual({ name: 'Live', channel: 'live_stream', staff: 'lin, zhou', skipVerify: false });
  });

  it('says the conversion rate only once someone enrolled', () => {
    expect(conversionRate({ adds: 3, enrollments: 0, conversions: 0 })).toBeUndefined();
    expect(conversionRate({ adds: 3, enrollments: 3, conversions: 1 })).toBe('33%');
  });
});
