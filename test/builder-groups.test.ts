import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { artifact, type BuilderSession, startBuilder, textOf } from './support/builder';
import { edge } from './support/flows';
import { type TestApp, uniqueId } from './support/stack';

/**
 * The Groups page (群), end to end: a real API serves the built builder, routed to a fake WeCom; a
 * real Chromium creates a join way (the contract's check shows first, at the field), sees its QR
 * code drawn, adds a group welcome template, reads the page in Chinese, and picks the join way in a
 * send step's form, which saves it into the flow.
 */

const WAIT = { timeout: 15_000 };
const WECOM = { corpId: 'ww-builder-groups', secret: 'wecom-builder-secret-0030' };

let builder: BuilderSession;
let app: TestApp;
let wecom: FakeWeComServer;
let page: Page;
const chats = [uniqueId('wrBookClub'), uniqueId('wrBookClub2')];

beforeAll(async () => {
  wecom = await FakeWeComServer.start({ apps: [WECOM] });
  for (const chat of chats)
    wecom.setGroupChat({
      chat_id: chat,
      owner: 'staff-an',
      create_time: 1,
      member_list: [],
      member_version: 'v1',
    });
  builder = await startBuilder({ viewport: { width: 1280, height: 800 }, worker: false });
  ({ app, page } = builder);
  const routed = await app.request('PUT', '/api/channels/wechat', {
    connector: 'wecom-mass',
    config: { ...WECOM, sender: 'staff-an', baseUrl: wecom.url },
  });
  expect(routed.status, JSON.stringify(routed.body)).toBe(200);
});

afterAll(async () => {
  await app?.request('DELETE', '/api/channels/wechat');
  await builder?.close();
  await wecom?.close();
});

const byId = (id: string) => page.getByTestId(id);

it('manages join ways and welcome templates from the Groups page, and a send step offers the join way', async () => {
  await builder.open('#/');
  await byId('nav-groups').click();
  await byId('groups-page').waitFor();

  // A join way for six groups: the contract refuses it at the field before anything is sent.
  await byId('new-join-way').click();
  await byId('join-way-remark').fill('Book club');
  await byId('join-way-chat-ids').fill(['a', 'b', 'c', 'd', 'e', 'f'].join('\n'));
  await byId('save-join-way').click();
  await expect
    .poll(() => textOf(byId('join-way-form')), WAIT)
    .toContain('A join way lets into at most 5 groups.');
  expect(await byId('join-way-chat-ids').getAttribute('aria-invalid')).toBe('true');
  expect(wecom.groupEntry.joinWays.size).toBe(0);

  await byId('join-way-chat-ids').fill(chats.join('\n'));
  const state = uniqueId('club').slice(0, 30);
  await byId('join-way-state').fill(state);
  await byId('save-join-way').click();
  const card = byId('join-way').filter({ hasText: state });
  await card.waitFor();
  expect(await textOf(card)).toContain('Book club');
  expect(await textOf(card)).toContain('2 groups');
  // The QR code is the image WeCom's qr_code URL serves, drawn.
  await expect
    .poll(
      () => card.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      WAIT,
    )
    .toBeGreaterThan(100);
  const [configId] = [...wecom.groupEntry.joinWays.keys()];
  expect(wecom.groupEntry.joinWays.get(configId!)).toMatchObject({ chat_id_list: chats, state });

  // A group welcome template with a link.
  await byId('new-welcome-template').click();
  await byId('welcome-template-name').fill('Welcome to the book club');
  await byId('welcome-template-text').fill('Welcome, %NICKNAME%! Rules below.');
  await byId('welcome-template-attachment').selectOption('link');
  await byId('welcome-template-title').fill('Club rules');
  await byId('welcome-template-url').fill('not a url');
  await byId('save-welcome-template').click();
  await expect.poll(() => textOf(byId('welcome-template-form')), WAIT).toContain('Not a URL.');
  await byId('welcome-template-url').fill('https://example.com/rules');
  await byId('save-welcome-template').click();
  await byId('welcome-template').filter({ hasText: 'Welcome to the book club' }).waitFor();
  expect([...wecom.groupEntry.welcomeTemplates.values()]).toContainEqual({
    text: { content: 'Welcome, %NICKNAME%! Rules below.' },
    link: { title: 'Club rules', url: 'https://example.com/rules' },
  });
  await page.screenshot({ path: artifact('builder-groups-en.png') });

  // The same page in Chinese.
  await page.locator('.language-switch button[lang="zh"]').click();
  expect(await textOf(byId('nav-groups'))).toBe('群');
  await expect.poll(() => textOf(byId('join-ways')), WAIT).toContain('加群方式');
  expect(await textOf(card)).toContain('2 个群');
  expect(await textOf(byId('welcome-templates'))).toContain('入群欢迎语');
  await byId('new-join-way').click();
  await byId('join-way-chat-ids').fill('');
  await byId('save-join-way').click();
  await expect.poll(() => textOf(byId('join-way-form')), WAIT).toContain('至少选择一个群。');
  await page.screenshot({ path: artifact('builder-groups-zh.png') });
  await page.locator('.language-switch button[lang="en"]').click();

  // A send step on wechat offers the join way; choosing it saves it into the step's message.
  const flowId = uniqueId('invite-flow');
  const saved = await app.request('PUT', `/api/flows/${flowId}`, {
    schemaVersion: 1,
    id: flowId,
    name: 'Invite to the club',
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } },
      { id: 'invite', type: 'send', channel: 'wechat', message: { text: 'Scan to join' } },
      { id: 'end', type: 'exit' },
    ],
    edges: [edge('in', 'invite'), edge('invite', 'end')],
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await builder.open(`#/flows/${flowId}`, 'editor');
  await byId('node-invite').click();
  await page.locator('[data-testid="inspector"][data-node-id="invite"]').waitFor();
  const select = byId('field-message-join-way');
  // The run's database holds other files' join ways too: this one is offered, after "No invitation".
  await expect.poll(() => select.locator('option').allTextContents(), WAIT).toContain(`Book club (${state})`);
  expect((await select.locator('option').allTextContents())[0]).toBe('No invitation');
  await select.selectOption(configId!);
  await page.screenshot({ path: artifact('builder-groups-send-en.png') });
  await byId('save').click();
  await expect
    .poll(async () => {
      const flow = (await app.request('GET', `/api/flows/${flowId}`)).body as {
        draft: { nodes: { id: string; message?: { joinWay?: string } }[] };
      };
      return flow.draft.nodes.find((n) => n.id === 'invite')?.message?.joinWay;
    }, WAIT)
    .toBe(configId);
});
