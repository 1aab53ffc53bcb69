import { describe, expect, it } from 'vitest';
import {
  configOf,
  draftOf,
  fieldsOf,
  type GroupField,
  groupHasValue,
  type JsonSchema,
  type MapField,
  nodeFieldsOf,
  placeIssues,
  type ScalarField,
  SECRET_MASK,
} from './schema-form';

// Shapes as `z.toJSONSchema(..., { io: 'input' })` writes the shipped connectors' configs.
const aliyun: JsonSchema = {
  type: 'object',
  properties: {
    accessKeyId: { type: 'string', minLength: 1 } as JsonSchema,
    accessKeySecret: { type: 'string' },
    signName: { type: 'string' },
    endpoint: { default: 'https://dysmsapi.aliyuncs.com', type: 'string', format: 'uri' },
    timeoutMs: { default: 10000, type: 'integer', minimum: 1000, maximum: 9007199254740991 },
    sendWindow: {
      type: 'object',
      properties: {
        start: { default: '08:00', type: 'string' },
        outside: { default: 'defer', type: 'string', enum: ['defer', 'fail'] },
      },
    },
    testTemplate: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        params: { default: {}, type: 'object', additionalProperties: { type: 'string' } },
      },
      required: ['id'],
    },
    optOutCodes: { default: [], type: 'array', items: { type: 'string' } },
  },
  required: ['accessKeyId', 'accessKeySecret', 'signName'],
};

const robot: JsonSchema = {
  type: 'object',
  properties: {
    robots: {
      type: 'object',
      propertyNames: { type: 'string' },
      additionalProperties: { type: 'string', secret: true, description: 'The webhook key.' },
      description: 'The robot key of each group.',
    } as JsonSchema,
    limits: {
      default: {},
      type: 'object',
      properties: { perRobotPerMinute: { default: 20, type: 'integer', exclusiveMinimum: 0 } },
    },
  },
  required: ['robots'],
};

const smtp: JsonSchema = {
  type: 'object',
  properties: {
    host: { type: 'string', description: 'The SMTP server.' },
    secure: { default: false, type: 'boolean' },
    auth: {
      type: 'object',
      properties: { user: { type: 'string' }, pass: { type: 'string', secret: true } },
      required: ['user', 'pass'],
    },
  },
  required: ['host'],
};

const byPath = (fields: ReturnType<typeof fieldsOf>) => {
  const all = new Map<string, ReturnType<typeof fieldsOf>[number]>();
  const visit = (list: ReturnType<typeof fieldsOf>) => {
    for (const f of list) {
      all.set(f.path, f);
      if (f.kind === 'group') visit(f.fields);
    }
  };
  visit(fields);
  return all;
};

describe('fieldsOf', () => {
  it('turns strings, numbers, enums, lists, nested objects and maps into fields', () => {
    const fields = byPath(fieldsOf(aliyun, ['accessKeySecret']));
    expect(fields.get('accessKeyId')).toMatchObject({ kind: 'text', required: true, secret: false });
    expect(fields.get('accessKeySecret')).toMatchObject({ kind: 'text', secret: true });
    expect(fields.get('endpoint')).toMatchObject({
      kind: 'text',
      required: false,
      placeholder: 'https://dysmsapi.aliyuncs.com',
    });
    const timeout = fields.get('timeoutMs') as ScalarField;
    expect(timeout).toMatchObject({ kind: 'number', integer: true, min: 1000, placeholder: '10000' });
    expect(timeout.max).toBeUndefined();
    expect(fields.get('sendWindow')).toMatchObject({ kind: 'group', required: false });
    expect(fields.get('sendWindow.outside')).toMatchObject({
      kind: 'enum',
      options: ['defer', 'fail'],
      placeholder: 'defer',
    });
    expect(fields.get('testTemplate.id')).toMatchObject({ kind: 'text', required: true });
    expect(fields.get('testTemplate.params')).toMatchObject({
      kind: 'map',
      valueKind: 'text',
      secret: false,
    });
    expect(fields.get('optOutCodes')).toMatchObject({ kind: 'list', numericItems: false });
  });

  it('marks secrets named by the connector or by the schema, maps of secrets included', () => {
    const fields = byPath(fieldsOf(smtp, ['auth.pass']));
    expect(fields.get('auth.pass')).toMatchObject({ secret: true });
    expect(fields.get('auth.user')).toMatchObject({ secret: false });
    expect(fields.get('host')).toMatchObject({ description: 'The SMTP server.' });
    expect(fields.get('secure')).toMatchObject({ kind: 'boolean', defaultValue: false });
    const robots = byPath(fieldsOf(robot, ['robots'])).get('robots') as MapField;
    expect(robots).toMatchObject({ kind: 'map', secret: true, required: true });
    expect(byPath(fieldsOf(robot)).get('robots')).toMatchObject({ secret: true });
  });

  it('falls back to JSON text for shapes a form cannot draw', () => {
    const fields = fieldsOf({
      type: 'object',
      properties: { rules: { type: 'array', items: { type: 'object', properties: {} } } },
    });
    expect(fields[0]).toMatchObject({ kind: 'json' });
  });
});

describe('draftOf and configOf', () => {
  it('round-trips a stored config, leaving masked secrets out so the API keeps them', () => {
    const fields = fieldsOf(aliyun, ['accessKeySecret']);
    const stored = {
      accessKeyId: 'LTAI',
      accessKeySecret: SECRET_MASK,
      signName: '社群运营',
      endpoint: 'http://127.0.0.1:9000',
      timeoutMs: 10000,
      testTemplate: { id: 'SMS_1', params: { name: '小王' } },
      optOutCodes: ['isv.A', 'isv.B'],
    };
    const draft = draftOf(fields, stored);
    expect(draft).toMatchObject({
      accessKeySecret: SECRET_MASK,
      timeoutMs: '10000',
      optOutCodes: 'isv.A, isv.B',
      'testTemplate.params': { masked: false, entries: [{ key: 'name', value: '小王' }] },
    });
    const { accessKeySecret: _masked, ...rest } = stored;
    expect(configOf(fields, draft)).toEqual(rest);
  });

  it('sends a secret the operator typed, numbers as numbers, and leaves empty fields to the defaults', () => {
    const fields = fieldsOf(aliyun, ['accessKeySecret']);
    const config = configOf(fields, {
      accessKeyId: 'LTAI',
      accessKeySecret: 'new-secret',
      signName: ' ',
      endpoint: '',
      timeoutMs: '500',
      'sendWindow.outside': 'fail',
      'testTemplate.params': { masked: false, entries: [{ key: '', value: 'dropped' }] },
    });
    expect(config).toEqual({
      accessKeyId: 'LTAI',
      accessKeySecret: 'new-secret',
      timeoutMs: 500,
      sendWindow: { outside: 'fail' },
    });
  });

  it('keeps text that is not a number as typed, for the API to name the field', () => {
    const fields = fieldsOf(aliyun);
    expect(configOf(fields, { timeoutMs: 'ten' })).toEqual({ timeoutMs: 'ten' });
  });

  it('keeps a masked map of secrets unless new entries replace it', () => {
    const fields = fieldsOf(robot, ['robots']);
    const draft = draftOf(fields, { robots: SECRET_MASK, limits: { perRobotPerMinute: 20 } });
    expect(draft.robots).toEqual({ masked: true, entries: [] });
    expect(configOf(fields, draft)).toEqual({ limits: { perRobotPerMinute: 20 } });
    expect(
      configOf(fields, { robots: { masked: false, entries: [{ key: ' g1 ', value: 'key-1' }] } }),
    ).toEqual({ robots: { g1: 'key-1' } });
  });

  it('sends booleans only once set, and nested secrets like any other', () => {
    const fields = fieldsOf(smtp, ['auth.pass']);
    expect(configOf(fields, { host: 'smtp.example.com' })).toEqual({ host: 'smtp.example.com' });
    const draft = draftOf(fields, { host: 'h', secure: false, auth: { user: 'u', pass: SECRET_MASK } });
    expect(draft).toMatchObject({ secure: false, 'auth.user': 'u', 'auth.pass': SECRET_MASK });
    expect(configOf(fields, draft)).toEqual({ host: 'h', secure: false, auth: { user: 'u' } });
  });
});

describe('groupHasValue', () => {
  it('says whether anything inside an optional group is set', () => {
    const group = fieldsOf(aliyun).find((f) => f.path === 'sendWindow') as GroupField;
    expect(groupHasValue(group, {})).toBe(false);
    expect(groupHasValue(group, { 'sendWindow.start': '' })).toBe(false);
    expect(groupHasValue(group, { 'sendWindow.start': '09:00' })).toBe(true);
  });
});

describe('placeIssues', () => {
  it('puts each API issue beside its field, and the rest at the top', () => {
    const fields = fieldsOf(aliyun, ['accessKeySecret']);
    const placed = placeIssues(fields, [
      { path: 'timeoutMs', message: 'Too small' },
      { path: 'optOutCodes.1', message: 'Too short' },
      { path: 'testTemplate', message: 'Required' },
      { path: 'testTemplate.id', message: 'Required id' },
      { path: 'testTemplate.params.x', message: 'Expected string' },
      { path: 'sendWindow.unknown', message: 'Unrecognized key' },
      { path: '', message: 'Set from or messagingServiceSid' },
      { path: 'nope', message: 'Unrecognized key: nope' },
    ]);
    expect(Object.fromEntries(placed)).toEqual({
      timeoutMs: ['Too small'],
      optOutCodes: ['Too short'],
      testTemplate: ['Required'],
      'testTemplate.id': ['Required id'],
      'testTemplate.params': ['Expected string'],
      sendWindow: ['Unrecognized key'],
      '': ['Set from or messagingServiceSid', 'Unrecognized key: nope'],
    });
  });
});

describe('nodeFieldsOf', () => {
  const schema = {
    type: 'object',
    properties: {
      wait: { type: 'string', widget: 'duration', label: { en: 'Wait for', zh: '等待' } },
      trigger: {
        oneOf: [
          { type: 'object', properties: { kind: { const: 'manual' } }, label: { en: 'By hand', zh: '手动' } },
          {
            type: 'object',
            properties: { kind: { const: 'schedule' }, cron: { type: 'string' } },
            required: ['kind', 'cron'],
          },
        ],
      },
      fields: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      set: {
        type: 'object',
        additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
      },
    },
    required: ['wait'],
  } as JsonSchema;

  it('reads widgets, labels, unions told apart by a constant, rows and maps of plain values', () => {
    const fields = byPath(nodeFieldsOf(schema));
    expect(fields.get('wait')).toMatchObject({ kind: 'widget', widget: 'duration', label: { zh: '等待' } });
    expect(fields.get('trigger')).toMatchObject({
      kind: 'union',
      discriminator: 'kind',
      options: [
        { value: 'manual', label: { en: 'By hand' }, fields: [] },
        { value: 'schedule', fields: [{ path: 'trigger.cron', kind: 'text', required: true }] },
      ],
    });
    expect(fields.get('fields')).toMatchObject({ kind: 'rows', fields: [{ path: 'name', kind: 'text' }] });
    expect(fields.get('set')).toMatchObject({ kind: 'map', valueKind: 'scalar' });
  });

  it('leaves connector forms as they were: no widgets, unions or rows there', () => {
    const fields = byPath(fieldsOf(schema));
    expect(fields.get('wait')).toMatchObject({ kind: 'text' });
    expect(fields.get('trigger')).toMatchObject({ kind: 'json' });
    expect(fields.get('fields')).toMatchObject({ kind: 'json' });
  });
});
