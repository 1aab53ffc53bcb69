import { describe, expect, it } from 'vitest';
import { JoinWayBody, WelcomeTemplateBody } from './groups';

const issues = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));

describe('the group entry contract', () => {
  it('takes a QR join way with defaults filled in', () => {
    expect(JoinWayBody.parse({ chatIds: ['wrA'] })).toEqual({
      scene: 'qr-code',
      chatIds: ['wrA'],
      autoCreateRoom: true,
    });
  });

  it("names each field WeCom's limits refuse, in English and Chinese", () => {
    const found = issues(
      JoinWayBody.safeParse({
        chatIds: ['a', 'b', 'c', 'd', 'e', 'f'],
        state: 'x'.repeat(31),
        remark: '备'.repeat(31),
        scene: 'poster',
      }),
    );
    expect(found.map((i) => i.path).sort()).toEqual(['chatIds', 'remark', 'scene', 'state']);
    for (const { message } of found) expect(message).toMatch(/[a-z].* \/ .*[\u4e00-\u9fff]/);
    expect(issues(JoinWayBody.safeParse({ chatIds: [] }))[0]).toEqual({
      path: 'chatIds',
      message: 'Name at least one group. / 至少选择一个群。',
    });
    expect(issues(JoinWayBody.safeParse({ chatIds: ['a', 'a'] }))[0]?.path).toBe('chatIds');
  });

  it('takes a welcome template of a text and one attachment, and refuses an empty one naming text', () => {
    expect(
      WelcomeTemplateBody.parse({
        name: 'n',
        text: 'hi %NICKNAME%',
        attachment: { type: 'file', mediaId: 'm' },
      }),
    ).toMatchObject({ notify: true });
    expect(issues(WelcomeTemplateBody.safeParse({ name: 'n' }))).toEqual([
      { path: 'text', message: 'Give a text or an attachment. / 请填写文本或添加附件。' },
    ]);
    // 3000 bytes: 1000 Chinese characters fit, 1001 do not.
    expect(WelcomeTemplateBody.safeParse({ name: 'n', text: '字'.repeat(1000) }).success).toBe(true);
    expect(issues(WelcomeTemplateBody.safeParse({ name: 'n', text: '字'.repeat(1001) }))[0]?.path).toBe(
      'text',
    );
    expect(
      issues(
        WelcomeTemplateBody.safeParse({ name: 'n', attachment: { type: 'link', title: 't', url: 'nope' } }),
      )[0]?.path,
    ).toBe('attachment.url');
  });
});
