import {
  ComparisonOperator,
  type Condition,
  type ContactInput,
  evaluateCondition,
  flowContactView,
  type Scalar,
} from '@sopflow/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * A campaign's audience is found by Postgres (the condition translated to SQL), while flows
 * evaluate the same conditions in JavaScript. Both must match the same contacts: every operator
 * over fields that exist, are missing, are null, empty, numbers, numeric strings, lists, nested,
 * tags and addresses, each run both ways on the same stored contacts.
 */

let app: TestApp;
const prefix = uniqueId('aud');
const contacts: ContactInput[] = [
  { id: `${prefix}-0` },
  {
    id: `${prefix}-1`,
    name: 'Vera',
    timezone: 'Asia/Shanghai',
    tags: ['vip', '北京'],
    points: 120,
    addresses: { email: 'vera@example.com', phone: '+86 138 0000 0000' },
    attributes: {
      city: '北京',
      age: 30,
      score: '30',
      vip: true,
      nested: { level: 2, tier: 'gold' },
      list: [1, 'a', true, 'vip'],
      empty: '',
      nul: null,
      length: 5,
    },
  },
  {
    id: `${prefix}-2`,
    name: '',
    tags: ['new'],
    unsubscribed: ['sms'],
    addresses: { wecomUserId: 'wx-2' },
    attributes: {
      city: '上海',
      age: 30.5,
      score: 30,
      vip: false,
      nested: { level: '2' },
      list: [],
      empty: 'x',
    },
  },
  {
    id: `${prefix}-3`,
    tags: ['VIP'],
    points: -5,
    addresses: { email: 'bo@example.org' },
    attributes: { age: -1, city: 'Beijing', nested: [{ level: 2 }], list: 'a,vip', tags: ['vip'] },
  },
  {
    id: `${prefix}-4`,
    name: 'Bo',
    tags: ['vip', 'new'],
    attributes: { age: 1e20, city: 'beijing', nested: { level: 2.0 }, score: 0, list: [[1], { a: 1 }] },
  },
];
const ids = contacts.map((c) => c.id);

beforeAll(async () => {
  app = await startTestApp({ worker: false });
  for (const contact of contacts) await app.store.contacts.upsert(contact);
});
afterAll(async () => {
  await app?.stop();
});

const FIELDS = [
  'contact',
  'contact.id',
  'contact.name',
  'contact.timezone',
  'contact.tags',
  'contact.tags.0',
  'contact.tags.length',
  'contact.points',
  'contact.unsubscribed',
  'contact.attributes',
  'contact.attributes.city',
  'contact.attributes.age',
  'contact.attributes.score',
  'contact.attributes.vip',
  'contact.attributes.nested.level',
  'contact.attributes.nested.0.level',
  'contact.attributes.list',
  'contact.attributes.list.0',
  'contact.attributes.list.-1',
  'contact.attributes.list.01',
  'contact.attributes.list.length',
  'contact.attributes.length',
  'contact.attributes.empty',
  'contact.attributes.nul',
  'contact.attributes.missing',
  'contact.attributes.tags',
  'contact.email',
  'contact.email.length',
  'contact.phone',
  'contact.wecomUserId',
  'contact.addresses',
  'contact.addresses.email',
  'contact.createdAt',
  'event.amount',
];
const SCALARS: Scalar[] = [
  'vip',
  '北京',
  '',
  'a',
  '2',
  '30',
  'vera@example.com',
  '@example',
  'Asia/Shanghai',
  `${prefix}-1`,
  30,
  30.5,
  2,
  1,
  0,
  -1,
  1e20,
  true,
  false,
];
const LISTS: Scalar[][] = [[], ['vip', '30', 30, true], [2, 'new', false], ['北京', 'beijing', 1e20]];
/** Every operator the condition language has. */
const OPERATORS = ComparisonOperator.options;

/** Every operator on every field with every value (lists for in / not_in), and a missing value. */
function comparisons(): Condition[] {
  const all: Condition[] = [];
  for (const field of FIELDS)
    for (const op of OPERATORS) {
      const values: (Scalar | Scalar[] | undefined)[] =
        op === 'in' || op === 'not_in' ? [...LISTS, 'vip'] : [...SCALARS, undefined];
      for (const value of op === 'exists' || op === 'not_exists' ? [undefined] : values)
        all.push(value === undefined ? { field, op } : { field, op, value });
    }
  return all;
}

const combined: Condition[] = [
  { not: { field: 'contact.attributes.missing', op: 'eq', value: 'x' } },
  {
    all: [
      { field: 'contact.tags', op: 'contains', value: 'vip' },
      { field: 'contact.attributes.age', op: 'gte', value: 30 },
    ],
  },
  {
    any: [
      { field: 'contact.email', op: 'exists' },
      { not: { field: 'contact.attributes.city', op: 'in', value: ['北京', '上海'] } },
    ],
  },
  {
    not: {
      any: [
        { field: 'contact.attributes.nul', op: 'eq', value: 'x' },
        { field: 'contact.name', op: 'ne', value: 'Bo' },
      ],
    },
  },
  {
    all: [
      { not: { field: 'contact.attributes.nested.level', op: 'lt', value: 2 } },
      { field: 'contact.points', op: 'gt', value: -10 },
    ],
  },
];

describe('audience conditions in Postgres', () => {
  it('match the same contacts as the JavaScript evaluator, for every operator, field shape and value', async () => {
    const stored = await Promise.all(ids.map((id) => app.store.contacts.get(id)));
    // Each comparison negated too: a comparison that gave SQL NULL would match neither way.
    const conditions = [...comparisons(), ...comparisons().map((c) => ({ not: c })), ...combined];
    expect(conditions.length).toBeGreaterThan(10_000);
    const disagreements: string[] = [];
    let matchedSomewhere = 0;
    for (let i = 0; i < conditions.length; i += 25) {
      await Promise.all(
        conditions.slice(i, i + 25).map(async (where) => {
          const inJs = stored
            .filter((contact) => evaluateCondition(where, { contact: flowContactView(contact!) }))
            .map((contact) => contact!.id);
          const inSql = (
            await app.store.contacts.page({ after: null, audience: { where, contactIds: ids }, limit: 100 })
          ).map((contact) => contact.id);
          if (inJs.length > 0 && inJs.length < ids.length) matchedSomewhere++;
          if (JSON.stringify(inSql) !== JSON.stringify(inJs))
            disagreements.push(`${JSON.stringify(where)}: js ${inJs.join(',')} / sql ${inSql.join(',')}`);
        }),
      );
    }
    expect(disagreements).toEqual([]);
    // The contacts tell the conditions apart: many match some contacts and not others.
    expect(matchedSomewhere).toBeGreaterThan(300);
  });

  it('count what the pages enroll', async () => {
    const where: Condition = { field: 'contact.tags', op: 'contains', value: 'vip' };
    expect(await app.store.contacts.countAudience({ where, contactIds: ids })).toBe(2);
    expect(await app.store.contacts.countAudience({ contactIds: [...ids, `${prefix}-nobody`] })).toBe(5);
    expect(await app.store.contacts.unknownIds([`${prefix}-nobody`, ids[0]!, `${prefix}-none`])).toEqual([
      `${prefix}-nobody`,
      `${prefix}-none`,
    ]);
  });
});
