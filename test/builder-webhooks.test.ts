import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifact, type BuilderSession, startBuilder, textOf } from './support/builder';
import { type TestApp, uniqueId } from './support/stack';

/**
 * Webhooks for integrators from the builder at 1280×800: a real Chromium refuses a bad URL beside
 * the form, subscribes a local endpoint, reads the delivery log of an event it got, sends it again,
 * and deletes the subscription; in English and in Chinese.
 */

const WAIT = { timeout: 20_000 };
let builder: BuilderSession;
let app: TestApp;
let page: Page;
let endpoint: Server;
let endpointUrl: string;
const received: string[] = [];

beforeAll(async () => {
  endpoint = createServer((req, res) => {
    received.push(String(req.headers['x-sopflow-event-id']));
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/${uniqueId('hooks')}`;
  builder = await startBuilder({ viewport: { width: 1280, height: 800 } });
  ({ app, page } = builder);
});

afterAll(async () => {
  await builder?.close();
  await new Promise((resolve) => endpoint?.close(resolve));
});

const byId = (id: string) => page.getByTestId(id);
const row = () => byId('webhook-subscription').filter({ hasText: endpointUrl });

it('subscribes an endpoint, shows its delivery log and sends a delivery again, in English', async () => {
  await builder.open('#/');
  await byId('nav-webhooks').click();
  await byId('webhooks-page').waitFor();
  expect(await textOf(page.locator('h2'))).toBe('Webhooks');

  // The contract refuses a URL that is not http(s) and no event types, beside the form.
  await byId('webhook-url').fill('ftp://example.com');
  await byId('webhook-submit').click();
  await expect.poll(() => textOf(byId('webhook-issues'))).toContain('url is an http:// or https:// address');
  expect(await textOf(byId('webhook-issues'))).toContain('Choose at least one event type.');

  await byId('webhook-url').fill(endpointUrl);
  await byId('webhook-type-contact.unsubscribed').check();
  await byId('webhook-submit').click();
  await row().waitFor(WAIT);
  expect(await textOf(row())).toContain('Unsubscribed');
  expect(await byId('webhook-url').inputValue()).toBe('');

  const contactId = uniqueId('hooked');
  await app.store.contacts.upsert({ id: contactId });
  await app.request('PUT', `/api/contacts/${contactId}`, { id: contactId, unsubscribed: { sms: true } });
  await expect.poll(() => received.length, WAIT).toBe(1);

  await row().getByRole('button', { name: 'Delivery log' }).click();
  const delivered = byId('webhook-log').getByTestId('webhook-delivery-delivered');
  await delivered.waitFor(WAIT);
  expect(await textOf(delivered)).toContain(contactId);
  expect(await textOf(delivered)).toContain('204');
  await delivered.getByRole('button', { name: 'Send again' }).click();
  await expect.poll(() => textOf(byId('webhook-log'))).toContain('Queued to be sent again.');
  await expect.poll(() => received, WAIT).toEqual([received[0], received[0]]);
  await page.screenshot({ path: artifact('builder-webhooks-en.png') });
});

it('shows the page in Chinese and deletes the subscription', async () => {
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => textOf(byId('nav-webhooks'))).toBe('Webhook 推送');
  expect(await textOf(page.locator('h2'))).toBe('Webhook 推送');
  await expect.poll(() => textOf(byId('webhook-log')), WAIT).toContain('已送达');
  expect(await textOf(byId('webhook-log'))).toContain('已排队重新推送。');
  expect(await textOf(byId('webhooks-table'))).toContain('推送中');
  expect(await textOf(row())).toContain('退订');
  await page.screenshot({ path: artifact('builder-webhooks-zh.png') });

  page.once('dialog', (dialog) => void dialog.accept());
  await row().getByRole('button', { name: '删除' }).click();
  await expect.poll(() => row().count(), WAIT).toBe(0);
  const left = (await app.request('GET', '/api/webhook-subscriptions')).body.subscriptions as {
    url: string;
  }[];
  expect(left.map((s) => s.url)).not.toContain(endpointUrl);
});
