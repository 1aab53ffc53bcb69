import { randomBytes } from 'node:crypto';
import type { CallbackConfig } from '@sopflow/connectors';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { artifact, type BuilderSession, startBuilder, textOf } from './support/builder';
import { publishFlow, type TestApp, uniqueId } from './support/stack';
import { weComCallbackEnv } from './support/wecom';
import {
  channelCodeFlow,
  deliverCustomerAdd,
  enrollmentsOf,
  weComCallbackTarget,
} from './support/wecom-adds';

/**
 * Channel codes from the builder, end to end at 1280×800: a real Chromium makes a code on the
 * Channel codes page (its form drawn from the API contract), sees the API's refusal beside the
 * field, sees the QR code the fake WeCom drew, and, after customers add staff through it (the
 * adds delivered as WeCom's signed callback), sees its adds, enrollments and
 * conversions; in English and in Chinese.
 */

const WAIT = { timeout: 20_000 };
const WECOM = { corpId: 'ww-builder-channel-codes', secret: 'wecom-contact-secret-builder-27' };
const STAFF = ['staff-lin', 'staff-zhou'];
const CALLBACK: CallbackConfig = {
  token: 'builder-channel-codes-callback',
  encodingAESKey: 'bcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH',
  receiveId: WECOM.corpId,
};

let builder: BuilderSession;
let app: TestApp;
let wecom: FakeWeComServer;
let page: Page;
const flowId = uniqueId('channel-code-welcome');

beforeAll(async () => {
  wecom = await FakeWeComServer.start({ apps: [WECOM], members: STAFF });
  builder = await startBuilder({ viewport: { width: 1280, height: 800 }, env: weComCallbackEnv(CALLBACK) });
  ({ app, page } = builder);
  const routed = await app.request('PUT', '/api/channels/wechat', {
    connector: 'wecom-mass',
    config: { ...WECOM, sender: STAFF[0], baseUrl: wecom.url, reconcileMinutes: 0 },
  });
  expect(routed.status, JSON.stringify(routed.body)).toBe(200);
  // The run's database is shared: only this file's codes on the page.
  const { channelCodes } = (await app.request('GET', '/api/channel-codes')).body as {
    channelCodes: { id: string }[];
  };
  for (const code of channelCodes) await app.request('DELETE', `/api/channel-codes/${code.id}`);
  await publishFlow(app, channelCodeFlow(flowId));
});

afterAll(async () => {
  await app?.request('DELETE', '/api/channels/wechat');
  await builder?.close();
  await wecom?.close();
});

const byId = (id: string) => page.getByTestId(id);

/** `count` new customers adding staff through a code, delivered as WeCom's callback; their contacts. */
async function addsThrough(state: string, count: number): Promise<string[]> {
  const contacts: string[] = [];
  for (let i = 0; i < count; i++) {
    const externalUserId = `wm${randomBytes(8).toString('hex')}`;
    const add = { staffId: STAFF[0]!, externalUserId, state, at: Date.now() };
    contacts.push((await deliverCustomerAdd(weComCallbackTarget(app.url, CALLBACK), add, app)).contactId);
  }
  return contacts;
}

/** The code's row, found by the state WeCom was given for the code named `name`. */
async function rowOf(name: string) {
  const stateOf = () => [...wecom.contactWays.ways.values()].find((w) => w.remark === name)?.state;
  await expect.poll(stateOf, { ...WAIT, message: `a WeCom way for ${name}` }).toBeDefined();
  const state = stateOf()!;
  return { state, row: byId(`channel-code-${state}`) };
}

const counts = async (row: ReturnType<typeof byId>) =>
  Promise.all(['adds', 'enrollments', 'conversions'].map((n) => textOf(row.getByTestId(`count-${n}`))));

/** The QR image loaded and drawn (a real PNG through the API from the fake WeCom). */
const qrDrawn = (row: ReturnType<typeof byId>) =>
  row.getByTestId('channel-code-qr').evaluate((element) => {
    const img = element as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
    return img.complete && img.naturalWidth > 0 && img.naturalHeight > 0;
  });

it('makes a channel code, shows its QR code and counts what came through it, in English', async () => {
  await builder.open('#/');
  await byId('nav-channel-codes').click();
  await byId('channel-codes-page').waitFor();
  expect(await textOf(page.locator('h2'))).toBe('Channel codes');

  // The contract refuses an empty name and no staff; each refusal shows beside its field.
  await byId('channel-code-submit').click();
  await expect.poll(() => textOf(byId('channel-code-name-errors'))).toBe('Give the code a name.');
  expect(await textOf(byId('channel-code-staff-errors'))).toBe('Name at least one staff member.');

  // WeCom does not know a staff member: the API's refusal lands beside the staff field.
  await byId('channel-code-name').fill('Spring poster');
  await byId('channel-code-staff').fill('staff-lin, nobody');
  await byId('channel-code-submit').click();
  await expect.poll(() => textOf(byId('channel-code-staff-errors')), WAIT).toContain('nobody');

  await byId('channel-code-staff').fill(STAFF.join(', '));
  expect(await byId('channel-code-channel').locator('option').allTextContents()).toContain('Live stream');
  await byId('channel-code-submit').click();
  await byId('channel-codes-table').waitFor(WAIT);
  const { state, row } = await rowOf('Spring poster');
  await row.waitFor();
  expect(await textOf(row)).toContain('Poster');
  await expect.poll(() => qrDrawn(row), WAIT).toBe(true);
  expect(await counts(row)).toEqual(['0', '0', '0']);

  // Three customers add staff through it; one of them pays (the flow's goal).
  const added = await addsThrough(state, 3);
  await app.request('POST', '/api/events', { contactId: added[0], name: 'order.paid', payload: {} });
  const [run] = await enrollmentsOf(app, added[0]!);
  expect(run?.flowId).toBe(flowId);
  await app.client.workflow.getHandle(run!.workflowId).result();
  await expect.poll(() => counts(row), WAIT).toEqual(['3', '3', '1']);
  expect(await textOf(row)).toContain('33%');
  await page.screenshot({ path: artifact('builder-channel-codes-en.png') });
});

it('makes and shows one in Chinese', async () => {
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => textOf(byId('nav-channel-codes'))).toBe('渠道活码');
  expect(await textOf(page.locator('h2'))).toBe('渠道活码');

  await byId('channel-code-name').fill('双十一直播间');
  await byId('channel-code-channel').selectOption('live_stream');
  await byId('channel-code-staff').fill(STAFF[1]!);
  await byId('channel-code-skipVerify').uncheck();
  await byId('channel-code-submit').click();
  const { state, row } = await rowOf('双十一直播间');
  await row.waitFor(WAIT);
  expect(await textOf(row)).toContain('直播');
  expect(await textOf(row)).toContain('需员工确认');
  expect(wecom.contactWays.byState(state)).toMatchObject({ skip_verify: false, user: [STAFF[1]] });
  await expect.poll(() => qrDrawn(row), WAIT).toBe(true);

  // Changing it: the form comes filled; WeCom's way takes the new staff, the state and QR stay.
  await row.getByRole('button', { name: '修改' }).click();
  await expect.poll(() => byId('channel-code-staff').inputValue()).toBe(STAFF[1]);
  await byId('channel-code-staff').fill(STAFF.join('，'));
  await byId('channel-code-submit').click();
  await expect.poll(() => wecom.contactWays.byState(state)?.user, WAIT).toEqual(STAFF);
  await expect.poll(() => textOf(row), WAIT).toContain('staff-lin, staff-zhou');

  await addsThrough(state, 2);
  await expect.poll(() => counts(row), WAIT).toEqual(['2', '2', '0']);
  expect(await textOf(byId('channel-codes-table').locator('thead'))).toContain('转化率');
  await page.screenshot({ path: artifact('builder-channel-codes-zh.png') });
});
