import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifact, type BuilderSession, startBuilder } from './support/builder';
import type { TestApp } from './support/stack';

/**
 * The channel form in the operator's language, end to end: a real API serves the built builder;
 * in Chinese the Aliyun form names its fields as Aliyun's console does with the help below, and a
 * save without the signature shows the API's refusal in Chinese beside that field; in English the
 * same, in English. Nothing is stored.
 */

const WAIT = { timeout: 15_000 };

let builder: BuilderSession;
let app: TestApp;
let page: Page;

beforeAll(async () => {
  builder = await startBuilder({ viewport: { width: 1400, height: 1500 }, worker: false });
  ({ app, page } = builder);
  await app.request('DELETE', '/api/channels/sms');
});

afterAll(async () => {
  await app?.request('DELETE', '/api/channels/sms');
  await builder?.close();
});

const byId = (id: string) => page.getByTestId(id);
const HAN = /\p{Script=Han}/u;

async function openAliyunForm() {
  await byId('nav-channels').click();
  await byId('channel-open-sms').click();
  await byId('connector-select').selectOption('aliyun-sms');
}

/** Saves the form with the AccessKey but no signature; the API's issue shows beside the signature. */
async function saveWithoutSignature(): Promise<string> {
  await byId('field-accessKeyId').fill('LTAI5tWordsKeyId');
  await byId('field-accessKeySecret').fill('aliyun-words-secret');
  await byId('field-signName').fill('');
  await byId('channel-save').click();
  await byId('field-errors-signName').waitFor(WAIT);
  return (await byId('field-errors-signName').textContent()) ?? '';
}

it('names the fields and shows the API refusal in Chinese, then in English', async () => {
  await builder.open('#/');
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => byId('nav-channels').textContent()).toBe('渠道');
  await openAliyunForm();

  expect(await byId('connector-description').textContent()).toContain('阿里云短信');
  // Labels as Aliyun's console writes them, the key small beside, the help below.
  expect(await byId('field-signName-label').textContent()).toBe('短信签名');
  expect(await page.locator('label[for] code.schema-field__key', { hasText: 'signName' }).count()).toBe(1);
  expect(await byId('field-signName-help').textContent()).toContain('签名名称');
  expect(await byId('field-accessKeyId-label').textContent()).toBe('AccessKey ID');
  expect(await byId('field-timeoutMs-label').textContent()).toBe('超时（毫秒）');
  expect(await byId('field-sendWindow-label').textContent()).toBe('发送时段');

  const zh = await saveWithoutSignature();
  expect(zh).toContain('无效输入');
  expect(zh).not.toMatch(/Invalid input/);
  await byId('form-errors').waitFor();
  await page.screenshot({ path: artifact('builder-channel-form-zh.png'), fullPage: true });

  // The shown issue follows a language switch, and a new save in English answers in English.
  await page.locator('.language-switch button[lang="en"]').click();
  await expect.poll(() => byId('field-signName-label').textContent()).toBe('Signature');
  expect(await byId('field-errors-signName').textContent()).toContain('Invalid input');
  expect(await byId('field-signName-help').textContent()).toContain('approved signature');
  expect(await byId('connector-description').textContent()).toContain('Aliyun SMS');
  const en = await saveWithoutSignature();
  expect(en).toContain('Invalid input');
  expect(en).not.toMatch(HAN);
  await page.screenshot({ path: artifact('builder-channel-form-en.png'), fullPage: true });

  expect((await app.request('GET', '/api/channels')).body.routes).not.toContainEqual(
    expect.objectContaining({ channel: 'sms' }),
  );
});
