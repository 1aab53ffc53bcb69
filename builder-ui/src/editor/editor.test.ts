import { compile, FlowDocument, nodeExits, simulate } from '@sopflow/core';
import { describe, expect, it } from 'vitest';
import {
  addNode,
  blankFlow,
  connect,
  copyNodes,
  DEFAULT_NODE_SIZE,
  defaultNode,
  INSERTABLE_TYPES,
  insertOnEdge,
  moveNodes,
  NODE_TYPES,
  newNodeId,
  nodeIdProblem,
  pasteNodes,
  pasteOffset,
  reconnect,
  removeElements,
  renameExit,
  replaceNode,
} from './document';
import { asSimple, fromSimple, joinDuration, parseValue, splitDuration } from './fields';
import { COALESCE_MS, historyReducer, initialHistory } from './history';
import { layoutFlow } from './layout';
import { formatClock, formatOffset, takenEdges, traceMarks, traceOf } from './trace';

const chain = (types: readonly (typeof NODE_TYPES)[number][]) => {
  let doc = blankFlow('chain', 'Chain');
  doc = removeElements(doc, [], ['e-start-end']);
  let previous = 'start';
  for (const type of types) {
    const id = newNodeId(
      doc.nodes.map((n) => n.id),
      type,
    );
    doc = addNode(doc, defaultNode(type, id, { x: 0, y: 0 }, 'zh'));
    for (const exit of nodeExits(doc.nodes.at(-1)!))
      doc = connect(doc, { source: id, sourceHandle: exit, target: 'end' });
    doc = connect(doc, {
      source: previous,
      sourceHandle: nodeExits(doc.nodes.find((n) => n.id === previous)!)[0],
      target: id,
    });
    previous = id;
  }
  return doc;
};

describe('new flows and new steps', () => {
  it('starts a blank flow that compiles and passes the schema', () => {
    const doc = blankFlow('my-flow', 'My flow');
    expect(FlowDocument.parse(doc)).toStrictEqual(doc);
    expect(compile(doc)).toMatchObject({ ok: true });
  });

  it.each(['en', 'zh'] as const)('drops a step of every type that compiles at once (%s)', (locale) => {
    for (const type of NODE_TYPES) {
      const node = defaultNode(type, `${type}-1`, { x: 10.4, y: 20.6 }, locale);
      expect(FlowDocument.shape.nodes.element.parse(node)).toStrictEqual(node);
      expect(node.position).toEqual({ x: 10, y: 21 });
    }
    const doc = chain(NODE_TYPES.filter((t) => t !== 'trigger' && t !== 'exit'));
    expect(compile(doc)).toMatchObject({ ok: true });
  });

  it('names new steps after their type with the lowest free number', () => {
    expect(newNodeId([], 'send')).toBe('send-1');
    expect(newNodeId(['send-1', 'send-3'], 'send')).toBe('send-2');
    expect(newNodeId([], 'http_request')).toBe('http_1');
    expect(newNodeId([], 'wait_for_event')).toBe('wait-event-1');
  });
});

describe('editing the graph', () => {
  const base = blankFlow('f', 'F');
  const withSend = addNode(base, defaultNode('send', 'send-1', { x: 0, y: 120 }, 'en'));

  it('moves an exit when it is connected again instead of doubling it', () => {
    const moved = connect(withSend, { source: 'start', sourceHandle: 'next', target: 'send-1' });
    expect(moved.edges.filter((e) => e.source === 'start')).toEqual([
      { id: 'e-start-send-1', source: 'start', sourceHandle: 'next', target: 'send-1' },
    ]);
    const done = connect(moved, { source: 'send-1', sourceHandle: null, target: 'end' });
    expect(compile(done)).toMatchObject({ ok: true });
    // Connecting what is already connected changes nothing (not even identity, so no undo step).
    expect(connect(done, { source: 'send-1', sourceHandle: 'next', target: 'end' })).toBe(done);
  });

  it('keeps the optional failed exit apart from next', () => {
    const doc = connect(
      connect(connect(withSend, { source: 'start', target: 'send-1' }), { source: 'send-1', target: 'end' }),
      { source: 'send-1', sourceHandle: 'failed', target: 'end' },
    );
    expect(doc.edges.filter((e) => e.source === 'send-1').map((e) => e.sourceHandle)).toEqual([
      'next',
      'failed',
    ]);
    expect(compile(doc)).toMatchObject({ ok: true });
  });

  it('reconnects an edge to another step', () => {
    const doc = reconnect(withSend, 'e-start-end', {
      source: 'start',
      sourceHandle: 'next',
      target: 'send-1',
    });
    expect(doc.edges.map((e) => [e.source, e.target])).toEqual([['start', 'send-1']]);
  });

  it('deletes steps with their edges, and edges alone', () => {
    const doc = connect(connect(withSend, { source: 'start', target: 'send-1' }), {
      source: 'send-1',
      target: 'end',
    });
    expect(removeElements(doc, [], ['e-send-1-end']).edges.map((e) => e.id)).toEqual(['e-start-send-1']);
    expect(removeElements(doc, [])).toBe(doc);
    const cut = removeElements(doc, [], ['e-send-1-end']);
    expect(removeElements(cut, ['send-1']).edges).toEqual([]);
  });

  it('bridges a deleted step in the middle of a path, through a run of deleted steps too', () => {
    const doc = chain(['wait', 'update_contact', 'wait']);
    const [first, second, third] = doc.nodes.slice(2).map((n) => n.id);
    const bridged = removeElements(doc, [second!]);
    expect(bridged.edges.map((e) => [e.source, e.sourceHandle, e.target])).toContainEqual([
      first,
      'next',
      third,
    ]);
    expect(compile(bridged)).toMatchObject({ ok: true });
    const both = removeElements(doc, [first!, second!]);
    expect(both.edges.map((e) => [e.source, e.target])).toContainEqual(['start', third]);
    expect(compile(both)).toMatchObject({ ok: true });
  });

  it('leaves the path cut where the deleted step had several exits connected', () => {
    const doc = chain(['wait', 'branch', 'wait']);
    const branch = doc.nodes.find((n) => n.type === 'branch')!.id;
    const before = doc.nodes.slice(2).find((n) => n.type === 'wait')!.id;
    const after = removeElements(doc, [branch]);
    expect(after.edges.filter((e) => e.source === before)).toEqual([]);
  });

  it('moves steps, rounding to whole pixels, and only when they moved', () => {
    const doc = moveNodes(base, new Map([['end', { x: 10.2, y: 300.7 }]]));
    expect(doc.nodes.find((n) => n.id === 'end')?.position).toEqual({ x: 10, y: 301 });
    expect(moveNodes(doc, new Map([['end', { x: 10, y: 301 }]]))).toBe(doc);
  });

  it('renames a step and its edges follow', () => {
    const node = base.nodes.find((n) => n.id === 'end')!;
    const doc = replaceNode(base, 'end', { ...node, id: 'finish', label: 'Finish' });
    expect(doc.edges).toEqual([
      { id: 'e-start-end', source: 'start', sourceHandle: 'next', target: 'finish' },
    ]);
    expect(nodeIdProblem(doc, 'start', 'finish')).toBe('taken');
    expect(nodeIdProblem(doc, 'start', 'bad id')).toBe('invalid');
    expect(nodeIdProblem(doc, 'start', 'start')).toBeUndefined();
  });

  it('drops the edge of a branch condition that was removed, and renames exits with their edge', () => {
    let doc = addNode(base, defaultNode('branch', 'branch-1', { x: 0, y: 0 }, 'en'));
    doc = connect(doc, { source: 'branch-1', sourceHandle: 'c1', target: 'end' });
    doc = connect(doc, { source: 'branch-1', sourceHandle: 'else', target: 'end' });
    const branch = doc.nodes.find((n) => n.id === 'branch-1')!;
    if (branch.type !== 'branch') throw new Error('not a branch');
    const two = replaceNode(doc, 'branch-1', {
      ...branch,
      branches: [...branch.branches, { id: 'c2', when: { field: 'contact.points', op: 'gt', value: 1 } }],
    });
    expect(two.edges).toEqual(doc.edges);
    const renamed = renameExit(two, 'branch-1', 'c1', 'gold');
    expect(renamed.edges.find((e) => e.source === 'branch-1' && e.sourceHandle === 'gold')).toBeDefined();
    const one = replaceNode(doc, 'branch-1', { ...branch, branches: [{ ...branch.branches[0]!, id: 'c9' }] });
    expect(one.edges.filter((e) => e.source === 'branch-1').map((e) => e.sourceHandle)).toEqual(['else']);
  });

  it('pastes copies where they cover no step, the originals included', () => {
    const doc = connect(connect(withSend, { source: 'start', target: 'send-1' }), {
      source: 'send-1',
      target: 'end',
    });
    const size = { width: 220, height: 120 };
    const sizes = new Map(doc.nodes.map((n) => [n.id, size]));
    const clip = copyNodes(doc, ['send-1', 'end']);
    const { doc: pasted, ids } = pasteNodes(doc, clip, pasteOffset(doc, clip, sizes));
    const box = (id: string, d: FlowDocument) => d.nodes.find((n) => n.id === id)!.position;
    const apart = (a: { x: number; y: number }, b: { x: number; y: number }) =>
      a.x + size.width <= b.x ||
      b.x + size.width <= a.x ||
      a.y + size.height <= b.y ||
      b.y + size.height <= a.y;
    for (const copy of ids)
      for (const other of doc.nodes) expect(apart(box(copy, pasted), other.position)).toBe(true);
    // The copies keep their arrangement among themselves.
    const [endCopy, sendCopy] = ids as [string, string];
    expect(box(endCopy, pasted).y - box(sendCopy, pasted).y).toBe(box('end', doc).y - box('send-1', doc).y);
  });

  it('copies and pastes steps under new ids with the edges among them', () => {
    const doc = connect(connect(withSend, { source: 'start', target: 'send-1' }), {
      source: 'send-1',
      target: 'end',
    });
    const clip = copyNodes(doc, ['send-1', 'end']);
    expect(clip.edges.map((e) => e.id)).toEqual(['e-send-1-end']);
    const { doc: pasted, ids } = pasteNodes(doc, clip, { x: 40, y: 40 });
    expect(ids).toEqual(['exit-1', 'send-2']);
    expect(pasted.nodes.find((n) => n.id === 'send-2')?.position).toEqual({ x: 40, y: 160 });
    expect(pasted.edges.at(-1)).toMatchObject({ source: 'send-2', target: 'exit-1', sourceHandle: 'next' });
    expect(FlowDocument.safeParse(pasted).success).toBe(true);
  });
});

describe('inserting a step on an edge', () => {
  const blank = blankFlow('f', 'F');
  const at = (doc: FlowDocument, id: string) => doc.nodes.find((n) => n.id === id)!.position;
  const overlaps = (doc: FlowDocument) =>
    doc.nodes.some((a, i) =>
      doc.nodes.some(
        (b, j) =>
          j > i &&
          a.position.x < b.position.x + DEFAULT_NODE_SIZE.width &&
          b.position.x < a.position.x + DEFAULT_NODE_SIZE.width &&
          a.position.y < b.position.y + DEFAULT_NODE_SIZE.height &&
          b.position.y < a.position.y + DEFAULT_NODE_SIZE.height,
      ),
    );

  it('splices a step between the two ends of an edge, and the flow still compiles', () => {
    expect(compile(blank)).toMatchObject({ ok: true });
    const inserted = insertOnEdge(blank, 'e-start-end', 'send', 'en')!;
    expect(inserted.id).toBe('send-1');
    expect(inserted.doc.edges).toEqual([
      { id: 'e-start-send-1', source: 'start', sourceHandle: 'next', target: 'send-1' },
      { id: 'e-send-1-end', source: 'send-1', sourceHandle: 'next', target: 'end' },
    ]);
    expect(compile(inserted.doc)).toMatchObject({ ok: true });
    expect(FlowDocument.safeParse(inserted.doc).success).toBe(true);
    // Between the two, covering neither: the end moved down to make room.
    expect(at(inserted.doc, 'send-1').x).toBe(at(blank, 'start').x);
    expect(at(inserted.doc, 'send-1').y).toBeGreaterThan(at(blank, 'start').y);
    expect(at(inserted.doc, 'end').y).toBeGreaterThan(at(inserted.doc, 'send-1').y);
    expect(overlaps(inserted.doc)).toBe(false);
    // The edit is one document like any other: undo gives the flow back as it was.
    const history = historyReducer(initialHistory(blank), { type: 'commit', value: inserted.doc, at: 0 });
    expect(historyReducer(history, { type: 'undo' }).present).toBe(blank);
  });

  it('keeps the ends where they are when there is room between them', () => {
    const spaced = moveNodes(blank, new Map([['end', { x: 0, y: 600 }]]));
    const { doc } = insertOnEdge(spaced, 'e-start-end', 'wait', 'zh')!;
    expect(at(doc, 'end')).toEqual({ x: 0, y: 600 });
    expect(at(doc, 'wait-1').y).toBeGreaterThan(DEFAULT_NODE_SIZE.height);
    expect(at(doc, 'wait-1').y + DEFAULT_NODE_SIZE.height).toBeLessThan(600);
  });

  it('compiles after inserting any single-exit step, and asks only for the new exits of a multi-exit one', () => {
    for (const type of INSERTABLE_TYPES) {
      const { doc, id } = insertOnEdge(blank, 'e-start-end', type, 'en')!;
      const node = doc.nodes.find((n) => n.id === id)!;
      const exits = nodeExits(node);
      // The default exit (`next`, or the first one) leads on to the old target.
      expect(doc.edges.filter((e) => e.source === id)).toEqual([
        expect.objectContaining({ sourceHandle: exits[0], target: 'end' }),
      ]);
      const result = compile(doc);
      if (exits.length === 1) expect(result).toMatchObject({ ok: true });
      else {
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.errors.map((e) => [e.code, e.nodeId])).toEqual(
          exits.slice(1).map(() => ['missing_exit', id]),
        );
      }
    }
  });

  it("splices into a branch's else and a wait_for_event's timeout by the same exit", () => {
    let doc = removeElements(blank, [], ['e-start-end']);
    doc = addNode(doc, defaultNode('branch', 'tier', { x: 0, y: 160 }, 'en'));
    doc = addNode(doc, defaultNode('wait_for_event', 'reply', { x: 300, y: 320 }, 'en'));
    doc = connect(doc, { source: 'start', target: 'tier' });
    doc = connect(doc, { source: 'tier', sourceHandle: 'c1', target: 'reply' });
    doc = connect(doc, { source: 'tier', sourceHandle: 'else', target: 'end' });
    doc = connect(doc, { source: 'reply', sourceHandle: 'event', target: 'end' });
    doc = connect(doc, { source: 'reply', sourceHandle: 'timeout', target: 'end' });
    expect(compile(doc)).toMatchObject({ ok: true });

    const elseEdge = doc.edges.find((e) => e.source === 'tier' && e.sourceHandle === 'else')!;
    const first = insertOnEdge(doc, elseEdge.id, 'update_contact', 'en')!;
    expect(first.doc.edges.filter((e) => e.source === 'tier').map((e) => [e.sourceHandle, e.target])).toEqual(
      [
        ['c1', 'reply'],
        ['else', 'update-1'],
      ],
    );
    expect(first.doc.edges.find((e) => e.source === 'update-1')).toMatchObject({
      sourceHandle: 'next',
      target: 'end',
    });
    expect(compile(first.doc)).toMatchObject({ ok: true });

    const timeoutEdge = first.doc.edges.find((e) => e.source === 'reply' && e.sourceHandle === 'timeout')!;
    const second = insertOnEdge(first.doc, timeoutEdge.id, 'send', 'en')!;
    expect(
      second.doc.edges.filter((e) => e.source === 'reply').map((e) => [e.sourceHandle, e.target]),
    ).toEqual([
      ['event', 'end'],
      ['timeout', 'send-1'],
    ]);
    expect(second.doc.edges.find((e) => e.source === 'send-1')).toMatchObject({
      sourceHandle: 'next',
      target: 'end',
    });
    expect(new Set(second.doc.edges.map((e) => e.id)).size).toBe(second.doc.edges.length);
    expect(compile(second.doc)).toMatchObject({ ok: true });
    expect(overlaps(second.doc)).toBe(false);
  });

  it('puts a step on an edge that loops back up beside the path, on a free spot', () => {
    let doc = addNode(blank, defaultNode('wait', 'pause', { x: 0, y: 400 }, 'en'));
    doc = connect(doc, { source: 'start', target: 'pause' });
    doc = connect(doc, { source: 'pause', target: 'start' });
    const back = doc.edges.find((e) => e.source === 'pause')!;
    const { doc: looped } = insertOnEdge(doc, back.id, 'send', 'en')!;
    expect(looped.edges.filter((e) => e.target === 'start').map((e) => e.source)).toEqual(['send-1']);
    expect(overlaps(looped)).toBe(false);
    expect(at(looped, 'pause')).toEqual({ x: 0, y: 400 });
  });

  it('refuses an edge that is gone and types that cannot stand mid-path', () => {
    expect(insertOnEdge(blank, 'nope', 'send', 'en')).toBeUndefined();
    expect(insertOnEdge(blank, 'e-start-end', 'trigger', 'en')).toBeUndefined();
    expect(insertOnEdge(blank, 'e-start-end', 'exit', 'en')).toBeUndefined();
    expect(INSERTABLE_TYPES).not.toContain('trigger');
  });
});

describe('undo history', () => {
  const commit = <T>(value: T, key?: string, at = 0) => ({ type: 'commit' as const, value, key, at });

  it('undoes and redoes whole documents', () => {
    let h = initialHistory(0);
    h = historyReducer(h, commit(1));
    h = historyReducer(h, commit(2));
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toBe(1);
    h = historyReducer(h, { type: 'undo' });
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toBe(0);
    h = historyReducer(h, { type: 'redo' });
    expect(h.present).toBe(1);
    h = historyReducer(h, commit(5));
    expect(h.future).toEqual([]);
    expect(historyReducer(h, { type: 'redo' })).toBe(h);
  });

  it('folds a burst of changes to one field into one step', () => {
    let h = initialHistory('');
    h = historyReducer(h, commit('H', 'text', 0));
    h = historyReducer(h, commit('Hi', 'text', 300));
    h = historyReducer(h, commit('Hi!', 'text', 600));
    expect(h.past).toEqual(['']);
    h = historyReducer(h, commit('Hi!?', 'text', 600 + COALESCE_MS + 1));
    h = historyReducer(h, commit('Hi!?x', 'label', 600 + COALESCE_MS + 2));
    expect(h.past).toEqual(['', 'Hi!', 'Hi!?']);
  });

  it('ignores a change that changes nothing', () => {
    const h = initialHistory(1);
    expect(historyReducer(h, commit(1))).toBe(h);
  });
});

describe('auto-layout', () => {
  it('puts each step below the steps that lead to it, the arms of a branch side by side', () => {
    let doc = blankFlow('f', 'F');
    doc = addNode(doc, defaultNode('branch', 'b', { x: 500, y: 500 }, 'en'));
    doc = addNode(doc, defaultNode('send', 's1', { x: 0, y: 0 }, 'en'));
    doc = addNode(doc, defaultNode('send', 's2', { x: 0, y: 0 }, 'en'));
    doc = connect(doc, { source: 'start', target: 'b' });
    doc = connect(doc, { source: 'b', sourceHandle: 'c1', target: 's1' });
    doc = connect(doc, { source: 'b', sourceHandle: 'else', target: 's2' });
    doc = connect(doc, { source: 's1', target: 'end' });
    doc = connect(doc, { source: 's2', target: 'end' });
    const laid = layoutFlow(doc);
    const at = (id: string) => laid.nodes.find((n) => n.id === id)!.position;
    expect(at('start').y).toBeLessThan(at('b').y);
    expect(at('b').y).toBeLessThan(at('s1').y);
    expect(at('s1').y).toBe(at('s2').y);
    expect(at('s1').x).toBeLessThan(at('s2').x);
    expect(at('s1').y).toBeLessThan(at('end').y);
    expect(laid.edges).toBe(doc.edges);
  });
});

describe('side panel inputs', () => {
  it('reads and writes durations as an amount and a unit', () => {
    expect(splitDuration('PT10M')).toEqual({ amount: 10, unit: 'M' });
    expect(splitDuration('P2D')).toEqual({ amount: 2, unit: 'D' });
    expect(splitDuration('P1DT2H')).toBeUndefined();
    expect(joinDuration(10, 'M')).toBe('PT10M');
    expect(joinDuration(1, 'W')).toBe('P1W');
  });

  it('types condition values by the operator and the kind chosen', () => {
    expect(parseValue('100', 'text', 'gte')).toBe(100);
    expect(parseValue('vip, svip，gold', 'text', 'in')).toEqual(['vip', 'svip', 'gold']);
    expect(parseValue('1,2', 'number', 'not_in')).toEqual([1, 2]);
    expect(parseValue('false', 'boolean', 'eq')).toBe(false);
    expect(parseValue('anything', 'text', 'exists')).toBeUndefined();
  });

  it('edits flat all/any conditions as rows, and leaves nested ones to JSON', () => {
    const one = { field: 'contact.points', op: 'gt' as const, value: 1 };
    expect(asSimple(one)).toEqual({ join: 'all', items: [one] });
    expect(asSimple({ any: [one, one] })).toEqual({ join: 'any', items: [one, one] });
    expect(asSimple({ not: one })).toBeUndefined();
    expect(fromSimple('all', [one])).toBe(one);
    expect(fromSimple('any', [one, one])).toEqual({ any: [one, one] });
  });
});

describe('preview trace', () => {
  const doc = connect(
    connect(
      addNode(
        removeElements(blankFlow('f', 'F'), [], ['e-start-end']),
        defaultNode('send', 'hi', { x: 0, y: 0 }, 'en'),
      ),
      {
        source: 'start',
        target: 'hi',
      },
    ),
    { source: 'hi', target: 'end' },
  );

  it('turns a dry-run into the path with times and messages, and lights its edges', () => {
    const result = compile(doc);
    if (!result.ok) throw new Error('does not compile');
    const startAt = Date.parse('2026-03-02T10:00:00+08:00');
    const run = simulate(result.plan, {
      contact: { id: 'c1', name: 'Vera', addresses: { wecomUserId: 'wx' } },
      startAt,
    });
    const trace = traceOf(run.timeline, run.startAt, run.outcome);
    expect(trace.steps.map((s) => s.nodeId)).toEqual(['start', 'hi', 'end']);
    expect(trace.steps[1]?.messages[0]?.text).toBe('Hi Vera, welcome!');
    expect(trace.outcome).toEqual({ kind: 'exited', nodeId: 'end' });
    expect([...takenEdges(doc, trace.steps, 2)]).toEqual(['e-start-hi']);
    expect([...takenEdges(doc, trace.steps, 3)]).toEqual(['e-start-hi', 'e-hi-end']);
    const marks = traceMarks(trace, 2, 'Asia/Shanghai');
    expect(marks.get('hi')).toEqual({
      visits: [2],
      at: '+0d 00:00 · 03-02 10:00',
      messages: ['Hi Vera, welcome!'],
      current: true,
    });
    expect(marks.get('start')?.current).toBe(false);
    expect(marks.has('end')).toBe(false);
  });

  it('shows a scripted contact change at the step the contact stood at', () => {
    const trace = traceOf(
      [
        { at: 0, kind: 'enter', nodeId: 'start', nodeType: 'trigger' },
        { at: 0, kind: 'enter', nodeId: 'pause', nodeType: 'wait' },
        { at: 60_000, kind: 'contact-changed', fields: ['attributes', 'addresses'] },
        { at: 120_000, kind: 'enter', nodeId: 'end', nodeType: 'exit' },
      ],
      0,
      null,
    );
    expect(trace.steps.map((s) => s.contactChanges)).toEqual([
      [],
      [{ fields: ['attributes', 'addresses'], at: 60_000 }],
      [],
    ]);
  });

  it('shows a send not made, and a send held with until when instead of a wait', () => {
    const startAt = Date.parse('2026-03-02T10:00:00+08:00');
    const noAddress = compile(doc);
    if (!noAddress.ok) throw new Error('does not compile');
    const skipped = simulate(noAddress.plan, { contact: { id: 'c1', addresses: {} }, startAt });
    const hi = traceOf(skipped.timeline, startAt, skipped.outcome).steps[1]!;
    expect(hi.messages).toEqual([]);
    expect(hi.suppressed).toEqual([{ channel: 'wechat', reason: 'no-address' }]);

    const quiet = compile({
      ...doc,
      settings: { ...doc.settings, quietHours: { start: '09:00', end: '12:00' } },
    });
    if (!quiet.ok) throw new Error('does not compile');
    const held = simulate(quiet.plan, { contact: { id: 'c1', addresses: { wecomUserId: 'wx' } }, startAt });
    const heldHi = traceOf(held.timeline, startAt, held.outcome).steps[1]!;
    expect(heldHi.suppressed).toEqual([
      { channel: 'wechat', reason: 'quiet-hours', until: Date.parse('2026-03-02T12:00:00+08:00') },
    ]);
    expect(heldHi.waitUntil).toBeUndefined();
    expect(heldHi.messages.map((m) => m.status)).toEqual(['sent']);
  });

  it('formats virtual times', () => {
    expect(formatOffset(((26 * 60 + 5) * 60 + 30) * 1000)).toBe('+1d 02:05');
    expect(formatClock(Date.parse('2026-03-02T02:00:00Z'), 'Asia/Shanghai')).toBe('03-02 10:00');
  });
});
