import { describe, expect, it } from 'vitest';
import { ContactColumns, columnTargets, suggestColumnTarget } from './contact-columns';

const KINDS = [
  { name: 'phone', label: { en: 'Phone number', zh: '手机号' } },
  { name: 'email', label: { en: 'Email', zh: '邮箱' } },
  { name: 'wecomExternalUserId', label: { en: 'WeCom customer id', zh: '企业微信客户 ID' } },
];

describe('what each column of an imported CSV fills', () => {
  it('knows the contact fields and address kinds by their English and Chinese names', () => {
    expect(
      [
        'ID',
        '编号',
        '姓名',
        'Name',
        '时区',
        '标签',
        '退订',
        '积分',
        '手机号',
        'Phone Number',
        'email',
        '邮箱',
      ].map((h) => suggestColumnTarget(h, KINDS)),
    ).toEqual([
      'id',
      'id',
      'name',
      'name',
      'timezone',
      'tags',
      'unsubscribed',
      'points',
      'addresses.phone',
      'addresses.phone',
      'addresses.email',
      'addresses.email',
    ]);
    expect(suggestColumnTarget('企业微信客户 ID', KINDS)).toBe('addresses.wecomExternalUserId');
  });

  it('reads any other column as an attribute of its name, typed as it says', () => {
    expect(suggestColumnTarget('城市', KINDS)).toBe('attributes.城市');
    expect(suggestColumnTarget('age:number', KINDS)).toBe('attributes.age:number');
    expect(suggestColumnTarget('attributes.city', KINDS)).toBe('attributes.city');
    expect(suggestColumnTarget('addresses.fax', KINDS)).toBe('addresses.fax');
    expect(suggestColumnTarget('attributes', KINDS)).toBe('attributes');
  });

  it('takes the operator’s mapping over the suggestion, several targets for one column, and skips', () => {
    expect(
      columnTargets(['手机号', '姓名', '备注'], KINDS, { 手机号: ['id', 'addresses.phone'], 备注: 'skip' }),
    ).toEqual([['id', 'addresses.phone'], ['name'], []]);
  });

  it('refuses a target it does not know', () => {
    expect(ContactColumns.safeParse({ a: 'phone' }).success).toBe(false);
    expect(ContactColumns.safeParse({ a: 'attributes.x:date' }).success).toBe(false);
    expect(ContactColumns.safeParse({ a: [] }).success).toBe(false);
    expect(
      ContactColumns.safeParse({ a: 'addresses.phone', b: ['id', 'attributes.vip:boolean'] }).success,
    ).toBe(true);
  });
});
