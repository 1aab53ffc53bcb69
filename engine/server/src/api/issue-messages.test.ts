import { defaultRegistry } from '@sopflow/connectors';
import { FlowDocument } from '@sopflow/core';
import * as contract from '@sopflow/core/api';
import { checkIssues, isBilingual } from '@sopflow/core/api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * Every message a 422 answer can carry reaches the operator in zh and en: zod's generic ones
 * through its own zh-CN locale (`checkIssues`), the schemas' own written `English / 中文`.
 */

/** A zod schema's parts: what it wraps, holds or checks with. */
function partsOf(schema: z.core.$ZodType): unknown[] {
  const def = schema._zod.def as unknown as Record<string, unknown>;
  const parts: unknown[] = [
    def.innerType,
    def.element,
    def.keyType,
    def.valueType,
    def.in,
    def.out,
    def.left,
    def.right,
    def.catchall,
    def.rest,
    ...((def.options as unknown[]) ?? []),
    ...((def.items as unknown[]) ?? []),
    ...((def.checks as unknown[]) ?? []),
  ];
  if (def.type === 'object') parts.push(...Object.values((schema as z.ZodObject).shape));
  if (def.type === 'lazy') parts.push((def.getter as () => unknown)());
  return parts;
}

const isZod = (value: unknown): value is z.core.$ZodType =>
  typeof value === 'object' && value !== null && '_zod' in value;

/** The messages a schema's author wrote (its own and its checks'), however deep. */
function ownMessages(root: z.core.$ZodType): string[] {
  const seen = new Set<unknown>();
  const messages = new Set<string>();
  const visit = (node: unknown) => {
    if (!isZod(node) || seen.has(node)) return;
    seen.add(node);
    const error = (node._zod.def as { error?: (issue: unknown) => unknown }).error;
    if (error) {
      // A written message ignores the issue; a map that reads it is asked about a typical one.
      const said = error({ code: 'custom', input: undefined, path: [], inst: node });
      const text = typeof said === 'string' ? said : (said as { message?: string } | undefined)?.message;
      if (text) messages.add(text);
    }
    for (const part of partsOf(node)) visit(part);
  };
  visit(root);
  return [...messages];
}

/** The request schemas an operator's form reaches: the API contract, flow documents, connector configs. */
const FORM_SCHEMAS: [string, z.core.$ZodType][] = [
  ...Object.entries(contract as Record<string, unknown>).filter((entry): entry is [string, z.core.$ZodType] =>
    isZod(entry[1]),
  ),
  ['FlowDocument', FlowDocument],
  ...defaultRegistry()
    .list()
    .map((c): [string, z.core.$ZodType] => [`connector ${c.name}`, c.configSchema]),
];

describe('the messages of 422 answers', () => {
  it('words each of zod’s generic issues in English and Chinese', () => {
    const schema = z
      .object({
        text: z.string(),
        count: z.number().int().min(1).max(10).multipleOf(2),
        short: z.string().max(3),
        email: z.email(),
        url: z.url(),
        choice: z.enum(['a', 'b']),
        literal: z.literal('x'),
        either: z.union([z.string(), z.number()]),
        list: z.array(z.string()).min(1),
        map: z.record(z.string().min(2), z.string()),
        clock: z.string().regex(/^\d\d:\d\d$/),
      })
      .strict();
    const checked = checkIssues(schema, {
      count: 13,
      short: 'long',
      email: 'no',
      url: 'no',
      choice: 'c',
      literal: 'y',
      either: true,
      list: [],
      map: { a: 'b' },
      clock: '8h',
      extra: 1,
    });
    expect(checked.success).toBe(false);
    if (checked.success) return;
    expect(checked.issues.length).toBeGreaterThanOrEqual(12);
    for (const issue of checked.issues) expect(isBilingual(issue.message), issue.message).toBe(true);
    expect(checked.issues.find((i) => i.path === 'text')?.message).toBe(
      'Invalid input: expected string, received undefined / 无效输入：期望 string，实际接收 undefined',
    );
  });

  it('keeps a message the schema wrote as it is', () => {
    const checked = checkIssues(z.string().min(1, 'Name it. / 请命名。'), '');
    expect(checked).toEqual({ success: false, issues: [{ path: '', message: 'Name it. / 请命名。' }] });
  });

  it('never answers with the input (it may be a secret)', () => {
    const checked = checkIssues(z.object({ pin: z.number() }), { pin: 'hunter2-secret' });
    expect(JSON.stringify(checked)).not.toContain('hunter2-secret');
  });

  it('finds a message its author wrote in English only, however deep', () => {
    const schema = z.object({ a: z.array(z.object({ b: z.string().min(1, 'English only.') }).optional()) });
    expect(ownMessages(schema)).toEqual(['English only.']);
  });

  it('finds every message the authors of the contract, the flow document and the connector configs wrote in both languages', () => {
    expect(FORM_SCHEMAS.length).toBeGreaterThan(100);
    const englishOnly = FORM_SCHEMAS.flatMap(([name, schema]) =>
      ownMessages(schema)
        .filter((message) => !isBilingual(message))
        .map((message) => `${name}: ${message}`),
    );
    expect(englishOnly).toEqual([]);
  });
});
