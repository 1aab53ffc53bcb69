import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendError } from '../connector';
import { weComContactWays } from './contact-ways';
import { FakeWeComServer } from './fake-wecom-server';
import { thrown } from './test-support';
import { resetWeComTokenCache, WeComClient } from './wecom-client';

describe('WeCom contact ways (channel codes)', () => {
  let fake: FakeWeComServer;
  let ways: ReturnType<typeof weComContactWays>;

  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start({ members: ['zhangsan', 'lisi'] });
    ways = weComContactWays(
      new WeComClient({ corpId: 'ww-fake-corp', secret: 'fake-secret', baseUrl: fake.url }),
    );
  });
  afterEach(() => fake.close());

  const spec = {
    name: 'Spring poster at the Xuhui store',
    state: 'sf-abc123',
    staff: ['zhangsan'],
    skipVerify: false,
  };

  it('creates a QR-code way for many staff, with the remark cut to 30 characters and the state as given', async () => {
    const made = await ways.create(spec);
    const call = fake.calls.find((c) => c.api === 'externalcontact/add_contact_way')!;
    expect(call.body).toEqual({
      type: 2,
      scene: 2,
      remark: spec.name.slice(0, 30),
      state: 'sf-abc123',
      user: ['zhangsan'],
      skip_verify: false,
    });
    expect(made.qrCode).toBe(`${fake.url}/qr/${made.id}.png`);
    expect(await ways.get(made.id)).toEqual({
      id: made.id,
      ...spec,
      name: spec.name.slice(0, 30),
      qrCode: made.qrCode,
    });
  });

  it('serves a real PNG at the QR code URL', async () => {
    const made = await ways.create(spec);
    const image = await fetch(made.qrCode);
    expect(image.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect((await fetch(`${fake.url}/qr/nope.png`)).status).toBe(404);
  });

  it('updates staff (one to two), state and verification in place; deletes; get answers undefined after', async () => {
    const made = await ways.create(spec);
    await ways.update(made.id, { ...spec, staff: ['zhangsan', 'lisi'], skipVerify: true });
    expect(await ways.get(made.id)).toMatchObject({
      staff: ['zhangsan', 'lisi'],
      skipVerify: true,
      qrCode: made.qrCode,
    });
    await ways.remove(made.id);
    expect(await ways.get(made.id)).toBeUndefined();
  });

  it('lists the ways made since a time, across pages', async () => {
    const before = new Date(Date.now() - 1000);
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await ways.create({ ...spec, state: `sf-${i}` }));
    expect((await ways.list(before)).sort()).toEqual(made.map((m) => m.id).sort());
    expect(await ways.list(new Date(Date.now() + 60_000))).toEqual([]);
  });

  it('says a staff member WeCom does not know is the staff field', async () => {
    const error = (await thrown(() => ways.create({ ...spec, staff: ['nobody'] }))) as SendError;
    expect(error.kind).toBe('permanent');
    expect(error.details).toMatchObject({ providerCode: 40003, field: 'staff' });
    const made = await ways.create(spec);
    const refused = (await thrown(() => ways.update(made.id, { ...spec, staff: ['nobody'] }))) as SendError;
    expect(refused.details.field).toBe('staff');
  });

  it('refuses a state longer than WeCom keeps', async () => {
    const error = (await thrown(() => ways.create({ ...spec, state: 'x'.repeat(31) }))) as SendError;
    expect(error.details.providerCode).toBe(40058);
    expect(error.details.field).toBeUndefined();
  });
});
