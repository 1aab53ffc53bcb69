import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compile } from '../flow/compile';
import type { FlowDocumentInput } from '../flow/schema';
import type { FieldMeta } from './define';
import { defaultNode, FlowNode, NODE_DEFINITIONS, NODE_TYPES, nodeDefinition } from './index';
import { semanticsOf } from './semantics';

/** The fields of an object schema a form shows (the node base is the inspector's own). */
const BASE = new Set(['id', 'type', 'label', 'position']);

function formFields(schema: z.ZodType): [string, z.ZodType][] {
  const shape = (schema as z.ZodObject).shape as Record<string, z.ZodType>;
  return Object.entries(shape).filter(([name]) => !BASE.has(name));
}

describe('the node registry', () => {
  it('has one definition per node type of the flow document, in the palette order', () => {
    expect(NODE_TYPES.join(' ')).toBe(
      'trigger send wait wait_until wait_for_event branch split update_contact http_request staff_task exit',
    );
    expect(FlowNode.options.map((o) => o.shape.type.value)).toEqual(NODE_TYPES);
    expect(new Set(NODE_DEFINITIONS.map((d) => d.idPrefix)).size).toBe(NODE_TYPES.length);
  });

  it.each(NODE_TYPES)(
    'gives %s run semantics, words in zh and en, and a form hint on every field',
    (type) => {
      const definition = nodeDefinition(type);
      expect(definition.type).toBe(type);
      expect(typeof semanticsOf({ type } as never).enter).toBe('function');
      for (const words of [definition.words.label, definition.words.hint]) {
        expect(words.en.trim()).not.toBe('');
        expect(words.zh.trim()).not.toBe('');
        expect(words.zh).not.toBe(words.en);
      }
      for (const [name, field] of formFields(definition.schema)) {
        const meta = field.meta() as FieldMeta | undefined;
        expect(meta?.label.en, `${type}.${name}`).toBeTruthy();
        expect(meta?.label.zh, `${type}.${name}`).toBeTruthy();
      }
    },
  );

  it.each(NODE_TYPES)('makes a new %s step that parses and whose exits the compiler accepts', (type) => {
    for (const locale of ['en', 'zh'] as const) {
      const node = defaultNode(type, 'step', { x: 0, y: 0 }, locale);
      expect(FlowNode.parse(node)).toEqual(node);
      const exits = [...nodeDefinition(type).exits(node)];
      const entry = type === 'trigger' ? [] : [{ id: 'in', source: 'start', target: 'step' }];
      const doc: FlowDocumentInput = {
        schemaVersion: 1,
        id: 'f',
        name: 'f',
        nodes: [
          ...(type === 'trigger'
            ? []
            : [{ id: 'start', type: 'trigger', trigger: { kind: 'manual' } } as const]),
          node,
          ...(exits.length > 0 ? [{ id: 'end', type: 'exit' } as const] : []),
        ],
        edges: [
          ...entry,
          ...exits.map((exit) => ({ id: `out-${exit}`, source: 'step', sourceHandle: exit, target: 'end' })),
        ],
      };
      const result = compile(doc);
      expect(result.ok ? [] : result.errors, `${type} (${locale})`).toEqual([]);
    }
  });

  it('carries the form hints into the JSON Schema', () => {
    const json = z.toJSONSchema(nodeDefinition('wait').schema, { io: 'input', unrepresentable: 'any' }) as {
      properties: Record<string, { label?: unknown; widget?: unknown }>;
    };
    expect(json.properties.duration).toMatchObject({
      label: { en: 'Wait for', zh: '等待' },
      widget: 'duration',
    });
  });
});
