import { describe, expect, it } from 'vitest';
import { CampaignRequest } from './campaigns';

const issues = (body: unknown) => {
  const parsed = CampaignRequest.safeParse(body);
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('CampaignRequest', () => {
  it('takes exactly one audience: a condition, contact ids, or everyone', () => {
    const where = { field: 'contact.tags', op: 'contains', value: 'vip' };
    expect(issues({ flowId: 'sale', audience: { where } })).toEqual([]);
    expect(issues({ flowId: 'sale', audience: { contactIds: ['c1'] } })).toEqual([]);
    expect(issues({ flowId: 'sale', audience: { everyone: true } })).toEqual([]);
  });

  it('refuses a request without an audience, naming the field in en and zh', () => {
    for (const audience of [undefined, {}, { everyone: false }, { everyone: true, contactIds: ['c1'] }]) {
      const found = issues({ flowId: 'sale', audience });
      expect(found.length, JSON.stringify(audience)).toBeGreaterThan(0);
      expect(
        found.every((issue) => issue.path.startsWith('audience')),
        JSON.stringify(found),
      ).toBe(true);
    }
    expect(issues({ flowId: 'sale' })).toEqual([
      { path: 'audience', message: expect.stringMatching(/^Choose an audience.* \/ 请选择受众/) },
    ]);
    expect(issues({ flowId: 'sale', audience: { contactIds: [] } })[0]?.path).toBe('audience.contactIds');
  });

  it('refuses a comparison a branch would refuse, naming audience.where', () => {
    expect(
      issues({ flowId: 'sale', audience: { where: { field: 'contact.points', op: 'gt', value: 'ten' } } }),
    ).toEqual([{ path: 'audience.where', message: '"gt" compares numbers; give a number.' }]);
    expect(
      issues({ flowId: 'sale', audience: { where: { field: 'contact.tags', op: 'in', value: 'vip' } } }),
    ).toEqual([{ path: 'audience.where', message: '"in" needs a list of values.' }]);
  });
});
