import { z } from 'zod';
import { Duration } from '../../flow/fields';
import { defineNode, form, nodeSchema } from '../define';
import { GIVE_UP_AFTER_FORM } from '../form-fields';

/** A request step may take this long in all (the workflow's schedule-to-close timeout). */
const HTTP_MAX = 3_600_000;

/** Calls another system; its answer is `http.<node id>.status` and `http.<node id>.body.*` later on. */
export const HttpRequestNode = nodeSchema('http_request', {
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).meta(form('Method', '方法')),
  /** A template, e.g. `https://crm.example.com/members/{{ contact.id }}`. */
  url: z.string().min(1).max(2000).meta(form('URL', '地址')),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(2000))
    .optional()
    .meta(form('Headers', '请求头')),
  /** A JSON body template. */
  body: z
    .string()
    .max(20_000)
    .optional()
    .meta(
      form('Body (JSON template)', '请求体（JSON 模板）', {
        widget: 'textarea',
        showWhen: { field: 'method', isNot: ['GET'] },
      }),
    ),
  timeout: Duration.default('PT10S').meta(GIVE_UP_AFTER_FORM),
  retries: z.number().int().min(0).max(10).default(3).meta(form('Retries', '重试次数')),
});
export type HttpRequestNode = z.infer<typeof HttpRequestNode>;

export const httpRequest = defineNode({
  schema: HttpRequestNode,
  words: {
    label: { en: 'HTTP request', zh: 'HTTP 请求' },
    hint: { en: 'Call another system', zh: '调用其他系统' },
  },
  // `_` so `{{ http.http_1.body }}` reads as one name.
  idPrefix: 'http_',
  optionalExits: ['failed'],
  check: (node, context) => [
    ...context.template(node.url, 'url'),
    ...Object.entries(node.headers ?? {}).flatMap(([name, value]) =>
      context.template(value, `headers.${name}`),
    ),
    ...(node.body === undefined ? [] : context.template(node.body, 'body')),
  ],
  timing: { longest: () => HTTP_MAX },
  defaults: () => ({
    method: 'GET' as const,
    url: 'https://crm.example.com/members/{{ contact.id }}',
    timeout: 'PT10S',
    retries: 3,
  }),
});
