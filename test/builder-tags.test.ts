import type { ProviderTagList } from '@sopflow/core/api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { artifact, type BuilderSession, textOf, useBuilder } from './support/builder';
import { type TestApp, uniqueId } from './support/stack';

/**
 * The update step's tag fields offer WeCom's corp tags, by group, as the connector last read them
 * from the (fake) WeCom: a pick adds the tag to what is typed, in English and in Chinese.
 */

const WAIT = { timeout: 20_000 };
const WECOM = { corpId: uniqueId('ww-picker'), secret: 'wecom-contact-secret-picker' };

let builder: BuilderSession;
let app: TestApp;
let page: Page;
let wecom: FakeWeComServer;

useBuilder({ viewport: { width: 1280, height: 800 } }, (session) => {
  builder = session;
  ({ app, page } = session);
});

beforeAll(async () => {
  wecom = await FakeWeComServer.start({ apps: [WECOM] });
  // A tag name no other file's WeCom has: the run's database is shared, and the picker offers every
  // account's tags as last read.
  wecom.corpTags.addGroup('客户等级', ['星标客户', '普通'], 10);
});

afterAll(async () => {
  await app?.request('DELETE', '/api/channels/wechat');
  await wecom?.close();
});

const byId = (id: string) => page.getByTestId(id);

it("offers WeCom's corp tags by group in the update step, and a pick adds one", async () => {
  const routed = await app.request('PUT', '/api/channels/wechat', {
    connector: 'wecom-mass',
    config: { ...WECOM, sender: 'staff-mei', baseUrl: wecom.url },
  });
  expect(routed.status, JSON.stringify(routed.body)).toBe(200);
  // Routing the channel reads the corp tag list in the background.
  await expect
    .poll(
      async () =>
        ((await app.request('GET', '/api/tags')).body as ProviderTagList).groups.some(
          (g) => g.account === WECOM.corpId,
        ),
      WAIT,
    )
    .toBe(true);

  const id = uniqueId('tag-picker');
  const saved = await app.request('PUT', `/api/flows/${id}`, {
    schemaVersion: 1,
    id,
    name: id,
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
      { id: 'tag', type: 'update_contact', update: { addTags: ['engaged'] } },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'tag' },
      { id: 'b', source: 'tag', target: 'out' },
    ],
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);

  await builder.open(`#/flows/${id}`, 'editor');
  await byId('node-tag').click();
  const picker = byId('field-update-addTags-provider');
  await expect.poll(() => textOf(picker), WAIT).toContain('客户等级');
  expect(await textOf(picker)).toContain('WeCom tags');
  await picker.getByRole('button', { name: '星标客户', exact: true }).click();
  await expect.poll(() => byId('field-update-addTags').inputValue(), WAIT).toBe('engaged, 星标客户');
  expect(
    await picker.getByRole('button', { name: '星标客户', exact: true }).getAttribute('aria-pressed'),
  ).toBe('true');
  await page.screenshot({ path: artifact('builder-tags-picker.png') });

  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => textOf(picker), WAIT).toContain('企业微信标签');
  // Picked again, the tag is taken out.
  await picker.getByRole('button', { name: '星标客户', exact: true }).click();
  await expect.poll(() => byId('field-update-addTags').inputValue(), WAIT).toBe('engaged');
});
