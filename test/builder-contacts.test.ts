import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { artifact, type BuilderSession, useBuilder } from './support/builder';
import { publishFlow, type TestApp, uniqueId } from './support/stack';

/**
 * Contacts and campaigns in the builder, end to end: a real API and worker on the run's Temporal
 * and Postgres serve the built builder, and a real Chromium imports a CSV (and sees the row it
 * refused, with why), finds a contact, starts a campaign of the imported contacts into a live
 * flow, watches it finish, and finds the journey in the contact's history, in both languages.
 */

/** How long a condition may take to hold (an import, a campaign's pages, a run's end). */
const WAIT = { timeout: 30_000 };

let builder: BuilderSession;
let app: TestApp;
let page: Page;

useBuilder({ viewport: { width: 1400, height: 1000 } }, (session) => {
  builder = session;
  ({ app, page } = session);
});

const byId = (id: string) => page.getByTestId(id);
const open = (hash: string, ready: string) => builder.open(hash, ready);

/** Polls the API until `check` holds for the answer, and answers it. */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (check(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the condition never held');
}

it('imports contacts, finds one, runs a campaign into a flow and shows the journey, in en and zh', async () => {
  // Contact ids sort together and apart from every other test's contacts in the shared database.
  const prefix = uniqueId('people');
  const ada = `${prefix}-1`;
  const bo = `${prefix}-2`;
  const csv = [
    'id,name,phone,tags,city,age:number',
    `${ada},Ada Lovelace,+8613800000001,vip;reader,Shanghai,36`,
    `${bo},Bo Yang,+8613800000002,reader,Beijing,27`,
    `${prefix}-3,Cy,not a phone,,,`,
    `${prefix}-4,Di,+8613800000004,,Shenzhen,forty`,
  ].join('\n');

  // Import: two rows saved, two refused, each with its line and why.
  await open('#/contacts', 'contacts-page');
  await byId('contacts-import-toggle').click();
  await byId('contacts-import-file').setInputFiles({
    name: 'people.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  // Its columns, as the server would read them: id, name, the phone address, tags, two attributes.
  await byId('import-mapping').waitFor(WAIT);
  expect(await byId('import-id-0').isChecked()).toBe(true);
  expect(await byId('import-fills-2').inputValue()).toBe('addresses.phone');
  expect(await byId('import-fills-5').inputValue()).toBe('attributes.age:number');
  expect(await byId('import-column-1').textContent()).toContain('Ada Lovelace');
  await byId('import-start').click();
  await byId('import-report').waitFor(WAIT);
  const counts = Object.fromEntries(
    await Promise.all(
      ['received', 'imported', 'created', 'updated', 'failed'].map(
        async (key) => [key, await byId(`import-${key}`).textContent()] as const,
      ),
    ),
  );
  expect(counts).toEqual({ received: '4', imported: '2', created: '2', updated: '0', failed: '2' });
  await expect.poll(() => byId('import-error-4').textContent()).toContain('phone');
  await expect.poll(() => byId('import-error-5').textContent()).toContain('"forty" is not a number.');
  await page.screenshot({ path: artifact('builder-contacts-import-en.png') });

  // Search: the id prefix finds both imported contacts, a tag narrows it to one.
  await byId('contacts-search').fill(prefix);
  await byId(`contact-${bo}`).waitFor(WAIT);
  await expect.poll(() => byId('contacts-list').locator('tbody tr').count()).toBe(2);
  await byId('contacts-tag').fill('vip');
  await byId(`contact-${bo}`).waitFor({ state: 'detached', ...WAIT });
  await expect.poll(() => byId('contacts-list').locator('tbody tr').count()).toBe(1);
  await byId(`contact-${ada}`).click();
  await byId('contact-detail').waitFor();
  expect(await byId('contact-title').textContent()).toContain('Ada Lovelace');
  expect(await byId('contact-attributes').textContent()).toContain('Shanghai');
  expect(await byId('contact-attributes').textContent()).toContain('36');
  expect(await byId('contact-tags').textContent()).toContain('vip');
  expect(await byId('contact-addresses').textContent()).toContain('+8613800000001');
  expect(await byId('contact-journeys').textContent()).toContain('Not in any flow yet.');

  // A live flow to run the campaign into: it sends one SMS, then a WeChat message the imported
  // contacts have no address for (a suppressed send their history shows), and ends.
  const flowId = uniqueId('people-flow');
  await publishFlow(app, {
    schemaVersion: 1,
    id: flowId,
    name: `People ${flowId}`,
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'audience' } },
      {
        id: 'say',
        type: 'send',
        label: 'Greeting SMS',
        channel: 'sms',
        message: { text: 'Hello {{ contact.name }}' },
      },
      { id: 'send-2', type: 'send', channel: 'wechat', message: { text: 'Add us on WeChat' } },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'say' },
      { id: 'b', source: 'say', target: 'send-2' },
      { id: 'c', source: 'send-2', target: 'out' },
    ],
  });

  // Campaign: the imported contacts (and one that was refused, which nobody can enroll).
  await byId('nav-campaigns').click();
  await byId('campaigns-page').waitFor();
  await byId('campaign-flow').locator(`option[value="${flowId}"]`).waitFor({ state: 'attached' });
  await byId('campaign-flow').selectOption(flowId);
  await byId('campaign-ids').fill(`${ada}\n${bo}, ${prefix}-3`);
  expect(await byId('campaign-ids-count').textContent()).toBe('3 contacts');
  // Before launch, the page asks the server how many contacts the audience holds and confirms.
  await byId('campaign-start').click();
  await byId('campaign-confirm').waitFor();
  expect(await byId('campaign-confirm-count').textContent()).toBe(`This enrolls 2 contacts into ${flowId}.`);
  expect(await byId('campaign-confirm-unknown').textContent()).toContain(`${prefix}-3`);
  await page.screenshot({ path: artifact('builder-campaign-confirm-en.png') });
  await byId('campaign-confirm-start').click();
  // The list is the server's: it holds the campaign after a reload too.
  const card = page.locator(`[data-testid^="campaign-campaign:${flowId}:"]`);
  await card.waitFor(WAIT);
  await page.reload();
  await card.waitFor(WAIT);
  await expect.poll(() => card.getAttribute('data-phase'), WAIT).toBe('done');
  expect(await card.getByTestId('campaign-audience').textContent()).toBe('2');
  expect(await card.getByTestId('campaign-enrolled').textContent()).toBe('2');
  expect(await card.getByTestId('campaign-scanned').textContent()).toBe('2');
  expect(await card.getByTestId('campaign-skipped').textContent()).toBe('0');
  expect(await card.getByTestId('campaign-missing').textContent()).toBe('1');
  await page.screenshot({ path: artifact('builder-campaigns-en.png') });

  // The API and the database agree with the page.
  const campaignId = (await card.getAttribute('data-testid'))!.slice('campaign-'.length);
  const status = await app.request('GET', `/api/campaigns/${encodeURIComponent(campaignId)}`);
  expect(status.body).toMatchObject({
    status: 'COMPLETED',
    progress: { done: true, enrolled: 2, skipped: 0 },
  });
  const enrolled = await app.sql<{ contact_id: string }[]>`
    select contact_id from enrollments where flow_id = ${flowId} order by contact_id`;
  expect(enrolled.map((r) => r.contact_id)).toEqual([ada, bo]);

  // The journey in Ada's history: the flow, its steps and the SMS, once the run has handed them over.
  await until(
    async () => (await app.request('GET', `/api/contacts/${ada}`)).body,
    (history) =>
      history.journey.some((s: { nodeId: string }) => s.nodeId === 'say') &&
      history.deliveries.some((d: { status: string }) => d.status === 'sent'),
  );
  await byId('nav-contacts').click();
  await byId('contacts-search').fill(ada);
  await byId(`contact-${ada}`).click();
  const journey = byId(`journey-${flowId}`);
  await journey.waitFor();
  // Flows and steps by their names: the label, else the step type with the id's number.
  expect(await journey.textContent()).toContain(`People ${flowId}`);
  expect(await journey.getByTestId('journey-steps').textContent()).toContain('Greeting SMS');
  expect(await journey.getByTestId('journey-deliveries').textContent()).toMatch(
    /Greeting SMS via SMS \(\w+\): sent/,
  );
  expect(await journey.getByTestId('journey-suppressed').textContent()).toBe(
    'Send message 2 not sent on WeChat (1:1 via WeCom): no address',
  );
  expect(await journey.getByTestId('journey-outcome').textContent()).toContain('exited');
  expect(await journey.getByTestId('journey-temporal').getAttribute('href')).toContain(
    encodeURIComponent(`sopflow:${flowId}:${ada}`),
  );
  await page.screenshot({ path: artifact('builder-contact-en.png') });

  // 中文: the navigation, the history and the campaign follow the language switch.
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => byId('nav-contacts').textContent()).toBe('联系人');
  expect(await byId('nav-campaigns').textContent()).toBe('活动');
  expect(await byId('contact-journeys').textContent()).toContain('旅程记录');
  expect(await journey.getByTestId('journey-outcome').textContent()).toContain('已退出');
  expect(await journey.getByTestId('journey-suppressed').textContent()).toMatch(
    /^发送消息 2 未在 .+ 发送：没有地址$/,
  );
  await page.screenshot({ path: artifact('builder-contact-zh.png') });
  await byId('nav-campaigns').click();
  await expect.poll(() => card.getByTestId('campaign-phase').textContent()).toBe('已完成');
  expect(await byId('campaign-start').textContent()).toContain('开始活动');
  await page.screenshot({ path: artifact('builder-campaigns-zh.png') });
});

it('imports a spreadsheet with Chinese columns and no id column, once the operator picks the phone as the id', async () => {
  const phone = `+86139${String(Date.now()).slice(-8)}`;
  await open('#/contacts', 'contacts-page');
  await page.locator('.language-switch button[lang="zh"]').click();
  await byId('contacts-import-toggle').click();
  await byId('contacts-import-file').setInputFiles({
    name: '客户名单.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`\uFEFF姓名,手机号,城市,备注\n王芳,${phone},杭州,老客户\n`),
  });
  await byId('import-mapping').waitFor(WAIT);
  expect(await byId('import-mapping').textContent()).toContain('每一列对应什么');
  expect(await byId('import-fills-0').inputValue()).toBe('name');
  expect(await byId('import-fills-1').inputValue()).toBe('addresses.phone');
  expect(await byId('import-fills-2').inputValue()).toBe('attributes.城市');
  // No column names the id: the import waits for the operator to pick one.
  expect(await byId('import-need-id').textContent()).toBe('请选出用来识别每位联系人的列。');
  expect(await byId('import-start').isDisabled()).toBe(true);
  await byId('import-id-1').check();
  await byId('import-fills-3').selectOption('skip');
  await page.screenshot({ path: artifact('builder-contacts-import-mapping-zh.png') });
  await byId('import-start').click();
  await byId('import-report').waitFor(WAIT);
  expect(await byId('import-created').textContent()).toBe('1');
  const saved = await app.request('GET', `/api/contacts/${encodeURIComponent(phone)}`);
  expect(saved.body.contact).toMatchObject({
    name: '王芳',
    addresses: { phone },
    attributes: { 城市: '杭州' },
  });
  expect(saved.body.contact.attributes).not.toHaveProperty('备注');
});
