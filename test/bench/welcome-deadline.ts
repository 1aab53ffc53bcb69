import os from 'node:os';
import { localStack } from '@sopflow/server';
import { FakeWeComServer } from '../../connectors/src/wecom/fake-wecom-server';
import { weComCallbackEnv } from '../support/wecom';
import { deliverCustomerAdd, weComCallbackTarget } from '../support/wecom-adds';
import { type BenchContext, type BenchResult, round, roundAll } from './support/report';
import { chainFlow, delay, publish, spawnChild, stamp, summarize } from './support/stack';

/** WeCom takes a welcome code within 20 s of its callback. */
const DEADLINE_MS = 20_000;
const WECOM = { corpId: 'ww-bench-welcome', secret: 'bench-welcome-secret' };
const CALLBACK = {
  token: 'bench-welcome-callback',
  encodingAESKey: 'cdefghijklmnopqrstuvwxyz0123456789ABCDEFGHI',
  receiveId: WECOM.corpId,
};

/**
 * 9. New-friend welcomes under a burst: `--welcome-rate` customers a second add a staff member for
 * `--welcome-seconds` (open loop: each add is sent on time, however slow the last), against the
 * fake WeCom server, each delivered as WeCom's signed, encrypted callback. For each add: from the
 * callback (the add's time) to the fake receiving `send_welcome_msg`. An add whose welcome never came counts as past the deadline. The API and
 * the worker run as child processes, as `sopflow api` and `sopflow worker` would.
 */
export async function welcomeDeadline({ stack, args, log }: BenchContext): Promise<BenchResult> {
  const { welcomeRate: rate, welcomeSeconds: seconds } = args;
  const db = await stack.database(`welcome_${stamp()}`);
  const taskQueue = `bench-welcome-${stamp()}`;
  const wecom = await FakeWeComServer.start({ apps: [WECOM] });
  const flowId = 'bench-welcome';
  await publish(
    db.store,
    chainFlow(flowId, [
      { id: 'added', type: 'trigger', trigger: { kind: 'customer_added' } },
      {
        id: 'hello',
        type: 'send',
        channel: 'wechat',
        message: { text: '你好，欢迎！这是新人指南。' },
        welcome: { otherwise: 'message' },
      },
      { id: 'out', type: 'exit' },
    ]),
  );
  await db.store.channelRoutes.put('wechat', 'wecom-mass', {
    ...WECOM,
    sender: 'bench-staff',
    baseUrl: wecom.url,
  });
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...weComCallbackEnv(CALLBACK),
  };
  const api = await spawnChild('api', { ...env, SOPFLOW_PORT: String(await localStack.findFreePort()) });
  const worker = await spawnChild('worker', env);
  const callback = weComCallbackTarget(api.ready.url!, CALLBACK);
  try {
    /**
     * Each add: its code, when it happened, when sopflow answered its callback and how long the
     * answered try took (or why no try was answered 200), and how many tries WeCom made.
     */
    const adds: {
      code: string;
      at: number;
      answeredAt?: number;
      answerMs?: number;
      tries?: number;
      failed?: string;
    }[] = [];
    let seq = 0;
    const add = async () => {
      const i = seq++;
      const externalUserId = `wm-bench-${i}`;
      const at = Date.now();
      const code = wecom.welcomes.issue('bench-staff', externalUserId, at);
      // WeCom knows the customer: the read sopflow starts after each add finds them, as it would.
      wecom.setCustomer({
        external_userid: externalUserId,
        name: `客户${i}`,
        type: 1,
        follow_user: [{ userid: 'bench-staff', createtime: Math.floor(at / 1000), tags: [] }],
      });
      const entry: (typeof adds)[number] = { code, at };
      adds.push(entry);
      try {
        const { delivery } = await deliverCustomerAdd(callback, {
          staffId: 'bench-staff',
          externalUserId,
          welcomeCode: code,
          at,
        });
        entry.answeredAt = Date.now();
        entry.answerMs = delivery.attempts.at(-1)!.ms;
        entry.tries = delivery.attempts.length;
      } catch (error) {
        entry.failed = error instanceof Error ? error.message : String(error);
      }
    };
    /** `count` adds, one every 1/rate s from now, each started on time whatever the others do. */
    const burst = async (count: number) => {
      const t0 = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await delay(wait);
        inFlight.push(add());
      }
      await Promise.all(inFlight);
    };
    const welcomed = () => new Map(wecom.welcomes.sent.map((w) => [w.code, w.at]));
    const drain = async (from: number) => {
      const until = Date.now() + DEADLINE_MS + 10_000;
      while (Date.now() < until && adds.slice(from).some((a) => !a.failed && !welcomed().has(a.code))) {
        worker.assertAlive();
        await delay(250);
      }
    };

    log(`  warm-up: ${rate} adds in 1 s`);
    await burst(rate);
    await drain(0);
    const measuredFrom = adds.length;
    const calls = wecom.count('externalcontact/send_welcome_msg');
    log(`  ${rate} adds a second for ${seconds} s (${rate * seconds} adds)`);
    const cpu0 = { api: api.cpuMs(), worker: worker.cpuMs() };
    await burst(rate * seconds);
    await drain(measuredFrom);
    const cpu = { api: api.cpuMs() - cpu0.api, worker: worker.cpuMs() - cpu0.worker };

    const sent = welcomed();
    const measured = adds.slice(measuredFrom);
    const latencies = measured.map((a) => {
      const at = sent.get(a.code);
      return at === undefined ? Number.POSITIVE_INFINITY : at - a.at;
    });
    const arrived = latencies.filter(Number.isFinite);
    const stats = summarize(arrived);
    const late = latencies.filter((ms) => ms > DEADLINE_MS).length;
    const missing = latencies.length - arrived.length;
    const failedPosts = measured.filter((a) => a.failed);
    // Where the time went: delivering the add to sopflow (API: contact, event, run started), and after.
    const answered = summarize(measured.flatMap((a) => (a.answeredAt ? [a.answeredAt - a.at] : [])));
    const afterAnswer = summarize(
      measured.flatMap((a) => {
        const at = sent.get(a.code);
        return a.answeredAt && at !== undefined ? [at - a.answeredAt] : [];
      }),
    );
    // The API's answer to the try WeCom counted (a retried add's last try), and how many adds took more than one.
    const callbackAnswer = summarize(measured.flatMap((a) => (a.answerMs === undefined ? [] : [a.answerMs])));
    const retried = measured.filter((a) => (a.tries ?? 0) > 1).length;
    const cpuPerAdd = { api: cpu.api / measured.length, worker: cpu.worker / measured.length };
    const loadAverage = os.loadavg()[0]!;
    const refused = wecom.welcomes.answers.filter((a) => a.errcode !== 0).map((a) => a.errcode);
    return {
      name: 'welcome-deadline',
      title: `Welcome deadline (${rate} adds/s × ${seconds} s)`,
      rows: [
        { metric: 'add → send_welcome_msg p50', value: round(stats.p50 / 1000), unit: 's' },
        { metric: 'add → send_welcome_msg p99', value: round(stats.p99 / 1000), unit: 's' },
        { metric: 'add → send_welcome_msg max', value: round(stats.max / 1000), unit: 's' },
        { metric: `adds past ${DEADLINE_MS / 1000} s (or never welcomed)`, value: late, unit: 'adds' },
      ],
      details: {
        adds: measured.length,
        welcomed: arrived.length,
        missing,
        failedPosts: failedPosts.length,
        firstFailures: failedPosts.slice(0, 3).map((a) => a.failed),
        latencyMs: roundAll(stats),
        addAnsweredMs: roundAll(answered),
        callbackAnswerMs: roundAll(callbackAnswer),
        retriedAdds: retried,
        cpuMsPerAdd: roundAll(cpuPerAdd),
        answeredToWelcomeMs: roundAll(afterAnswer),
        loadAverage1m: round(loadAverage),
        welcomeCalls: wecom.count('externalcontact/send_welcome_msg') - calls,
        refusedErrcodes: refused,
        cpuMs: cpu,
      },
      notes: [
        `each add: the fake issues a welcome code, then the add is delivered as WeCom's callback would (signed, encrypted add_external_contact to /api/inbound/wecom, retried as WeCom retries); latency = the fake receiving send_welcome_msg − the add`,
        `${measured.length} adds, ${arrived.length} welcomed, ${missing} never welcomed, ${failedPosts.length} callbacks never answered 200, ${retried} answered only on a retry; API CPU ${Math.round(cpu.api)} ms (${round(cpuPerAdd.api)} ms an add), worker CPU ${Math.round(cpu.worker)} ms (${round(cpuPerAdd.worker)} ms an add)`,
        `the API's answer to the callback p50/p99/max ${round(callbackAnswer.p50)}/${round(callbackAnswer.p99)}/${round(callbackAnswer.max)} ms`,
        `add → delivery answered p50/p99 ${round(answered.p50 / 1000)}/${round(answered.p99 / 1000)} s; answered → welcome p50/p99 ${round(afterAnswer.p50 / 1000)}/${round(afterAnswer.p99 / 1000)} s; machine load average ${round(loadAverage)} on ${os.cpus().length} cores`,
      ],
    };
  } finally {
    await api.stop();
    await worker.stop();
    await wecom.close();
    await db.close();
  }
}
