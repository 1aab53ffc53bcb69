import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from './compile';
import { evaluateCondition, readPath } from './conditions';
import { renderTemplate, templateVariables } from './template';

/**
 * Message templates are written by operators and filled in with contact and event data from
 * outside: neither may run code, read a file, reach a prototype, spin a worker, or (in HTML
 * email) bring in markup. Conditions read data by path, and a path never leaves the data.
 */

// biome-ignore lint/suspicious/noExplicitAny: the data is untyped JSON on purpose.
type Json = any;

const THIS_FILE = fileURLToPath(import.meta.url);
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

function data(): Json {
  return {
    contact: {
      id: 'c1',
      name: 'Vera',
      attributes: { city: '北京', secret: { nested: 1 } },
      tags: ['vip'],
      points: 3,
    },
    event: { group: '读书会', path: THIS_FILE },
    lastEvent: null,
    http: {},
    flow: { id: 'f', name: 'Flow', version: 1 },
  };
}

/** What a template renders to, or the error it throws (as text). */
function outcome(text: string, context: Json = data(), escapeHtml = false): string {
  try {
    return renderTemplate(text, context, { escapeHtml });
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return `ERROR: ${(error as Error).message}`;
  }
}

/** A flow whose one send has this text; the compile result. */
function compileText(text: string) {
  return compile({
    schemaVersion: 1,
    id: 'tpl',
    name: 'Templates',
    nodes: [
      { id: 't', type: 'trigger', trigger: { kind: 'manual' } },
      { id: 's', type: 'send', channel: 'email', message: { text, format: 'html' } },
      { id: 'e', type: 'exit' },
    ],
    edges: [
      { id: '1', source: 't', target: 's' },
      { id: '2', source: 's', target: 'e' },
    ],
  });
}

describe('templates read no files', () => {
  const fileContents = [
    readFileSync(THIS_FILE, 'utf8').slice(0, 200),
    readFileSync(PACKAGE_JSON, 'utf8').slice(0, 60),
  ];
  const attempts = [
    `{% include '${THIS_FILE}' %}`,
    `{% include "${PACKAGE_JSON}" %}`,
    "{% include '../../package.json' %}",
    "{% include '/etc/passwd' %}",
    "{% include 'file:///etc/passwd' %}",
    "{%- include 'partial' with contact -%}",
    '{% include event.path %}',
    `{% render '${THIS_FILE}' %}`,
    "{% render 'partial', name: contact.name %}",
    "{% render '../../package.json' for contact.tags as tag %}",
    `{% layout '${THIS_FILE}' %}hello`,
    "{% layout 'base' %}{% block body %}x{% endblock %}",
    `{% liquid\n  include '${THIS_FILE}'\n%}`,
    "{% liquid render 'x' %}",
    `{% if true %}{% include '${PACKAGE_JSON}' %}{% endif %}`,
  ];

  it.each(attempts)('%s is refused when parsed, and never renders a file', (text) => {
    const parsed = templateVariables(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.message).toMatch(/not available: a message template cannot use other files/);
    for (const html of [false, true]) {
      const rendered = outcome(text, data(), html);
      expect(rendered).toMatch(/^ERROR: .*cannot use other files/);
      for (const content of fileContents) expect(rendered).not.toContain(content);
    }
    // The compiler refuses it, naming the step and the field.
    const result = compileText(text);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toContainEqual(
        expect.objectContaining({ code: 'invalid_template', nodeId: 's', path: 'nodes[1].message.text' }),
      );
  });
});

describe('templates reach only own data', () => {
  const probes = [
    '{{ contact.constructor }}',
    '{{ contact.__proto__ }}',
    "{{ contact['__proto__'] }}",
    "{{ contact['constructor']['name'] }}",
    '{{ contact.constructor.name }}',
    '{{ contact.constructor.constructor }}',
    '{{ contact.constructor.constructor.name }}',
    '{{ contact.toString }}',
    '{{ contact.hasOwnProperty }}',
    '{{ contact.valueOf }}',
    '{{ contact.__defineGetter__ }}',
    '{{ contact.tags.constructor }}',
    '{{ contact.tags.constructor.prototype }}',
    '{{ contact.tags.push }}',
    '{{ contact.name.constructor }}',
    '{{ contact.attributes.__proto__.polluted }}',
    '{{ event.constructor.keys }}',
    '{{ flow.name.__proto__ }}',
    "{{ contact.tags | map: 'constructor' }}",
    "{{ contact.tags | map: '__proto__' | first }}",
    "{{ contact | map: 'constructor' }}",
    "{{ contact.tags | where: 'constructor' }}",
    '{% assign c = contact.constructor %}{{ c.name }}{{ c.constructor }}',
    '{% for k in contact.constructor %}{{ k }}{% endfor %}',
    '{% if contact.constructor %}reached{% endif %}',
    '{% if contact.__proto__ %}reached{% endif %}',
    '{% case contact.constructor.name %}{% when "Object" %}reached{% endcase %}',
    '{{ process }}{{ global }}{{ globalThis }}{{ require }}{{ this }}',
  ];

  it.each(probes)('%s renders nothing from a prototype', (text) => {
    for (const html of [false, true]) {
      const rendered = outcome(text, data(), html);
      expect(rendered).not.toMatch(/function|native code|Object|reached|\[object/);
    }
  });

  it('refuses filters that do not exist, whatever they are called', () => {
    for (const filter of [
      'constructor',
      '__proto__',
      'toString',
      'eval',
      'require',
      'process',
      'hasOwnProperty',
    ]) {
      const text = `{{ "" | ${filter} }}`;
      expect(templateVariables(text).ok).toBe(false);
      expect(outcome(text)).toMatch(/^ERROR: undefined filter/);
    }
  });

  it('has no way to call a function', () => {
    for (const text of [
      '{{ contact.constructor.constructor("return process")() }}',
      '{{ contact.name.constructor("x") }}',
      "{{ (contact.constructor)('x') }}",
    ]) {
      expect(outcome(text)).not.toMatch(/process|\[object|function/);
    }
  });

  it('reads own properties, even ones named like prototype members', () => {
    const context = data();
    context.contact.attributes = JSON.parse('{"constructor":"own","__proto__":"also own","toString":"mine"}');
    expect(
      outcome(
        '{{ contact.attributes.constructor }}|{{ contact.attributes.__proto__ }}|{{ contact.attributes.toString }}',
        context,
      ),
    ).toBe('own|also own|mine');
  });

  it('pollutes no prototype, whatever a template assigns', () => {
    for (const text of [
      '{% assign __proto__ = "x" %}{{ __proto__ }}',
      '{% capture __proto__ %}polluted{% endcapture %}',
      '{% assign constructor = "x" %}',
      '{% increment __proto__ %}{% decrement polluted %}',
      '{% cycle "__proto__": "a", "b" %}',
      '{% for __proto__ in contact.tags %}{% endfor %}',
      '{% tablerow __proto__ in contact.tags %}{% endtablerow %}',
    ]) {
      outcome(text);
      outcome(text, data(), true);
    }
    expect(({} as Json).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe("a template's own names", () => {
  it('are not data: loop variables and assigns need no declaring', () => {
    const text =
      '{% for t in contact.tags %}{{ t }}{{ forloop.index }}{% endfor %}{% assign n = contact.name %}{{ n }}';
    expect(templateVariables(text)).toEqual({ ok: true, variables: ['contact.tags', 'contact.name'] });
    expect(compileText(text).ok).toBe(true);
    expect(outcome(text)).toBe('vip1Vera');
  });
});

describe('templates cannot make a worker spin', () => {
  const heavy = [
    ['a loop of a hundred million', '{% for i in (1..100000000) %}{{ i }}{% endfor %}'],
    ['a range as big as memory allows', '{% assign a = (1..100000000) %}{{ a | size }}'],
    ['loops inside loops', '{% for i in (1..10000) %}{% for j in (1..10000) %}.{% endfor %}{% endfor %}'],
    [
      'loops with nothing inside',
      '{% for i in (1..3000) %}{% for j in (1..3000) %}{% for k in (1..3000) %}{% endfor %}{% endfor %}{% endfor %}',
    ],
    [
      'a string doubling',
      '{% assign s = "0123456789" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
    ],
    [
      'a string repeated by a filter',
      '{% assign s = "x" | split: "" %}{% for i in (1..30) %}{% assign s = s | concat: s %}{% endfor %}{{ s | size }}',
    ],
    ['a huge number', '{{ 10 | times: 1e308 | times: 1e308 }}'],
    ['tablerows', '{% tablerow i in (1..100000000) cols: 3 %}{{ i }}{% endtablerow %}'],
  ] as const;

  it.each(heavy)('%s stops at a render limit, in bounded time', (_what, text) => {
    expect(templateVariables(text).ok).toBe(true);
    for (const html of [false, true]) {
      // renderLimit is one second of render time; without it this would hang past the test's timeout.
      const rendered = outcome(text, data(), html);
      expect(rendered.length).toBeLessThan(10_000_000);
    }
  });

  it('refuses templates nested too deep to parse, as templates that do not parse', () => {
    // The schema allows 20,000 characters: as deep as that gets, with ifs, fors, captures.
    for (const [open, close] of [
      ['{%if 1%}', '{%endif%}'],
      ['{%for i in (1..1)%}', '{%endfor%}'],
      ['{%capture c%}', '{%endcapture%}'],
      ['{%unless 0%}', '{%endunless%}'],
    ] as const) {
      const depth = Math.floor(19_999 / (open.length + close.length));
      const text = `${open.repeat(depth)}x${close.repeat(depth)}`;
      expect(text.length).toBeLessThanOrEqual(20_000);
      const parsed = templateVariables(text);
      if (parsed.ok) expect(outcome(text)).toMatch(/^(x|ERROR: .*)?$/);
      const result = compileText(text);
      if (!result.ok) expect(result.errors.map((e) => e.code)).toEqual(['invalid_template']);
    }
    // Past the parse limit: refused before any work.
    expect(templateVariables('{{ x }}'.repeat(20_000)).ok).toBe(false);
  });

  it('renders data nested deep without taking the process down', () => {
    let deep: Json = {};
    const root = deep;
    for (let i = 0; i < 20_000; i++) {
      deep.a = {};
      deep = deep.a;
    }
    const context = data();
    context.contact.attributes.deep = root;
    for (const text of [
      '{{ contact.attributes.deep | json }}',
      '{{ contact | json }}',
      '{{ contact.attributes.deep }}',
      `{{ contact.attributes.deep${'.a'.repeat(2_000)} }}`,
    ]) {
      const rendered = outcome(text, context);
      expect(typeof rendered).toBe('string');
    }
    // Variable paths of any length are read without recursion trouble.
    expect(templateVariables(`{{ contact${'.a'.repeat(5_000)} }}`).ok).toBe(true);
  });
});

describe('HTML bodies escape every value', () => {
  const hostile = `<script>alert("x")</script> & 'q' <img src=x onerror=alert(1)>`;
  const escaped =
    '&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39; &lt;img src=x onerror=alert(1)&gt;';
  const context = (): Json => {
    const d = data();
    d.contact.name = hostile;
    d.contact.tags = [hostile];
    d.event.url = '" onmouseover="alert(1)';
    return d;
  };

  it('escapes <, >, &, and both quotes in values', () => {
    expect(renderTemplate('<p>{{ contact.name }}</p>', context(), { escapeHtml: true })).toBe(
      `<p>${escaped}</p>`,
    );
    expect(renderTemplate('<a href="{{ event.url }}">x</a>', context(), { escapeHtml: true })).toBe(
      '<a href="&#34; onmouseover=&#34;alert(1)">x</a>',
    );
    // Text bodies are left as they are: escaping is for HTML only.
    expect(renderTemplate('{{ contact.name }}', context())).toBe(hostile);
  });

  it.each([
    '{{ contact.name | upcase | downcase }}',
    '{{ contact.name | raw }}',
    '{{ contact.name | upcase | raw }}',
    '{% echo contact.name | raw %}',
    '{% echo contact.name %}',
    '{% liquid echo contact.name %}',
    '{{ contact.tags | first }}',
    '{{ contact.tags | join: "" }}',
    '{% for t in contact.tags %}{{ t }}{% endfor %}',
    '{% assign x = contact.name | raw %}{{ x }}',
    '{% capture x %}{{ contact.name | raw }}{% endcapture %}{{ x | raw }}',
    '{% cycle contact.name %}',
    '{{ contact.name | append: "<b>" }}',
    '{{ contact.name | default: "" }}',
    '{{ contact.name | strip_html }}{{ contact.name | escape_once }}{{ contact.name | url_encode }}',
  ])('%s brings in no markup from the data', (text) => {
    const rendered = renderTemplate(text, context(), { escapeHtml: true });
    expect(rendered).not.toMatch(/<script|<img|onerror=alert\(1\)>|<b>|"/);
  });

  it('keeps the markup the operator wrote', () => {
    expect(
      renderTemplate('<h1>{{ flow.name }}</h1><p class="x">{{ contact.attributes.city }}</p>', data(), {
        escapeHtml: true,
      }),
    ).toBe('<h1>Flow</h1><p class="x">北京</p>');
  });
});

describe('conditions read only own data', () => {
  const subject = (): Json => ({
    contact: { id: 'c1', name: 'Vera', tags: ['vip'], attributes: { city: '北京' } },
    payload: JSON.parse('{"__proto__":{"polluted":true},"amount":5}'),
  });

  it.each([
    'contact.constructor',
    'contact.__proto__',
    'contact.__proto__.constructor',
    'contact.toString',
    'contact.hasOwnProperty',
    'contact.constructor.prototype',
    'contact.constructor.name',
    'contact.attributes.constructor',
    'contact.tags.constructor',
    'contact.tags.push',
    'contact.name.length',
    'contact.name.constructor',
    'constructor',
    '__proto__',
    'toString',
    'payload.__proto__.constructor',
    'payload.amount.constructor',
  ])('readPath(%s) is undefined', (path) => {
    expect(readPath(subject(), path)).toBeUndefined();
    for (const op of ['exists', 'eq', 'contains', 'starts_with', 'in'] as const) {
      const value = op === 'in' ? ['Object', 'function'] : op === 'exists' ? undefined : 'Object';
      expect(evaluateCondition({ field: path, op, value }, subject())).toBe(false);
    }
    expect(evaluateCondition({ field: path, op: 'not_exists' }, subject())).toBe(true);
  });

  it('reads own keys, even `__proto__` from JSON, as plain data', () => {
    expect(readPath(subject(), 'payload.__proto__.polluted')).toBe(true);
    expect(readPath(subject(), 'payload.amount')).toBe(5);
    expect(readPath(subject(), 'contact.tags.0')).toBe('vip');
    expect(readPath(Object.create(null), 'a.b')).toBeUndefined();
    expect(({} as Json).polluted).toBeUndefined();
  });

  it('never returns what an own-property walk would not find', () => {
    /** The reference: a walk over own properties. */
    const walk = (value: unknown, path: string) =>
      path
        .split('.')
        .reduce<unknown>(
          (v, key) =>
            v !== null && typeof v === 'object' && Object.hasOwn(v, key) ? (v as Json)[key] : undefined,
          value,
        );
    const key = fc.oneof(
      fc.constantFrom(
        'contact',
        'payload',
        'a',
        '0',
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'length',
        'name',
      ),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v ?? null))),
        fc.array(key, { minLength: 1, maxLength: 5 }),
        (value, keys) => {
          const path = keys.join('.');
          const found = readPath(value, path);
          expect(found).toBe(walk(value, path));
          expect(typeof found).not.toBe('function');
        },
      ),
      { seed: 20_260_302, numRuns: 500 },
    );
  });
});
