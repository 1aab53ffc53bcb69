import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Command,
  type Input,
  migrate,
  type RunState,
  type Step,
  start,
  advance as step,
  type TaskResult,
} from '../interpreter/interpreter';
import { simulateCohort } from '../simulate/cohort';
import { simulate } from '../simulate/simulate';
import { TEMPLATES } from '../templates';
import { BUILTIN_CHANNELS, type CompileResult, compile, nodeExits } from './compile';
import { ComparisonOperator } from './conditions';
import type { CompileErrorCode } from './errors';
import { JOIN_WAY_TO_PICK } from './fields';
import type { Plan } from './plan';
import { Contact } from './schema';

/**
 * Hostile input for the flow document: generated documents of every node type (mostly valid, some
 * not), and valid documents mutated at random (fields deleted, duplicated, retyped, replaced by
 * random JSON, huge strings, deep nesting, `__proto__` keys, lone surrogates). The compiler must
 * never throw or hang, must say where every problem is, and every plan it accepts must survive
 * JSON and run in the dry-run; the interpreter must take any input without throwing.
 *
 * Seeded, so a failure reproduces; `FUZZ_SEED=<n>` runs another seed, `FUZZ_RUNS=<n>` more cases.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_302);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.round(n * RUNS), endOnFailure: true });

const DAY = 24 * 3600_000;
const START = Date.parse('2026-03-02T10:00:00+08:00');

const DOCUMENT_LEVEL: ReadonlySet<CompileErrorCode> = new Set(['invalid_document', 'no_trigger']);
const ALL_CODES: ReadonlySet<CompileErrorCode> = new Set<CompileErrorCode>([
  'invalid_document',
  'invalid_field',
  'duplicate_node_id',
  'duplicate_edge_id',
  'no_trigger',
  'several_triggers',
  'edge_unknown_source',
  'edge_unknown_target',
  'edge_unknown_exit',
  'exit_connected_twice',
  'missing_exit',
  'unreachable_node',
  'cycle_without_wait',
  'invalid_duration',
  'unknown_variable',
  'invalid_template',
  'unknown_channel',
  'invalid_condition',
  'duplicate_branch_id',
  'welcome_needs_add_trigger',
  'join_way_not_picked',
]);

// biome-ignore lint/suspicious/noExplicitAny: generated documents are untyped JSON on purpose.
type Json = any;

// ---------------------------------------------------------------- building blocks

/** Ids that are plain to a person but special to JavaScript objects. */
const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const nodeId = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
);

const goodDuration = fc.constantFrom(
  'PT1S',
  'PT30S',
  'PT10M',
  'PT2H',
  'P1D',
  'P3D',
  'P1W',
  'PT1.5S',
  'P1DT2H',
);
const badDuration = fc.oneof(
  fc.constantFrom('P1M', 'P1Y', 'P0D', 'PT0S', 'P400D', '', 'PT', '-PT1M', 'PT99999999999999999999H', 'soon'),
  fc.string({ maxLength: 12 }),
);
const duration = (wild: boolean) => (wild ? fc.oneof(goodDuration, badDuration) : goodDuration);

const segment = fc.oneof(
  fc.constantFrom('attributes', 'name', 'payload', 'body', 'status', 'city', 'tier', '0', ...SPECIAL_KEYS),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
);
const goodPath = fc.constantFrom(
  'contact.name',
  'contact.id',
  'contact.tags',
  'contact.points',
  'contact.attributes.city',
  'contact.attributes.tier',
  'event.group',
  'event.amount',
  'lastEvent.payload.text',
  'lastEvent.name',
  'flow.name',
  'flow.version',
);
const wildPath = fc.oneof(
  goodPath,
  fc.constantFrom(
    'contact.__proto__',
    'contact.constructor',
    'contact.constructor.constructor',
    'contact.attributes.__proto__.polluted',
    'event.constructor.name',
    'http.nowhere.status',
    'payload.x',
    'flow.id.length',
  ),
  fc
    .tuple(
      fc.constantFrom('contact', 'event', 'lastEvent', 'http', 'flow', 'payload', 'nope', '__proto__'),
      fc.array(segment, { maxLength: 4 }),
    )
    .map(([root, rest]) => [root, ...rest].join('.')),
);
const filterPath = fc.constantFrom(
  'payload.text',
  'payload.amount',
  'contact.attributes.city',
  'contact.tags',
);

const FILTERS = [
  'default: "朋友"',
  'upcase',
  'size',
  'json',
  'escape',
  'append: "!"',
  'split: ","',
  'first',
  'times: 1000000000',
  'divided_by: 0',
  'date: "%Y-%m-%d"',
  'truncate: 5',
];
const TAG_SNIPPETS = [
  '{% for i in (1..3) %}{{ i }}{% endfor %}',
  '{% assign n = contact.name | upcase %}{{ n }}',
  '{% raw %}{{ raw }}{% endraw %}',
  '{% comment %}note{% endcomment %}',
  '{%- if contact.name -%} hi {%- endif -%}',
  '{% unless contact.name %}朋友{% endunless %}',
  '{% case contact.name %}{% when "a" %}A{% else %}B{% endcase %}',
  '{% capture c %}{{ contact.id }}{% endcapture %}{{ c }}',
  '{% for t in contact.tags %}{{ t }}{{ forloop.index }}{% endfor %}',
];
const HOSTILE_SNIPPETS = [
  "{% include 'secrets' %}",
  "{% render '/etc/passwd' %}",
  "{% layout 'base' %}",
  '{% include contact.name %}',
  '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
  '{% for i in (1..10000) %}{% for j in (1..10000) %}.{% endfor %}{% endfor %}',
  '{{ "" | constructor }}',
  '{{ contact.constructor.constructor("return process")() }}',
  '{{',
  '{%',
  '{% if %}',
  '{% endfor %}',
  '{{ contact.name | nosuchfilter }}',
  '<script>alert("x")</script>',
  '\uD800',
  '\uDFFF tail',
  'a\u0000b',
];
const goodText = fc.oneof(
  fc.constantFrom('欢迎 {{ contact.name | default: "朋友" }}！', 'Hi {{ contact.name }}', '🎉 今晚 20:00 见'),
  fc
    .array(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[{}%]/.test(s)),
        goodPath.map((p) => `{{ ${p} }}`),
        fc.tuple(goodPath, fc.constantFrom(...FILTERS)).map(([p, f]) => `{{ ${p} | ${f} }}`),
        goodPath.map((p) => `{% if ${p} %}yes{% else %}no{% endif %}`),
        fc.constantFrom(...TAG_SNIPPETS),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => parts.join(' ')),
);
const wildText = fc.oneof(
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 10 }),
        wildPath.map((p) => `{{ ${p} }}`),
        fc.tuple(wildPath, fc.constantFrom(...FILTERS, 'nosuchfilter')).map(([p, f]) => `{{ ${p} | ${f} }}`),
        wildPath.map((p) => `{% for x in ${p} %}{{ x }}{% endfor %}`),
        fc.constantFrom(...TAG_SNIPPETS, ...HOSTILE_SNIPPETS),
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((parts) => parts.join('')),
);
const text = (wild: boolean) => (wild ? fc.oneof(goodText, wildText) : goodText);

const scalar = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);
const OPS = ComparisonOperator.options;
/** A comparison whose value fits its operator (what the compiler accepts). */
const goodComparison = (field: fc.Arbitrary<string>) =>
  fc
    .tuple(field, fc.constantFrom(...OPS), scalar, fc.array(scalar, { maxLength: 3 }), fc.integer())
    .map(([f, op, value, list, n]): Json => {
      if (op === 'exists' || op === 'not_exists') return { field: f, op };
      if (op === 'in' || op === 'not_in') return { field: f, op, value: list };
      if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') return { field: f, op, value: n };
      return { field: f, op, value };
    });
const wildComparison = fc.record(
  {
    field: fc.oneof(wildPath, fc.string({ maxLength: 4 })),
    op: fc.oneof(fc.constantFrom(...OPS), fc.string({ maxLength: 5 })),
    value: fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: ['field', 'op'] },
);
const condition = (comparison: fc.Arbitrary<Json>) =>
  fc.letrec<{ c: Json }>((tie) => ({
    c: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      comparison,
      fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
      tie('c').map((not) => ({ not })),
    ),
  })).c;
const branchCondition = (wild: boolean) =>
  condition(wild ? fc.oneof(goodComparison(goodPath), wildComparison) : goodComparison(goodPath));
const filterCondition = (wild: boolean) =>
  condition(wild ? fc.oneof(goodComparison(filterPath), wildComparison) : goodComparison(filterPath));

const channel = (wild: boolean) =>
  wild
    ? fc.oneof(fc.constantFrom(...BUILTIN_CHANNELS), fc.constantFrom('fax', 'Bad Channel', 'constructor', ''))
    : fc.constantFrom(...BUILTIN_CHANNELS);
const eventName = (wild: boolean) =>
  wild
    ? fc.oneof(fc.constantFrom('reply', 'order.paid', 'task.done'), fc.string({ maxLength: 8 }))
    : fc.constantFrom('reply', 'order.paid', 'member.joined');
const handle = (wild: boolean) =>
  wild
    ? fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
        fc.constantFrom('next', 'else', '__proto__', 'constructor'),
      )
    : fc
        .stringMatching(/^[a-z][a-z0-9]{0,6}$/)
        .filter((h) => !['next', 'else', 'failed', 'event', 'timeout', 'done', 'expired'].includes(h));

const message = (wild: boolean) =>
  fc.record(
    {
      text: text(wild),
      subject: text(wild),
      format: fc.constantFrom('text', 'markdown', 'html'),
      mentions: fc.array(text(wild), { maxLength: 2 }),
      group: text(wild),
      template: fc.record({
        id: fc.constantFrom('SMS_1', 'tpl'),
        params: fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), text(wild), { maxKeys: 2 }),
      }),
      articles: fc.array(fc.record({ title: text(wild), url: text(wild) }), { maxLength: 2 }),
    },
    { requiredKeys: ['text'] },
  );
const staff = (wild: boolean) =>
  fc.record({
    channel: channel(wild),
    id: fc.constantFrom('staff-1', 'staff-2'),
    name: fc.constantFrom('Ann', '安'),
  });
const payloadFields = fc.array(
  fc.record({
    name: fc.constantFrom('group', 'amount', 'text', 'referrerId'),
    type: fc.constantFrom('string', 'number', 'boolean', 'object', 'array'),
    required: fc.boolean(),
  }),
  { maxLength: 3 },
);

const trigger = (wild: boolean): fc.Arbitrary<Json> =>
  fc.oneof(
    fc.record({ kind: fc.constant('manual') }),
    fc.record({ kind: fc.constant('webhook'), event: eventName(wild) }, { requiredKeys: ['kind'] }),
    fc.record(
      { kind: fc.constant('event'), event: eventName(wild), filter: filterCondition(wild) },
      { requiredKeys: ['kind', 'event'] },
    ),
    fc.record({ kind: fc.constant('audience'), where: branchCondition(wild) }, { requiredKeys: ['kind'] }),
    fc.record(
      {
        kind: fc.constant('schedule'),
        cron: fc.constantFrom('0 20 * * *', '*/5 * * * *', 'bad cron'),
        timezone: fc.constantFrom('Asia/Shanghai', 'America/New_York', 'Mars/Base'),
      },
      { requiredKeys: ['kind', 'cron'] },
    ),
    ...(wild
      ? [
          fc.record({
            kind: fc.constant('webhook'),
            payload: payloadFields,
          }),
        ]
      : []),
  );

const MIDDLE_TYPES = [
  'send',
  'wait',
  'wait_until',
  'wait_for_event',
  'branch',
  'split',
  'update_contact',
  'http_request',
  'staff_task',
] as const;
type MiddleType = (typeof MIDDLE_TYPES)[number];

/** The fields of a node of `type` (without id, type and position). */
function nodeBody(type: MiddleType, wild: boolean): fc.Arbitrary<Json> {
  switch (type) {
    case 'send':
      return fc.record(
        {
          channel: channel(wild),
          message: message(wild),
          fallback: fc.record(
            { channel: channel(wild), message: message(wild) },
            { requiredKeys: ['channel'] },
          ),
        },
        { requiredKeys: ['channel', 'message'] },
      );
    case 'wait':
      return fc.record({ duration: duration(wild) });
    case 'wait_until':
      return fc.record(
        {
          time: wild
            ? fc.constantFrom('08:00', '20:30', '23:59', '24:00', '8am')
            : fc.constantFrom('08:00', '20:30', '23:59'),
          weekdays: fc.uniqueArray(fc.integer({ min: 1, max: wild ? 8 : 7 }), { minLength: 1, maxLength: 7 }),
          date: fc.constantFrom('2026-03-05', '2020-01-01', '2026-02-30'),
          timezone: fc.constantFrom('Asia/Shanghai', 'Europe/London', 'UTC'),
        },
        { requiredKeys: ['time'] },
      );
    case 'wait_for_event':
      return fc.record(
        { event: eventName(wild), filter: filterCondition(wild), timeout: duration(wild) },
        { requiredKeys: ['event', 'timeout'] },
      );
    case 'branch':
      return fc.record({
        branches: fc.array(fc.record({ id: handle(wild), when: branchCondition(wild) }), {
          minLength: 1,
          maxLength: 3,
        }),
      });
    case 'split':
      return fc.record({
        arms: fc.array(
          fc.record({
            id: handle(wild),
            weight: wild
              ? fc.oneof(fc.integer({ min: -1, max: 100 }), fc.double())
              : fc.integer({ min: 1, max: 100 }),
          }),
          { minLength: 2, maxLength: 4 },
        ),
      });
    case 'update_contact':
      return fc.record({
        update: fc.record(
          {
            addTags: fc.array(fc.constantFrom('vip', '活跃', 'new'), { maxLength: 2 }),
            removeTags: fc.array(fc.constantFrom('new', 'dormant'), { maxLength: 2 }),
            points: fc.record({
              add: fc.integer({ min: -100, max: 100 }),
              reason: fc.constantFrom('reply', '签到'),
            }),
            set: fc.dictionary(
              fc.constantFrom('segment', 'city', ...(wild ? ['__proto__', 'constructor'] : [])),
              fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()),
              { maxKeys: 2 },
            ),
            checkIn: fc.record({ points: fc.integer({ min: 0, max: 10 }) }),
            tiers: fc.array(
              fc.record({
                name: fc.constantFrom('silver', 'gold'),
                minPoints: fc.integer({ min: 0, max: 500 }),
              }),
              {
                maxLength: 2,
              },
            ),
            creditReferrer: fc.record({
              field: wild ? wildPath : fc.constantFrom('event.referrerId', 'contact.attributes.referrer'),
              points: fc.integer({ min: 0, max: 50 }),
              reason: fc.constantFrom('referral', ''),
            }),
          },
          { requiredKeys: [] },
        ),
      });
    case 'http_request':
      return fc.record(
        {
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
          url: wild
            ? text(true)
            : fc.constantFrom('https://crm.example.com/m/{{ contact.id }}', 'https://example.com'),
          headers: fc.dictionary(fc.constantFrom('x-id', 'authorization', 'constructor'), text(wild), {
            maxKeys: 2,
          }),
          body: text(wild),
          timeout: duration(wild),
          retries: fc.integer({ min: 0, max: wild ? 20 : 10 }),
        },
        { requiredKeys: ['method', 'url'] },
      );
    case 'staff_task':
      return fc.record(
        {
          assignee: staff(wild),
          message: message(wild),
          deadline: duration(wild),
          escalation: fc.record({ after: duration(wild), assignee: staff(wild) }),
        },
        { requiredKeys: ['assignee', 'message', 'deadline'] },
      );
  }
}

const settings = (wild: boolean): fc.Arbitrary<Json> =>
  fc.record(
    {
      timezone: wild
        ? fc.constantFrom('Asia/Shanghai', 'America/New_York', 'Nowhere/Else')
        : fc.constantFrom('Asia/Shanghai', 'America/New_York'),
      quietHours: fc.record({
        start: fc.constantFrom('22:00', '00:00', '13:00'),
        end: fc.constantFrom('08:00', '00:00', '14:00'),
      }),
      frequencyCap: fc.record({
        max: fc.integer({ min: 1, max: wild ? 2000 : 5 }),
        per: duration(wild),
        onCap: fc.constantFrom('defer', 'skip'),
      }),
      reentry: fc.oneof(
        fc.record({ mode: fc.constantFrom('always', 'never') }),
        fc.record(
          { mode: fc.constant('after'), after: duration(wild) },
          { requiredKeys: wild ? ['mode'] : ['mode', 'after'] },
        ),
      ),
      goal: fc.record({ event: eventName(wild), filter: filterCondition(wild) }, { requiredKeys: ['event'] }),
    },
    { requiredKeys: [] },
  );

/** Arbitraries are built once: building one (a regular expression's, a record's) costs more than a draw. */
const BODIES = {
  clean: Object.fromEntries(MIDDLE_TYPES.map((t) => [t, nodeBody(t, false)])) as Record<
    MiddleType,
    fc.Arbitrary<Json>
  >,
  wild: Object.fromEntries(MIDDLE_TYPES.map((t) => [t, nodeBody(t, true)])) as Record<
    MiddleType,
    fc.Arbitrary<Json>
  >,
};
const exitChoice = {
  clean: fc.record({ pick: fc.nat(), loop: fc.nat(9), drop: fc.constant(1) }),
  wild: fc.record({ pick: fc.nat(), loop: fc.nat(9), drop: fc.nat(30) }),
};
const junkEdges = fc.array(
  fc.record({
    id: fc.string({ maxLength: 6 }),
    source: fc.oneof(fc.nat(), fc.string({ maxLength: 4 })),
    sourceHandle: fc.constantFrom('next', 'else', 'event', 'nope', '__proto__'),
    target: fc.oneof(fc.nat(), fc.string({ maxLength: 4 })),
  }),
  { maxLength: 2 },
);
const flowParts = {
  clean: fc.tuple(
    fc.uniqueArray(nodeId, { minLength: 12, maxLength: 12 }),
    fc.array(fc.constantFrom(...MIDDLE_TYPES), { maxLength: 10 }),
    trigger(false),
    settings(false),
    fc.constant<string[]>([]),
  ),
  wild: fc.tuple(
    fc.uniqueArray(nodeId, { minLength: 12, maxLength: 12 }),
    fc.array(fc.constantFrom(...MIDDLE_TYPES), { maxLength: 10 }),
    trigger(true),
    settings(true),
    fc.constantFrom<string[]>([], ['fax'], ['constructor', 'wechat']),
  ),
};

/** Waiting nodes: a loop must pass through one (the compiler's rule), so back edges leave only them. */
function isWaiting(node: Json): boolean {
  return (
    node.type === 'wait' ||
    node.type === 'wait_for_event' ||
    node.type === 'staff_task' ||
    (node.type === 'wait_until' && node.date === undefined)
  );
}

/**
 * A flow built to be valid: trigger, middle nodes, an exit; each node's first exit leads to the next
 * node (so all are reached), other exits lead forward, and waiting nodes may loop back. With `wild`
 * the fields come from hostile generators too, and a few edges go missing, twice or nowhere.
 */
const generatedFlow = fc.boolean().chain((wild) =>
  flowParts[wild ? 'wild' : 'clean'].chain(([ids, types, trig, flowSettings, extraChannels]) =>
    fc.tuple(...types.map((type) => BODIES[wild ? 'wild' : 'clean'][type])).chain((bodies) => {
      const nodes: Json[] = [
        { id: ids[0], type: 'trigger', trigger: trig, position: { x: 0, y: 0 } },
        ...types.map((type, i) => ({ id: ids[i + 1], type, label: `${type} ${i}`, ...bodies[i] })),
        { id: ids[types.length + 1], type: 'exit' },
      ];
      const exits = nodes.flatMap((node, index) =>
        [...nodeExits(node), ...(node.type === 'send' || node.type === 'http_request' ? ['failed'] : [])].map(
          (h, n) => ({ index, handle: h, first: n === 0, optional: h === 'failed' }),
        ),
      );
      const choice = exitChoice[wild ? 'wild' : 'clean'];
      const junk = wild ? junkEdges : fc.constant([]);
      return fc
        .tuple(fc.array(choice, { minLength: exits.length, maxLength: exits.length }), junk)
        .map(([choices, junkList]): Json => {
          const idOf = (ref: number | string) => (typeof ref === 'number' ? ids[ref % ids.length] : ref);
          const junkEdges = junkList.map((e: Json) => ({
            ...e,
            source: idOf(e.source),
            target: idOf(e.target),
          }));
          const edges: Json[] = [];
          exits.forEach((exit, k) => {
            const c = choices[k]!;
            if (c.drop === 0) return;
            if (exit.optional && c.pick % 2 === 0) return;
            const source = nodes[exit.index];
            let target: number;
            if (exit.first) target = exit.index + 1;
            else if (isWaiting(source) && c.loop === 0) target = 1 + (c.pick % exit.index || 0);
            else target = exit.index + 1 + (c.pick % (nodes.length - exit.index - 1));
            edges.push({
              id: `e${k}`,
              source: source.id,
              ...(exit.handle === 'next' && c.pick % 3 === 0 ? {} : { sourceHandle: exit.handle }),
              target: nodes[Math.min(target, nodes.length - 1)].id,
            });
          });
          return {
            document: {
              schemaVersion: 1,
              id: 'fuzz-flow',
              name: wild ? '模糊测试 \uD83C' : 'Fuzz flow',
              nodes,
              edges: [...edges, ...junkEdges],
              settings: flowSettings,
            },
            channels: [...BUILTIN_CHANNELS, ...extraChannels],
          };
        });
    }),
  ),
);

// ---------------------------------------------------------------- mutations

/** Places in a JSON value (the path to each and the value there), down to a depth. */
function places(root: Json, maxDepth = 40) {
  const out: { path: (string | number)[]; value: Json }[] = [];
  const pending: { path: (string | number)[]; value: Json }[] = [{ path: [], value: root }];
  while (pending.length > 0) {
    const place = pending.pop()!;
    out.push(place);
    const { path, value } = place;
    if (path.length >= maxDepth || value === null || typeof value !== 'object') continue;
    const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    for (const key of keys) pending.push({ path: [...path, key], value: value[key] });
  }
  return out;
}

/** A copy, or the value itself when it is too deep to copy. */
function copy(value: Json): Json {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

/** Sets an own property, as JSON.parse does: `__proto__` becomes a key, not the prototype. */
function put(target: Json, key: string | number, value: Json) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function nest(depth: number, shape: 'array' | 'object' | 'not' | 'all'): Json {
  let value: Json = shape === 'array' ? [] : shape === 'object' ? {} : { field: 'contact.id', op: 'exists' };
  for (let i = 0; i < depth; i++) {
    if (shape === 'array') value = [value];
    else if (shape === 'object') value = { a: value };
    else if (shape === 'not') value = { not: value };
    else value = { all: [value] };
  }
  return value;
}

const HUGE = ['x'.repeat(1_000_000), '群'.repeat(300_000), `{{ contact.name }}${' '.repeat(200_000)}`];
const SURROGATES = ['\uD800', '\uDBFF\uDBFF', 'a\uDC00b', '\uDFFF{{ contact.name }}'];

type Mutation =
  | { kind: 'delete' | 'duplicate' | 'retype' | 'huge' | 'surrogate'; at: number; n: number }
  | { kind: 'set'; at: number; value: Json }
  | { kind: 'deep'; at: number; depth: number; shape: 'array' | 'object' | 'not' | 'all' }
  | { kind: 'proto'; at: number; key: string; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('delete', 'duplicate', 'retype', 'huge', 'surrogate'),
    at: fc.nat(),
    n: fc.nat(),
  }),
  fc.record({ kind: fc.constant('set'), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({
    kind: fc.constant('deep'),
    at: fc.nat(),
    depth: fc.constantFrom(64, 1_000, 10_000),
    shape: fc.constantFrom('array', 'object', 'not', 'all'),
  }),
  fc.record({
    kind: fc.constant('proto'),
    at: fc.nat(),
    key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
    value: fc.oneof(
      fc.constant(0).map(() => ({ polluted: 1, type: 'exit', id: 'x' })),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  }),
) as fc.Arbitrary<Mutation>;

function retype(value: Json, n: number): Json {
  const options: Json[] = [null, 0, -1, 1e308, '', 'x', true, [], {}, [value], { value }];
  if (typeof value === 'string') options.push(Number(value), value.length);
  if (typeof value === 'number') options.push(String(value), [value]);
  return options[n % options.length];
}

/** Applies one mutation to a JSON document in place (the root itself may be replaced). */
function mutate(document: Json, m: Mutation): Json {
  const all = places(document);
  const place = all[m.at % all.length]!;
  const parentPath = place.path.slice(0, -1);
  const key = place.path.at(-1);
  const parent = parentPath.reduce((v, k) => v[k], document);
  const replace = (value: Json) => {
    if (key === undefined) return value;
    put(parent, key, value);
    return document;
  };
  switch (m.kind) {
    case 'delete':
      if (key === undefined) return undefined;
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return document;
    case 'duplicate':
      if (Array.isArray(place.value) && place.value.length > 0)
        place.value.push(copy(place.value[m.n % place.value.length]));
      else if (Array.isArray(parent)) parent.push(copy(place.value));
      else if (parent && typeof key === 'string') put(parent, `${key}${m.n % 3 ? '' : 'Copy'}`, place.value);
      return document;
    case 'retype':
      return replace(retype(place.value, m.n));
    case 'huge':
      return replace(HUGE[m.n % HUGE.length]);
    case 'surrogate':
      return replace(
        typeof place.value === 'string'
          ? place.value + SURROGATES[m.n % SURROGATES.length]
          : SURROGATES[m.n % SURROGATES.length],
      );
    case 'set':
      return replace(m.value);
    case 'deep':
      return replace(nest(m.depth, m.shape));
    case 'proto': {
      const target =
        place.value !== null && typeof place.value === 'object' && !Array.isArray(place.value)
          ? place.value
          : parent;
      if (target && typeof target === 'object' && !Array.isArray(target)) put(target, m.key, m.value);
      return document;
    }
  }
}

/**
 * Valid documents to mutate: the SOP templates in both languages, with a join way picked where the
 * template leaves it to the operator, and generated clean flows.
 */
const seeds: Json[] = TEMPLATES.flatMap((t) => [t.build('zh'), t.build('en')]).map((d) =>
  JSON.parse(JSON.stringify(d).replaceAll(`"${JOIN_WAY_TO_PICK}"`, '"wjPicked"')),
);

const mutatedFlow = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...seeds).map((d) => copy(d)),
      generatedFlow.map((g) => g.document),
    ),
    fc.array(mutation, { minLength: 1, maxLength: 4 }),
  )
  .map(([document, mutations]) => mutations.reduce((doc, m) => mutate(doc, m), document));

// ---------------------------------------------------------------- checks

function timedCompile(document: unknown, channels?: readonly string[]): CompileResult {
  // A hang fails the test by its timeout; wall-clock times belong in `npm run bench`.
  return compile(document, channels ? { channels } : {});
}

function nodeIdsOf(document: Json): Set<string> {
  const nodes = document?.nodes;
  return new Set(
    Array.isArray(nodes) ? nodes.map((n: Json) => n?.id).filter((id: unknown) => typeof id === 'string') : [],
  );
}

/** Every value is plain JSON: no undefined in arrays, no NaN, no functions, no odd prototypes. */
function expectPlainJson(value: unknown, at = 'plan'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${at} is ${value}`).toBe(true);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      expect(v, `${at}[${i}]`).not.toBeUndefined();
      expectPlainJson(v, `${at}[${i}]`);
    });
    return;
  }
  expect(typeof value, at).toBe('object');
  expect(Object.getPrototypeOf(value), `${at} has an odd prototype`).toBe(Object.prototype);
  for (const [k, v] of Object.entries(value as object)) if (v !== undefined) expectPlainJson(v, `${at}.${k}`);
}

/**
 * A copy with -0 as 0: JSON writes -0 as 0, and nothing in a plan tells them apart (comparisons,
 * weights, points), so that is the one change a trip through JSON may make. Keys are copied as
 * own properties, `__proto__` included.
 */
function jsonEquivalent(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(jsonEquivalent);
  const copy = {};
  for (const [k, v] of Object.entries(value)) put(copy, k, jsonEquivalent(v));
  return copy;
}

function checkRejection(document: Json, result: Extract<CompileResult, { ok: false }>): void {
  expect(result.errors.length).toBeGreaterThan(0);
  const ids = nodeIdsOf(document);
  for (const e of result.errors) {
    expect(ALL_CODES.has(e.code), e.code).toBe(true);
    expect(typeof e.message === 'string' && e.message.length > 0).toBe(true);
    expect(typeof e.messageZh === 'string' && e.messageZh.length > 0).toBe(true);
    const located =
      e.nodeId !== undefined || e.edgeId !== undefined || !!e.path || DOCUMENT_LEVEL.has(e.code);
    expect(located, `error says not where: ${JSON.stringify(e).slice(0, 300)}`).toBe(true);
    if (e.nodeId !== undefined)
      expect(ids.has(e.nodeId), `names node "${e.nodeId}", which is not in the document`).toBe(true);
  }
}

const contactArb = fc.record(
  {
    id: fc.oneof(
      fc.stringMatching(/^[a-z0-9-]{1,12}$/),
      fc.constantFrom('__proto__', 'constructor', '联系人-1'),
    ),
    name: fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('<script>alert(1)</script>', 'Vera', '\uD800'),
    ),
    addresses: fc.record(
      {
        email: fc.constant('a@example.com'),
        phone: fc.constant('+8613800000000'),
        wecomUserId: fc.constant('wx-1'),
        openId: fc.constant('o-1'),
      },
      { requiredKeys: [] },
    ),
    timezone: fc.constantFrom('Asia/Shanghai', 'America/New_York', 'Not/AZone', ''),
    attributes: fc.dictionary(
      fc.oneof(
        fc.constantFrom('city', 'tier', 'referrer', '__proto__', 'constructor'),
        fc.string({ maxLength: 5 }),
      ),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 4 },
    ),
    tags: fc.array(fc.constantFrom('vip', 'new', 'dormant'), { maxLength: 3 }),
    points: fc.integer({ min: -1000, max: 100_000 }),
    unsubscribed: fc.subarray([...BUILTIN_CHANNELS]),
  },
  { requiredKeys: ['id'] },
);
/** Payloads as they arrive over HTTP: JSON, so `__proto__` is an ordinary key. */
const payloadArb = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom('group', 'amount', 'text', 'referrerId', 'nodeId', '__proto__', 'constructor'),
      fc.string({ maxLength: 5 }),
    ),
    fc.jsonValue({ maxDepth: 3 }),
    { maxKeys: 4 },
  )
  .map((p) => JSON.parse(JSON.stringify(p)) as Record<string, unknown>);

function checkSimulation(plan: Plan, contact: Json, event: Record<string, unknown>, events: Json[]): void {
  const result = simulate(plan, {
    contact,
    event,
    events,
    startAt: START,
    horizonMs: 30 * DAY,
    maxInputs: 2_000,
  });
  let last = START;
  for (const entry of result.timeline) {
    expect(entry.at, `timeline goes back in time at ${JSON.stringify(entry)}`).toBeGreaterThanOrEqual(last);
    last = entry.at;
  }
  if (result.outcome) expect(result.timeline.at(-1)).toMatchObject({ kind: 'finish' });
}

// ---------------------------------------------------------------- the properties

describe('fuzz: the compiler', () => {
  it('never throws or hangs on generated flows, says where each problem is, and its plans survive JSON and run', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        generatedFlow,
        contactArb,
        payloadArb,
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 40 * DAY }),
            name: fc.constantFrom('reply', 'order.paid', 'task.done', 'member.joined', 'other'),
            payload: payloadArb,
          }),
          { maxLength: 5 },
        ),
        ({ document, channels }, contact, event, events) => {
          const result = timedCompile(document, channels);
          if (!result.ok) {
            checkRejection(document, result);
            return;
          }
          accepted++;
          const { plan } = result;
          expectPlainJson(plan);
          expect(JSON.parse(JSON.stringify(plan))).toEqual(jsonEquivalent(plan));
          expect(Object.hasOwn(plan.nodes, plan.entry), 'the entry is a node of the plan').toBe(true);
          for (const node of Object.values(plan.nodes))
            for (const target of Object.values(node.exits))
              expect(Object.hasOwn(plan.nodes, target), `exit to "${target}" leads into the plan`).toBe(true);
          // The same document after a trip through JSON compiles to the same plan.
          const again = timedCompile(JSON.parse(JSON.stringify(document)), channels);
          expect(again.ok && again.plan).toEqual(jsonEquivalent(plan));
          // Events for the tasks a staff step waits on name its node.
          const scripted = events.map((e) =>
            e.name === 'task.done'
              ? { ...e, payload: { ...e.payload, nodeId: Object.keys(plan.nodes)[e.at % 7] } }
              : e,
          );
          checkSimulation(plan, contact, event, scripted);
        },
      ),
      runs(1_000),
    );
    // The generator is meant to reach the interpreter: a good share of its flows must compile.
    expect(accepted).toBeGreaterThan(200 * RUNS);
  }, 120_000);

  it('never throws or hangs on mutated documents, and says where each problem is', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutatedFlow, contactArb, (document, contact) => {
        const result = timedCompile(document);
        if (!result.ok) {
          checkRejection(document, result);
          return;
        }
        accepted++;
        expectPlainJson(result.plan);
        expect(JSON.parse(JSON.stringify(result.plan))).toEqual(jsonEquivalent(result.plan));
        checkSimulation(result.plan, contact, {}, []);
      }),
      runs(1_500),
    );
    expect(accepted).toBeGreaterThan(0);
  }, 120_000);

  it('survives documents that are not flows at all', () => {
    const base = { schemaVersion: 1, id: 'x', name: 'x', edges: [] };
    const goal = (filter: Json) => ({ ...base, nodes: [], settings: { goal: { event: 'x', filter } } });
    const strange: [string, unknown][] = [
      ['undefined', undefined],
      ['null', null],
      ['NaN', Number.NaN],
      ['a string', 'flow'],
      ['an array', [[]]],
      ['a null-prototype object', Object.create(null)],
      [
        'a __proto__ key',
        JSON.parse('{"__proto__":{"schemaVersion":1,"id":"x","name":"x","nodes":[],"edges":[]}}'),
      ],
      ['100,000 nested arrays as nodes', { ...base, nodes: nest(100_000, 'array') }],
      ['100,000 nested objects as a node', { ...base, nodes: [nest(100_000, 'object')] }],
      ['a condition 100,000 `not`s deep', goal(nest(100_000, 'not'))],
      ['a condition 50,000 `all`s deep', goal(nest(50_000, 'all'))],
      ['a condition 33 levels deep', goal(nest(32, 'not'))],
      [
        '6,000 nodes',
        { ...base, nodes: Array.from({ length: 6_000 }, (_, i) => ({ id: `n${i}`, type: 'exit' })) },
      ],
      ['a 10 MB name', { ...base, nodes: [], name: 'x'.repeat(10_000_000) }],
    ];
    for (const [what, document] of strange) {
      const result = timedCompile(document);
      expect(result.ok, what).toBe(false);
      if (!result.ok) checkRejection(document, result);
    }
    // Deep, but within bounds: accepted, and evaluated without trouble.
    const fine = timedCompile({
      ...base,
      nodes: [
        { id: 't', type: 'trigger', trigger: { kind: 'audience', where: nest(31, 'not') } },
        { id: 'e', type: 'exit' },
      ],
      edges: [{ id: 'e1', source: 't', target: 'e' }],
    });
    expect(fine.ok).toBe(true);
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue()), (document) => {
        const result = timedCompile(document);
        expect(result.ok).toBe(false);
        if (!result.ok) checkRejection(document, result);
      }),
      runs(300),
    );
  }, 60_000);

  it('compiles the largest flows the schema allows without hanging', () => {
    // 5,000 steps in one long loop of sends and waits, and 5,000 steps fanning out and in again.
    const ring: Json[] = [{ id: 't', type: 'trigger', trigger: { kind: 'manual' } }];
    const ringEdges: Json[] = [{ id: 'e-t', source: 't', target: 's0' }];
    for (let i = 0; i < 2_499; i++) {
      ring.push({ id: `s${i}`, type: 'send', channel: 'wechat', message: { text: 'hi' } });
      ring.push({ id: `w${i}`, type: 'wait', duration: 'PT1M' });
      ringEdges.push({ id: `es${i}`, source: `s${i}`, target: `w${i}` });
      ringEdges.push({ id: `ew${i}`, source: `w${i}`, target: i === 2_498 ? 's0' : `s${i + 1}` });
    }
    const fan: Json[] = [{ id: 't', type: 'trigger', trigger: { kind: 'manual' } }];
    const fanEdges: Json[] = [{ id: 'e-t', source: 't', target: 'w0' }];
    for (let i = 0; i < 1_666; i++) {
      fan.push({ id: `w${i}`, type: 'wait_until', time: '23:00' });
      fan.push({
        id: `b${i}`,
        type: 'split',
        arms: [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 1 },
        ],
      });
      fan.push({ id: `s${i}`, type: 'send', channel: 'wechat_group', message: { text: 'hi' } });
      const next = i === 1_665 ? 'w0' : `w${i + 1}`;
      fanEdges.push(
        { id: `ew${i}`, source: `w${i}`, target: `b${i}` },
        { id: `ea${i}`, source: `b${i}`, sourceHandle: 'a', target: `s${i}` },
        { id: `eb${i}`, source: `b${i}`, sourceHandle: 'b', target: next },
        { id: `es${i}`, source: `s${i}`, target: next },
      );
    }
    const settings = {
      frequencyCap: { max: 3, per: 'P1D' },
      quietHours: { start: '22:00', end: '08:00' },
    };
    for (const [nodes, edges] of [
      [ring, ringEdges],
      [fan, fanEdges],
    ] as const) {
      const result = timedCompile({ schemaVersion: 1, id: 'big', name: 'Big', nodes, edges, settings });
      expect(result.ok, JSON.stringify(!result.ok && result.errors.slice(0, 3))).toBe(true);
    }
  }, 60_000);
});

// ---------------------------------------------------------------- the interpreter

type InputChoice =
  | { kind: 'answer'; result: TaskResult }
  | { kind: 'task'; commandId: string; result: TaskResult }
  | { kind: 'fire' }
  | { kind: 'timer'; timerId: string }
  | { kind: 'awaited-event'; payload: Record<string, unknown> }
  | { kind: 'event'; name: string; payload: Record<string, unknown> }
  | { kind: 'cancel' };

const taskResult: fc.Arbitrary<TaskResult> = fc.oneof(
  fc.constant({ ok: true } as TaskResult),
  fc.constant({ ok: true, duplicate: true } as TaskResult),
  fc
    .record({ status: fc.integer({ min: 0, max: 599 }), body: fc.jsonValue({ maxDepth: 3 }) })
    .map((response): TaskResult => ({ ok: true, response })),
  contactArb.map((c): TaskResult => ({ ok: true, contact: Contact.parse(c) })),
  fc
    .record({
      reason: fc.constantFrom('failed', 'no-address', 'opted-out', 'capped'),
      message: fc.string({ maxLength: 10 }),
      retryAt: fc.option(
        fc.oneof(
          fc.integer({ min: START - DAY, max: START + 30 * DAY }),
          fc.constantFrom(Number.NaN, -1, 8.64e15),
        ),
        { nil: undefined },
      ),
    })
    .map((f): TaskResult => ({ ok: false, ...f })),
);
const inputChoice: fc.Arbitrary<InputChoice> = fc.oneof(
  { weight: 6, arbitrary: taskResult.map((result) => ({ kind: 'answer' as const, result })) },
  { weight: 6, arbitrary: fc.constant({ kind: 'fire' as const }) },
  { weight: 4, arbitrary: payloadArb.map((payload) => ({ kind: 'awaited-event' as const, payload })) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('task' as const),
      commandId: fc.string({ maxLength: 8 }),
      result: taskResult,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('timer' as const), timerId: fc.string({ maxLength: 8 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      name: fc.constantFrom('reply', 'order.paid', 'task.done', 'member.joined', '__proto__'),
      payload: payloadArb,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
);
/** How far the clock moves before an input: mostly forward, sometimes to odd places. */
const clockMove = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 3 * DAY }) },
  { weight: 1, arbitrary: fc.constantFrom(-DAY, Number.NaN, 8.64e15, -8.64e15, Number.MAX_VALUE) },
);

/** The input a choice stands for, given what the run waits for now. */
function inputFor(choice: InputChoice, state: RunState, at: number): Input {
  const awaiting = state.awaiting;
  switch (choice.kind) {
    case 'answer':
      return {
        type: 'task-result',
        commandId: awaiting?.task?.commandId ?? 'none',
        result: choice.result,
        at,
      };
    case 'task':
      return { type: 'task-result', commandId: choice.commandId, result: choice.result, at };
    case 'fire':
      return { type: 'timer-fired', timerId: awaiting?.timer?.timerId ?? 'none', at };
    case 'timer':
      return { type: 'timer-fired', timerId: choice.timerId, at };
    case 'awaited-event': {
      const name = awaiting?.event?.name ?? 'reply';
      const payload = name === 'task.done' ? { ...choice.payload, nodeId: awaiting?.nodeId } : choice.payload;
      return { type: 'event', name, payload, at };
    }
    case 'event':
      return { type: 'event', name: choice.name, payload: choice.payload, at };
    case 'cancel':
      return { type: 'cancel', reason: 'fuzz', at };
  }
}

/** What must hold of a run after every input, whatever the input was. */
function checkStep(plan: Plan, result: Step, issued: Map<string, TaskResult | undefined>): void {
  const { state } = result;
  if (state.status === 'done') {
    expect(state.outcome).not.toBeNull();
    expect(state.awaiting).toBeNull();
  } else {
    // An active run always waits on something, or the shell would have nothing to wait for.
    expect(state.awaiting, 'an active run waits on something').not.toBeNull();
    expect(Object.hasOwn(plan.nodes, state.awaiting!.nodeId)).toBe(true);
    expect(state.outcome).toBeNull();
  }
  for (const command of result.commands) {
    if (command.type !== 'send' && command.type !== 'update-contact' && command.type !== 'http') continue;
    // `<node>#<visit>[/<attempt>]`: a visit count that is a number, whatever the node is called.
    expect(command.commandId).toMatch(/^[A-Za-z0-9_-]+#[1-9]\d*(\/[a-z-]+)?$/);
    // Command ids are idempotency keys: one is issued again only for a send the cap held back.
    if (issued.has(command.commandId)) {
      const before = issued.get(command.commandId);
      expect(
        before && !before.ok && before.reason === 'capped',
        `command id ${command.commandId} issued twice (${JSON.stringify(before)})`,
      ).toBe(true);
    }
    issued.set(command.commandId, undefined);
  }
}

function taskCommands(commands: Command[]) {
  return commands.filter((c) => 'commandId' in c);
}

const acceptedPlan = generatedFlow
  .map(({ document, channels }) => compile(document, { channels }))
  .filter((r): r is Extract<CompileResult, { ok: true }> => r.ok)
  .map((r) => r.plan);

describe('names that mean something to JavaScript', () => {
  it('are steps, exits and channels like any other', () => {
    const loops = 6;
    const result = compile(
      {
        schemaVersion: 1,
        id: 'special',
        name: 'Special names',
        nodes: [
          { id: '__proto__', type: 'trigger', trigger: { kind: 'manual' } },
          {
            id: 'constructor',
            type: 'send',
            channel: 'constructor',
            message: { text: 'hi {{ contact.name }}' },
            fallback: { channel: 'wechat' },
          },
          { id: 'toString', type: 'http_request', method: 'GET', url: 'https://example.com' },
          { id: 'valueOf', type: 'update_contact', update: { points: { add: 1, reason: 'loop' } } },
          { id: 'hasOwnProperty', type: 'wait', duration: 'PT1H' },
          {
            id: 'prototype',
            type: 'branch',
            branches: [
              { id: '__proto__', when: { field: 'contact.points', op: 'gte', value: loops } },
              { id: 'constructor', when: { field: 'http.toString.status', op: 'eq', value: 500 } },
            ],
          },
          { id: 'isPrototypeOf', type: 'exit' },
        ],
        edges: [
          { id: '1', source: '__proto__', target: 'constructor' },
          { id: '2', source: 'constructor', target: 'toString' },
          { id: '3', source: 'toString', target: 'valueOf' },
          { id: '4', source: 'valueOf', target: 'hasOwnProperty' },
          { id: '5', source: 'hasOwnProperty', target: 'prototype' },
          { id: '6', source: 'prototype', sourceHandle: '__proto__', target: 'isPrototypeOf' },
          { id: '7', source: 'prototype', sourceHandle: 'constructor', target: 'isPrototypeOf' },
          { id: '8', source: 'prototype', sourceHandle: 'else', target: 'constructor' },
        ],
      },
      { channels: [...BUILTIN_CHANNELS, 'constructor'] },
    );
    expect(result.ok, JSON.stringify(!result.ok && result.errors)).toBe(true);
    if (!result.ok) return;
    const { plan } = result;
    expect(Object.keys(plan.nodes).sort()).toEqual(
      [
        '__proto__',
        'constructor',
        'hasOwnProperty',
        'isPrototypeOf',
        'prototype',
        'toString',
        'valueOf',
      ].sort(),
    );
    expectPlainJson(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    // (JSON, because `__proto__:` in an object literal would set the prototype.)
    expect(plan.nodes.prototype!.exits).toEqual(
      JSON.parse('{"__proto__":"isPrototypeOf","constructor":"isPrototypeOf","else":"constructor"}'),
    );

    // Round the loop: every task answered, every timer fired; each command id is new.
    const issued = new Map<string, TaskResult | undefined>();
    let at = START;
    let current = start(plan, {
      contact: Contact.parse({ id: 'c1', name: 'Vera', addresses: { wecomUserId: 'w' } }),
      at,
    });
    checkStep(plan, current, issued);
    for (let i = 0; i < 100 && current.state.status === 'active'; i++) {
      at += 3600_000;
      const task = current.state.awaiting?.task;
      const result: TaskResult =
        task?.kind === 'update-contact'
          ? { ok: true, contact: { ...current.state.contact, points: current.state.contact.points + 1 } }
          : { ok: true };
      current = step(
        plan,
        current.state,
        inputFor({ kind: task ? 'answer' : 'fire', result }, current.state, at),
      );
      checkStep(plan, current, issued);
    }
    expect(current.state.outcome).toEqual({ kind: 'exited', nodeId: 'isPrototypeOf' });
    expect([...issued.keys()].filter((id) => id.startsWith('constructor#'))).toHaveLength(loops);
    expect(current.state.visits).toMatchObject(
      JSON.parse(`{"__proto__":1,"constructor":${loops},"hasOwnProperty":${loops}}`),
    );
    expect(Object.getPrototypeOf(current.state.visits)).toBe(Object.prototype);

    // The dry-run agrees, and sends on the channel called `constructor`.
    const dry = simulate(plan, { contact: { id: 'c1', name: 'Vera' }, startAt: START });
    expect(dry.outcome).toEqual({ kind: 'exited', nodeId: 'isPrototypeOf' });
    expect(dry.timeline.filter((e) => e.kind === 'send' && e.channel === 'constructor')).toHaveLength(loops);
  });
});

describe('names that mean something to JavaScript, in the cohort dry-run', () => {
  it('are counted like any other, and leave `Object` alone', () => {
    const result = compile(
      {
        schemaVersion: 1,
        id: 'cohort',
        name: 'Cohort',
        nodes: [
          { id: 't', type: 'trigger', trigger: { kind: 'manual' } },
          {
            id: 'b',
            type: 'branch',
            branches: [
              { id: 'constructor', when: { field: 'contact.attributes.constructor', op: 'eq', value: 'a' } },
            ],
          },
          { id: 's', type: 'send', channel: 'constructor', message: { text: 'hi' } },
          { id: 'e', type: 'exit' },
        ],
        edges: [
          { id: '1', source: 't', target: 'b' },
          { id: '2', source: 'b', sourceHandle: 'constructor', target: 's' },
          { id: '3', source: 'b', sourceHandle: 'else', target: 'e' },
          { id: '4', source: 's', target: 'e' },
        ],
      },
      { channels: [...BUILTIN_CHANNELS, 'constructor'] },
    );
    expect(result.ok, JSON.stringify(!result.ok && result.errors)).toBe(true);
    if (!result.ok) return;
    const before = Object.getOwnPropertyNames(Object).sort();
    const report = simulateCohort(result.plan, {
      size: 20,
      startAt: START,
      attributes: JSON.parse('{"constructor":{"a":0.5,"b":0.5},"__proto__":{"x":1},"toString":{"y":1}}'),
    });
    expect(Object.getOwnPropertyNames(Object).sort()).toEqual(before);
    expect(({} as Json).a).toBeUndefined();
    /** An own property (`record.constructor` would be typed, and read, as Object's). */
    const ownOf = <T>(record: Record<string, T>, key: string): T | undefined =>
      Object.hasOwn(record, key) ? record[key] : undefined;
    const left = report.funnel.find((f) => f.nodeId === 'b')!.left;
    const byConstructor = ownOf(left, 'constructor');
    expect(byConstructor).toEqual(expect.any(Number));
    expect(byConstructor! + (ownOf(left, 'else') ?? 0)).toBe(20);
    expect(ownOf(report.sends, 'constructor')?.sent).toBe(byConstructor);
    expect(Object.keys(report.population.attributes).sort()).toEqual(['constructor', 'toString']);
    expect(ownOf(report.population.attributes, 'constructor')).toEqual({
      a: expect.any(Number),
      b: expect.any(Number),
    });
  });
});

describe('the dry-run under hostile flows', () => {
  const flow = (nodes: Json[], edges: Json[]) => {
    const result = compile({ schemaVersion: 1, id: 'dry', name: 'Dry', nodes, edges });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.plan;
  };

  it('stops a fast loop at its input limit instead of running for the whole horizon', () => {
    const plan = flow(
      [
        { id: 't', type: 'trigger', trigger: { kind: 'manual' } },
        { id: 's', type: 'send', channel: 'wechat', message: { text: 'again' } },
        { id: 'w', type: 'wait', duration: 'PT1S' },
      ],
      [
        { id: '1', source: 't', target: 's' },
        { id: '2', source: 's', target: 'w' },
        { id: '3', source: 'w', target: 's' },
      ],
    );
    // 400 days of a one-second loop would be 35 million rounds.
    const result = simulate(plan, { contact: { id: 'c1', addresses: { wecomUserId: 'w' } }, startAt: START });
    expect(result.truncated).toBe(true);
    expect(result.outcome).toBeNull();
    expect(result.timeline.filter((e) => e.kind === 'send').length).toBeGreaterThan(1_000);
  });

  it('stops a loop of messages that each take a render limit to fail, at its render budget', () => {
    const plan = flow(
      [
        { id: 't', type: 'trigger', trigger: { kind: 'manual' } },
        {
          id: 's',
          type: 'send',
          channel: 'wechat',
          message: { text: '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}' },
        },
        { id: 'w', type: 'wait', duration: 'PT1S' },
      ],
      [
        { id: '1', source: 't', target: 's' },
        { id: '2', source: 's', target: 'w' },
        { id: '3', source: 'w', target: 's' },
      ],
    );
    // Without the budget: a second per round, twenty thousand rounds (hours: the test would time out).
    const result = simulate(plan, {
      contact: { id: 'c1', addresses: { wecomUserId: 'w' } },
      startAt: START,
      renderBudgetMs: 1_500,
    });
    expect(result.truncated).toBe(true);
    expect(
      result.timeline.filter((e) => e.kind === 'send' && e.status === 'failed').length,
    ).toBeLessThanOrEqual(3);
  });

  it('records a message that cannot be rendered as a failed send, and goes on by `failed`', () => {
    const plan = flow(
      [
        { id: 't', type: 'trigger', trigger: { kind: 'manual' } },
        {
          id: 's',
          type: 'send',
          channel: 'wechat',
          message: { text: '{% for i in (1..100000000) %}{{ i }}{% endfor %}' },
        },
        { id: 'sorry', type: 'exit' },
        { id: 'ok', type: 'exit' },
      ],
      [
        { id: '1', source: 't', target: 's' },
        { id: '2', source: 's', target: 'ok' },
        { id: '3', source: 's', sourceHandle: 'failed', target: 'sorry' },
      ],
    );
    const result = simulate(plan, { contact: { id: 'c1', addresses: { wecomUserId: 'w' } }, startAt: START });
    expect(result.timeline).toContainEqual(
      expect.objectContaining({
        kind: 'send',
        nodeId: 's',
        status: 'failed',
        error: expect.stringMatching(/limit/),
      }),
    );
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'sorry' });
  });

  it('escapes HTML bodies as the worker does', () => {
    const plan = flow(
      [
        { id: 't', type: 'trigger', trigger: { kind: 'manual' } },
        {
          id: 's',
          type: 'send',
          channel: 'email',
          message: { text: '<p>{{ contact.name }}</p>', format: 'html' },
        },
        { id: 'e', type: 'exit' },
      ],
      [
        { id: '1', source: 't', target: 's' },
        { id: '2', source: 's', target: 'e' },
      ],
    );
    const result = simulate(plan, {
      contact: { id: 'c1', addresses: { email: 'v@example.com' }, name: '<script>x</script>' },
      startAt: START,
    });
    expect(result.timeline).toContainEqual(
      expect.objectContaining({
        kind: 'send',
        text: '<p>&lt;script&gt;x&lt;/script&gt;</p>',
        status: 'sent',
      }),
    );
  });
});

describe('fuzz: the interpreter', () => {
  it('takes any input against any plan without throwing, and keeps its invariants', () => {
    fc.assert(
      fc.property(
        acceptedPlan,
        contactArb,
        payloadArb,
        fc.array(fc.tuple(inputChoice, clockMove), { maxLength: 40 }),
        (plan, contactInput, event, inputs) => {
          let at = START;
          const issued = new Map<string, TaskResult | undefined>();
          let current = start(plan, { contact: Contact.parse(contactInput), event, at });
          checkStep(plan, current, issued);
          for (const [choice, move] of inputs) {
            at += move;
            const input = inputFor(choice, current.state, at);
            if (input.type === 'task-result' && issued.has(input.commandId))
              issued.set(input.commandId, input.result);
            const before = JSON.stringify(current.state);
            const next = step(plan, current.state, input);
            // The state given in is never changed: the shell may still hold it.
            expect(JSON.stringify(current.state)).toBe(before);
            checkStep(plan, next, issued);
            // One input moves a run to its next wait: at most one task on the way.
            expect(taskCommands(next.commands).length).toBeLessThanOrEqual(1);
            current = next;
          }
        },
      ),
      runs(600),
    );
  }, 120_000);

  it('moves runs between random plans with random mappings without throwing', () => {
    fc.assert(
      fc.property(
        acceptedPlan,
        acceptedPlan,
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.nat(), fc.constantFrom(...SPECIAL_KEYS))), { maxLength: 4 }),
        fc.array(inputChoice, { maxLength: 6 }),
        (from, to, pairs, inputs) => {
          let current = start(from, {
            contact: Contact.parse({ id: 'c1', addresses: { wecomUserId: 'w' } }),
            at: START,
          });
          for (const choice of inputs)
            current = step(from, current.state, inputFor(choice, current.state, START + 60_000));
          const fromIds = Object.keys(from.nodes);
          const toIds = Object.keys(to.nodes);
          const mapping: Record<string, string> = {};
          for (const [a, b] of pairs) {
            const source = fromIds[a % fromIds.length]!;
            put(mapping, source, typeof b === 'number' ? toIds[b % toIds.length]! : b);
          }
          const awaiting = current.state.awaiting;
          if (awaiting && pairs.length % 2 === 0)
            put(mapping, awaiting.nodeId, SPECIAL_KEYS[pairs.length % 6]!);
          const moved = migrate(to, current.state, mapping, START + 120_000);
          if (moved) checkStep(to, moved, new Map());
          // A mapping to a step the new plan does not have moves nobody.
          const target =
            awaiting && Object.hasOwn(mapping, awaiting.nodeId) ? mapping[awaiting.nodeId]! : undefined;
          if (target === undefined || !Object.hasOwn(to.nodes, target)) expect(moved).toBeUndefined();
        },
      ),
      runs(300),
    );
  }, 60_000);
});
