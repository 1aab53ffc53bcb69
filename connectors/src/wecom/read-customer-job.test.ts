import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactChangeSet, ContactsPort } from '../inbound';
import { memoryStorage } from '../shared/memory-storage';
import { MassSendConfig } from './config';
import { FakeWeComServer } from './fake-wecom-server';
import { weComMassSendConnector } from './mass-send-connector';
import { readCustomerJob } from './read-customer-job';
import { resetWeComTokenCache } from './wecom-client';

const APP = { corpId: 'ww-fake-corp', secret: 'fake-secret' };

describe('the read-customer job', () => {
  let fake: FakeWeComServer;
  let changes: { address: { kind: string; value: string }; changes: ContactChangeSet }[];
  const contacts: ContactsPort = {
    change: async (address, change) => {
      changes.push({ address, changes: change });
      return true;
    },
  };
  const run = (
    only?: string,
    instance = weComMassSendConnector.create(config(), { storage: memoryStorage() }),
  ) =>
    readCustomerJob.run({
      config: config(),
      instance,
      storage: memoryStorage(),
      groups: {} as never,
      contacts,
      tags: {} as never,
      ...(only === undefined ? {} : { only }),
    });
  const config = () => MassSendConfig.parse({ ...APP, sender: 'staff', baseUrl: fake.url });

  beforeEach(async () => {
    resetWeComTokenCache();
    changes = [];
    fake = await FakeWeComServer.start({ apps: [APP] });
    // Two pages of follow users, to see the cursor followed.
    fake.customers.pageSize = 1;
    fake.setCustomer({
      external_userid: 'wmC1',
      name: '王小明',
      type: 1,
      follow_user: [
        {
          userid: 'zhangsan',
          createtime: 1718000000,
          tags: [
            { group_name: '意向', tag_name: '高意向', tag_id: 't1', type: 1 },
            { tag_name: '我的老客户', type: 2 },
          ],
        },
        {
          userid: 'lisi',
          createtime: 1718000100,
          tags: [
            { group_name: '意向', tag_name: '高意向', tag_id: 't1', type: 1 },
            { group_name: '来源', tag_name: '直播', tag_id: 't2', type: 1 },
          ],
        },
      ],
    });
  });
  afterEach(async () => fake.close());

  it("keeps the customer's name, the staff they follow and their corp tags, read across pages", async () => {
    expect(await run('wmC1')).toEqual({
      customer: 'wmC1',
      found: true,
      staffIds: ['zhangsan', 'lisi'],
      tags: ['高意向', '直播'],
    });
    expect(fake.count('externalcontact/get')).toBe(2);
    expect(changes).toEqual([
      {
        address: { kind: 'wecomExternalUserId', value: 'wmC1' },
        changes: {
          nameIfUnset: '王小明',
          attributes: { wecomStaffIds: ['zhangsan', 'lisi'], wecomName: '王小明' },
          providerTags: { attribute: 'wecomTags', tags: ['高意向', '直播'] },
        },
      },
    ]);
  });

  it('fails as WeCom answers for a customer it does not know, so the workflow can retry', async () => {
    await expect(run('wmNobody')).rejects.toMatchObject({ details: { providerCode: 84061 } });
    expect(changes).toEqual([]);
  });

  it('runs only for one customer, and never on a timer', async () => {
    expect(weComMassSendConnector.jobs).toContain(readCustomerJob);
    expect(readCustomerJob.schedule({})).toBeUndefined();
    expect(await run()).toMatchObject({ skipped: expect.any(String) });
    expect(await run('wmC1', { send: async () => ({ status: 'sent' }) })).toMatchObject({
      skipped: expect.stringContaining('cannot read'),
    });
    expect(fake.count('externalcontact/get')).toBe(0);
  });
});
