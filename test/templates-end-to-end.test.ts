import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ScriptedEvent, type TemplateId, templateFlow } from '@sopflow/core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameMessages, expectSameSuppressed, runBothWays } from './support/agreement';
import { startTestApp, type TestApp, uniqueId } from './support/stack';
import { createTimeSkippingEnv } from './support/time-skipping';

/**
 * The five operator templates, end to end on Temporal's time-skipping server (days pass in
 * moments, nothing sleeps for real): each scenario's real run sends exactly what its dry-run says,
 * in the same order, at the same virtual times, and leaves the flow the same way.
 */

let env: TestWorkflowEnvironment;
let app: TestApp;
let coupons: Server;
let couponUrl: string;

beforeAll(async () => {
  coupons = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'MEI-7DAYS' }));
  });
  await new Promise<void>((resolve) => coupons.listen(0, '127.0.0.1', resolve));
  couponUrl = `http://127.0.0.1:${(coupons.address() as AddressInfo).port}/api/coupons`;
  env = await createTimeSkippingEnv();
  app = await startTestApp({
    temporalAddress: env.address,
    env: { SOPFLOW_HTTP_ALLOWED_HOSTS: '127.0.0.1' },
  });
});
afterAll(async () => {
  await app?.stop();
  await env?.teardown();
  coupons?.close();
});

interface Scenario {
  name: string;
  template: TemplateId;
  event?: Record<string, unknown>;
  events?: ScriptedEvent[];
  /** Node ids that must have sent, in order (the dry-run and the real run must agree on the rest). */
  sends: string[];
  exit: string;
}

const scenarios: Scenario[] = [
  {
    name: 'welcome, member introduces themself',
    template: 'welcome',
    event: { group: '读书会' },
    events: [{ at: '+2h', name: 'message.received', payload: { text: '大家好' } }],
    sends: ['greet', 'invite-intro'],
    exit: 'done-introduced',
  },
  {
    name: 'welcome, member stays silent',
    template: 'welcome',
    event: { group: '读书会' },
    sends: ['greet', 'invite-intro', 'nudge'],
    exit: 'done-nudged',
  },
  {
    name: 'icebreaker, silent for three evenings',
    template: 'icebreaker',
    event: { group: '读书会' },
    sends: [],
    exit: '',
  },
  {
    name: 'nurture, a click on day 1',
    template: 'nurture',
    events: [{ at: '+1d10h30m', name: 'link.clicked' }],
    sends: [],
    exit: '',
  },
  {
    name: 'promo, a buyer',
    template: 'promo',
    event: { product: '保温杯', couponCode: 'CUP50' },
    // Half an hour into the sale: at +10h exactly (20:00, when the sale opens) the order would race
    // the coupon step for the same virtual instant, and a real run may take either order.
    events: [{ at: '+10h30m', name: 'order.paid', payload: { amount: 99 } }],
    sends: [],
    exit: '',
  },
  {
    name: 'promo, no purchase',
    template: 'promo',
    event: { product: '保温杯', couponCode: 'CUP50' },
    sends: [],
    exit: '',
  },
  {
    name: 'reactivation, no response',
    template: 'reactivation',
    event: { silentDays: 30 },
    sends: [],
    exit: '',
  },
  {
    name: 'reactivation, replies',
    template: 'reactivation',
    event: { silentDays: 30 },
    events: [{ at: '+1d', name: 'message.received', payload: { text: '在的' } }],
    sends: [],
    exit: '',
  },
];

describe('the five templates run as their dry-runs say', () => {
  for (const scenario of scenarios) {
    for (const locale of ['zh', 'en'] as const) {
      it(`${scenario.name} (${locale})`, async () => {
        const document = templateFlow(scenario.template, locale, uniqueId(scenario.template));
        for (const node of document.nodes) if (node.type === 'http_request') node.url = couponUrl;
        const contact = {
          id: uniqueId('m'),
          name: locale === 'zh' ? '小美' : 'Mei',
          addresses: { wecomUserId: 'wx-mei', phone: '13800000000', email: 'mei@example.com' },
          attributes: { city: locale === 'zh' ? '杭州' : 'Hangzhou' },
        };
        const { real, dryRun, realSuppressed, drySuppressed, realOutcome, dryOutcome } = await runBothWays(
          app,
          env,
          document,
          contact,
          {
            event: scenario.event,
            events: scenario.events,
            responses: { coupon: { http: { status: 200, body: { code: 'MEI-7DAYS' } } } },
          },
        );
        expect(real.length).toBeGreaterThan(0);
        expectSameMessages(real, dryRun);
        expectSameSuppressed(realSuppressed, drySuppressed);
        expect(realOutcome).toEqual(dryOutcome);
        expect(realOutcome).not.toBeNull();
        if (scenario.sends.length > 0) expect(real.map((m) => m.nodeId)).toEqual(scenario.sends);
        if (scenario.exit) expect(realOutcome).toEqual({ kind: 'exited', nodeId: scenario.exit });
      });
    }
  }
});
