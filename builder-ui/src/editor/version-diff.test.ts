import { FlowDocument, findTemplate } from '@sopflow/core';
import { describe, expect, it } from 'vitest';
import { addNode, blankFlow, connect, defaultNode, removeElements, replaceNode } from './document';
import { diffMarks, diffVersions, isUnchanged } from './version-diff';

const base = () => {
  let doc = blankFlow('diffed', 'Diffed');
  doc = removeElements(doc, [], ['e-start-end']);
  doc = addNode(doc, defaultNode('wait', 'wait-1', { x: 0, y: 100 }, 'en'));
  doc = connect(doc, { source: 'start', sourceHandle: 'next', target: 'wait-1' });
  doc = connect(doc, { source: 'wait-1', sourceHandle: 'next', target: 'end' });
  return doc;
};

/** The same value with every object's keys in reverse order, as Postgres's jsonb may hand it back. */
const reversedKeys = <T>(value: T): T =>
  Array.isArray(value)
    ? (value.map(reversedKeys) as T)
    : value && typeof value === 'object'
      ? (Object.fromEntries(
          Object.entries(value)
            .reverse()
            .map(([k, v]) => [k, reversedKeys(v)]),
        ) as T)
      : value;

describe('diffVersions', () => {
  it('finds nothing between a version and itself, nor in JSON key order', () => {
    const doc = base();
    expect(isUnchanged(diffVersions(doc, doc))).toBe(true);
    expect(isUnchanged(diffVersions(doc, reversedKeys(doc)))).toBe(true);
    const template = FlowDocument.parse(findTemplate('welcome')!.build('zh'));
    expect(isUnchanged(diffVersions(template, structuredClone(template)))).toBe(true);
  });

  it('lists added, removed and changed steps and edges', () => {
    const before = base();
    let after = removeElements(before, [], ['e-wait-1-end']);
    after = addNode(after, defaultNode('send', 'send-1', { x: 0, y: 200 }, 'en'));
    after = connect(after, { source: 'wait-1', sourceHandle: 'next', target: 'send-1' });
    after = connect(after, { source: 'send-1', sourceHandle: 'next', target: 'end' });
    const wait = after.nodes.find((n) => n.id === 'wait-1')!;
    if (wait.type !== 'wait') throw new Error('not a wait');
    after = replaceNode(after, 'wait-1', { ...wait, duration: 'PT3H', label: 'Three hours' });

    const diff = diffVersions(before, after);
    expect(diff.nodes.added).toEqual(['send-1']);
    expect(diff.nodes.removed).toEqual([]);
    expect(diff.nodes.changed).toEqual([{ id: 'wait-1', fields: ['duration', 'label'] }]);
    expect(diff.edges.added.sort()).toEqual(['e-send-1-end', 'e-wait-1-send-1']);
    expect(diff.edges.removed).toEqual(['e-wait-1-end']);
    expect(isUnchanged(diff)).toBe(false);

    const back = diffVersions(after, before);
    expect(back.nodes.removed).toEqual(['send-1']);
    expect(back.edges.added).toEqual(['e-wait-1-end']);
    const marks = diffMarks(diff);
    expect(marks.nodes.get('send-1')).toBe('added');
    expect(marks.nodes.get('wait-1')).toBe('changed');
    expect(marks.nodes.has('start')).toBe(false);
    expect(marks.edges.get('e-wait-1-end')).toBe('removed');
  });

  it('reports a moved step apart from a changed one, and flow-level changes by field', () => {
    const before = base();
    const after = {
      ...before,
      name: 'Renamed',
      nodes: before.nodes.map((n) => (n.id === 'wait-1' ? { ...n, position: { x: 300, y: 100 } } : n)),
      edges: before.edges.map((e) => (e.id === 'e-wait-1-end' ? { ...e, sourceHandle: 'other' } : e)),
    };
    const diff = diffVersions(before, after);
    expect(diff.nodes.changed).toEqual([]);
    expect(diff.nodes.moved).toEqual(['wait-1']);
    expect(diff.edges.changed).toEqual(['e-wait-1-end']);
    expect(diff.flow).toEqual(['name']);
  });
});
