import { describe, expect, it } from 'vitest';
import { FakeWelcomes } from './fake-welcome';

const noWait = () => Promise.resolve();

describe('the fake WeCom welcomes', () => {
  it('answer 45033 past the concurrency limit while calls are in flight', async () => {
    const welcomes = new FakeWelcomes({ concurrency: 2, answerMs: 50 });
    const codes = [1, 2, 3].map(() => welcomes.issue('lily', 'wm1'));
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const answers = await Promise.all(
      codes.map((code) => welcomes.handle({ welcome_code: code, text: { content: 'hi' } }, sleep)),
    );
    expect(answers.map((a) => (a as { errcode: number }).errcode).sort()).toEqual([0, 0, 45033]);
  });

  it('take a code once and within its lifetime', async () => {
    const welcomes = new FakeWelcomes({ codeLifetimeMs: 20_000 });
    const code = welcomes.issue('lily', 'wm1');
    const body = { welcome_code: code, text: { content: 'hi' } };
    expect(await welcomes.handle(body, noWait)).toMatchObject({ errcode: 0 });
    expect(await welcomes.handle(body, noWait)).toMatchObject({ errcode: 41051 });
    const old = welcomes.issue('lily', 'wm2', Date.now() - 20_001);
    expect(await welcomes.handle({ ...body, welcome_code: old }, noWait)).toMatchObject({ errcode: 40058 });
    expect(welcomes.sent).toHaveLength(1);
  });
});
