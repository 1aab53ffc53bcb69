import {
  compile,
  FlowDocument,
  type FlowDocumentInput,
  simulate,
  TEMPLATES,
  templateFlow,
} from '@sopflow/core';
import { type BenchContext, type BenchResult, type Row, ratioRow, round } from './support/report';
import { median } from './support/stack';

/**
 * 6. Engine core, in process: compiling a generated N-node flow (baseline: validating it against
 * the schema alone, which compile does first), and the dry-run of each of the five templates
 * (baseline: one JSON round trip of the template's plan, what Temporal's payload converter does
 * to the plan at every start). Medians of `--core-runs` runs after warm-up.
 */
export async function engineCore({ args, log }: BenchContext): Promise<BenchResult> {
  const runs = args.coreRuns;
  const time = (fn: () => unknown) => {
    for (let i = 0; i < 3; i++) fn();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      fn();
      samples.push(performance.now() - t);
    }
    return median(samples);
  };

  const document = generatedFlow(args.compileNodes);
  const check = compile(document);
  if (!check.ok)
    throw new Error(`the generated flow does not compile: ${JSON.stringify(check.errors.slice(0, 3))}`);
  log(`  compile: ${args.compileNodes} nodes, ${document.edges.length} edges`);
  const compileMs = time(() => compile(document));
  const parseMs = time(() => FlowDocument.safeParse(document));
  const rows: Row[] = [
    ratioRow(
      `compile ${args.compileNodes.toLocaleString('en-US')}-node flow`,
      compileMs,
      'ms',
      'schema check only',
      parseMs,
    ),
  ];

  const dryRuns: Record<string, { ms: number; jsonMs: number; steps: number; outcome: unknown }> = {};
  for (const template of TEMPLATES) {
    const result = compile(templateFlow(template.id, 'zh'));
    if (!result.ok) throw new Error(`template ${template.id} does not compile`);
    const { plan } = result;
    const options = {
      contact: {
        id: 'm1',
        name: '小林',
        addresses: { wecomUserId: 'wx-m1', phone: '13800000000', email: 'lin@example.com' },
      },
      event: { group: '读书会' },
      startAt: Date.parse('2026-03-02T10:00:00+08:00'),
    };
    const sample = simulate(plan, options);
    const ms = time(() => simulate(plan, options));
    const jsonMs = time(() => JSON.parse(JSON.stringify(plan)));
    dryRuns[template.id] = {
      ms: round(ms, 3),
      jsonMs: round(jsonMs, 4),
      steps: sample.timeline.length,
      outcome: sample.outcome,
    };
    rows.push(ratioRow(`dry-run ${template.id}`, ms, 'ms', 'plan JSON round trip', jsonMs));
  }
  return {
    name: 'engine-core',
    title: 'Engine core (in process)',
    rows,
    details: {
      runs,
      compile: {
        nodes: args.compileNodes,
        edges: document.edges.length,
        ms: round(compileMs, 3),
        schemaMs: round(parseMs, 3),
        warnings: check.warnings.length,
      },
      dryRuns,
    },
    notes: [
      `Medians of ${runs} runs after 3 warm-up runs; dry-runs of the zh templates for a contact reachable on every channel, with no scripted events.`,
    ],
  };
}

/**
 * A flow of `count` nodes: a trigger, then a chain that cycles through send, wait,
 * update_contact, branch (both exits to the next step), split (both arms to the next step),
 * wait_for_event (both exits onwards), http_request, then an exit.
 */
export function generatedFlow(count: number): FlowDocumentInput {
  const nodes: FlowDocumentInput['nodes'] = [];
  const edges: FlowDocumentInput['edges'] = [];
  const kinds = [
    'send',
    'wait',
    'update_contact',
    'branch',
    'split',
    'wait_for_event',
    'http_request',
  ] as const;
  const id = (i: number) => (i === 0 ? 'in' : i === count - 1 ? 'out' : `n${i}`);
  const position = (i: number) => ({ x: (i % 10) * 240, y: Math.floor(i / 10) * 140 });
  nodes.push({ id: 'in', type: 'trigger', trigger: { kind: 'manual' }, position: position(0) });
  for (let i = 1; i < count - 1; i++) {
    const kind = kinds[(i - 1) % kinds.length]!;
    const base = { id: id(i), label: `Step ${i}`, position: position(i) };
    const exits: string[] = ['next'];
    switch (kind) {
      case 'send':
        nodes.push({
          ...base,
          type: 'send',
          channel: 'wechat',
          message: { text: `第 ${i} 步：{{ contact.name | default: "朋友" }}` },
        });
        break;
      case 'wait':
        nodes.push({ ...base, type: 'wait', duration: 'PT1H' });
        break;
      case 'update_contact':
        nodes.push({
          ...base,
          type: 'update_contact',
          update: { addTags: [`step-${i}`], points: { add: 1, reason: 'step' } },
        });
        break;
      case 'branch':
        nodes.push({
          ...base,
          type: 'branch',
          branches: [{ id: 'vip', when: { field: 'contact.attributes.tier', op: 'eq', value: 'vip' } }],
        });
        exits.splice(0, 1, 'vip', 'else');
        break;
      case 'split':
        nodes.push({
          ...base,
          type: 'split',
          arms: [
            { id: 'a', weight: 1 },
            { id: 'b', weight: 3 },
          ],
        });
        exits.splice(0, 1, 'a', 'b');
        break;
      case 'wait_for_event':
        nodes.push({ ...base, type: 'wait_for_event', event: 'message.received', timeout: 'P1D' });
        exits.splice(0, 1, 'event', 'timeout');
        break;
      case 'http_request':
        nodes.push({
          ...base,
          type: 'http_request',
          method: 'GET',
          url: 'https://crm.example.com/m/{{ contact.id }}',
        });
        break;
    }
    for (const exit of exits)
      edges.push({
        id: `e${i}-${exit}`,
        source: id(i),
        target: id(i + 1),
        ...(exit === 'next' ? {} : { sourceHandle: exit }),
      });
  }
  edges.push({ id: 'e0', source: 'in', target: id(1) });
  nodes.push({ id: 'out', type: 'exit', position: position(count - 1) });
  return {
    schemaVersion: 1,
    id: `generated-${count}`,
    name: `Generated ${count}`,
    nodes,
    edges,
    settings: { timezone: 'Asia/Shanghai', reentry: { mode: 'always' } },
  };
}
