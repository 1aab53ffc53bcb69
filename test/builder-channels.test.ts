import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeAliyun, startFakeAliyun } from '../connectors/src/sms/fakes/aliyun-fake';
import { artifact, type BuilderSession, startBuilder } from './support/builder';
import type { TestApp } from './support/stack';

/**
 * Routing a channel from the builder, end to end: a real API serves the built builder, and a
 * real Chromium routes `sms` to Aliyun (a local fake that checks the request signature) through
 * the form made from the connector's schema, sees the API's field error, saves, finds the secret
 * masked after a reload, sends a test message the fake receives, reads the page in Chinese and
 * removes the route again. Then the form in the operator's language: in Chinese the Aliyun form
 * names its fields as Aliyun's console does with the help below, and a save without the signature
 * shows the API's refusal in Chinese beside that field; in English the same, in English.
 */

/** How long a condition may take to hold (a save, a test send through the fake). */
const WAIT = { timeout: 15_000 };

const ALIYUN = { accessKeyId: 'LTAI5tBuilderKeyId', accessKeySecret: 'aliyun-builder-secret-0042' };
const MASK = '••••••••';

let builder: BuilderSession;
let app: TestApp;
let aliyun: FakeAliyun;
let page: Page;

beforeAll(async () => {
  aliyun = await startFakeAliyun(ALIYUN);
  // Routing and test sends run in the API; no flow runs here, so no worker.
  builder = await startBuilder({ viewport: { width: 1400, height: 1500 }, worker: false });
  ({ app, page } = builder);
  // The run's database is shared: start from no route for sms whatever ran before.
  await app.request('DELETE', '/api/channels/sms');
});

afterAll(async () => {
  await app?.request('DELETE', '/api/channels/sms');
  await builder?.close();
  await aliyun?.close();
});

const byId = (id: string) => page.getByTestId(id);

it('routes sms to Aliyun from the Channels page, tests it, and removes it', async () => {
  await builder.open('#/');

  // From the navigation to the list: every channel, sms going to the outbox.
  await byId('nav-channels').click();
  await byId('channels-page').waitFor();
  for (const channel of ['wechat', 'wechat_group', 'wechat_oa', 'email', 'sms'])
    await byId(`channel-row-${channel}`).waitFor();
  await expect.poll(() => byId('channel-connector-sms').textContent()).toBe('outbox — not delivered');

  // The form comes from aliyun-sms's schema: required fields, defaults as placeholders, a password input.
  await byId('channel-open-sms').click();
  await byId('connector-select').selectOption('aliyun-sms');
  expect(await byId('field-accessKeySecret').getAttribute('type')).toBe('password');
  expect(await byId('field-endpoint').getAttribute('placeholder')).toBe('https://dysmsapi.aliyuncs.com');
  expect(await byId('field-sendWindow.outside').locator('option').allTextContents()).toEqual([
    'default (defer)',
    'defer',
    'fail',
  ]);
  await byId('field-accessKeyId').fill(ALIYUN.accessKeyId);
  await byId('field-accessKeySecret').fill(ALIYUN.accessKeySecret);
  await byId('field-signName').fill('社群运营');
  await byId('field-endpoint').fill(aliyun.url);
  await byId('field-timeoutMs').fill('50');
  // The nested test template, with its map of parameters.
  await byId('group-testTemplate').locator('summary').click();
  await byId('field-testTemplate.id').fill('SMS_BUILDER_TEST');
  await byId('field-testTemplate.params-add').click();
  await byId('field-testTemplate.params-key-0').fill('code');
  await byId('field-testTemplate.params-value-0').fill('1234');
  await byId('channel-save').click();

  // The API refuses the timeout; its issue shows beside that field, and nothing was stored.
  await expect.poll(() => byId('field-errors-timeoutMs').textContent(), WAIT).toContain('1000');
  await byId('form-errors').waitFor();
  expect((await app.request('GET', '/api/channels')).body.routes).not.toContainEqual(
    expect.objectContaining({ channel: 'sms' }),
  );

  await byId('field-timeoutMs').fill('5000');
  await byId('channel-save').click();
  await byId('channel-saved').waitFor(WAIT);
  expect(await byId('field-errors-timeoutMs').count()).toBe(0);
  await expect.poll(() => byId('channel-connector-sms').textContent(), WAIT).toBe('aliyun-sms');
  const stored = (await app.request('GET', '/api/channels')).body.routes.find(
    (r: { channel: string }) => r.channel === 'sms',
  );
  expect(stored).toMatchObject({
    connector: 'aliyun-sms',
    config: {
      accessKeyId: ALIYUN.accessKeyId,
      accessKeySecret: MASK,
      endpoint: aliyun.url,
      timeoutMs: 5000,
      testTemplate: { id: 'SMS_BUILDER_TEST', params: { code: '1234' } },
    },
  });

  // After a reload the secret is stored, shown as the mask, and never in the page.
  await page.reload();
  await byId('channel-editor').waitFor();
  await expect.poll(() => byId('field-accessKeyId').inputValue()).toBe(ALIYUN.accessKeyId);
  expect(await byId('field-accessKeySecret').inputValue()).toBe('');
  expect(await byId('field-accessKeySecret').getAttribute('placeholder')).toBe(MASK);
  await byId('field-accessKeySecret-stored').waitFor();
  expect(await page.content()).not.toContain(ALIYUN.accessKeySecret);

  // Saving again without the secret keeps the stored one: the fake checks the signature made with it.
  await byId('field-signName').fill('社群运营部');
  await byId('channel-save').click();
  await byId('channel-saved').waitFor(WAIT);

  expect(await byId('test-recipient-kind').inputValue()).toBe('phone');
  expect(await byId('test-recipient').getAttribute('type')).toBe('tel');
  await byId('test-recipient').fill('+86 138 0013 8000');
  await byId('test-send-button').click();
  await byId('test-result').waitFor(WAIT);
  expect(aliyun.sent).toEqual([
    expect.objectContaining({
      phone: '+8613800138000',
      signName: '社群运营部',
      templateCode: 'SMS_BUILDER_TEST',
      templateParam: { code: '1234' },
    }),
  ]);
  await page.screenshot({ path: artifact('builder-channels-en.png'), fullPage: true });

  // A provider's refusal comes back as what the provider said.
  aliyun.script('+8613900139000', 'isv.MOBILE_NUMBER_ILLEGAL');
  await byId('test-recipient').fill('+8613900139000');
  await byId('test-send-button').click();
  await expect.poll(() => byId('test-error').textContent(), WAIT).toContain('isv.MOBILE_NUMBER_ILLEGAL');

  // The language switch reaches the page.
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => byId('nav-channels').textContent()).toBe('渠道');
  expect(await byId('channel-save').textContent()).toContain('保存');
  expect(await byId('channel-connector-email').textContent()).toBe('发件箱 — 不实际发送');
  expect(await byId('test-send-button').textContent()).toContain('发送测试');
  expect(await byId('field-accessKeySecret-stored').textContent()).toBe('已保存，已隐藏');
  await page.screenshot({ path: artifact('builder-channels-zh.png'), fullPage: true });

  await byId('channel-remove').click();
  await byId('remove-yes').click();
  await byId('channel-removed').waitFor(WAIT);
  await expect.poll(() => byId('channel-connector-sms').textContent(), WAIT).toBe('发件箱 — 不实际发送');
  expect((await app.request('GET', '/api/channels')).body.routes).not.toContainEqual(
    expect.objectContaining({ channel: 'sms' }),
  );
});

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
