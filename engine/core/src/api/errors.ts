import { z } from 'zod';

/**
 * One thing wrong with a request, as validation answers it: where (a dotted path) and why, in
 * English, then in Chinese after ` / ` (`inLocale` picks the reader's half).
 */
export const Issue = z.object({
  path: z.string(),
  message: z.string().meta({ description: 'English, then Chinese after " / ".' }),
});
export type Issue = z.infer<typeof Issue>;

/** A message of the API in the reader's language: the half before ` / ` in English, after it in Chinese. */
export function inLocale(message: string, locale: 'en' | 'zh'): string {
  const at = message.lastIndexOf(' / ');
  if (at < 0) return message;
  return locale === 'zh' ? message.slice(at + 3) : message.slice(0, at);
}

const HAN = /\p{Script=Han}/u;

/** Whether a message says its thing in both languages (`English / 中文`), as the contract's own messages do. */
export function isBilingual(message: string): boolean {
  const at = message.lastIndexOf(' / ');
  return at > 0 && HAN.test(message.slice(at + 3));
}

const zodEnglish = z.locales.en().localeError;
const zodChinese = z.locales.zhCN().localeError;

/**
 * The message of one issue as the API answers it: a schema's own message as written (in both
 * languages, `en / zh`), zod's generic one in zod's English and its zh-CN locale. The issue must
 * carry its input (`reportInput`): zod words a wrong type by what it received.
 */
export function bilingualMessage(issue: z.core.$ZodIssue): string {
  const generic = zodEnglish(issue as never);
  const english = typeof generic === 'string' ? generic : generic?.message;
  if (issue.message !== english) return issue.message;
  const chinese = zodChinese(issue as never);
  const text = typeof chinese === 'string' ? chinese : chinese?.message;
  return text ? `${issue.message} / ${text}` : issue.message;
}

/**
 * A value checked with a schema: the data, or the issues naming the fields, each message in
 * English and Chinese (see `Issue`). What the server answers 422 with, and what the builder shows
 * when it checks a form before sending it.
 */
export function checkIssues<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { success: true; data: z.output<S> } | { success: false; issues: Issue[] } {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { success: true, data: parsed.data };
  // The issues built here leave the input out: it may hold a secret the caller sent.
  return {
    success: false,
    issues: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: bilingualMessage(issue),
    })),
  };
}

/** Every error answer: a stable code for programs, a message a person can act on, maybe details. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, for programs: e.g. flow_not_found, forbidden.' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ description: 'Every error answer.' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** `GET /api/health`. */
export const Health = z.object({ ok: z.literal(true) });
export type Health = z.infer<typeof Health>;
