import type { z } from 'zod';
import { bilingualMessage, inLocale } from '../api/errors';
import type { CheckContext } from '../nodes/define';
import { nodeDefinition, nodeExits, optionalExits } from '../nodes/index';
import { triggerPayload } from '../nodes/trigger/definition';
import type { Condition } from './conditions';
import { comparisonProblem, comparisonsOf } from './conditions';
import { isAddressKindName } from './contact-addresses';
import type { CompileError, CompileErrorCode, CompileWarning } from './errors';
import { JOIN_WAY_TO_PICK } from './fields';
import { PLAN_VERSION, type Plan, type PlanNode } from './plan';
import type { FreeFormWindow, RecipientLimit } from './recipient-limits';
import {
  CONTACT_FIELDS,
  type Edge,
  FlowDocument,
  type FlowNode,
  type MessageContent,
  type TriggerNode,
} from './schema';
import { templateVariables } from './template';
import { limitWarnings } from './warnings';

export { nodeExits, optionalExits };

/** The channels every installation knows; connectors may register more. */
export const BUILTIN_CHANNELS = ['wechat', 'wechat_group', 'wechat_oa', 'email', 'sms'] as const;

export interface CompileOptions {
  /**
   * The channels a send may use.
   * @default BUILTIN_CHANNELS
   */
  channels?: readonly string[];
  /**
   * Channel → the contact address kinds that reach someone on it, as the connectors declare
   * them: the plan carries it to the send steps, and templates and conditions may name these
   * kinds as `contact.<kind>`. Without it, any kind name is taken and sends reach whom they did
   * before connectors declared address kinds.
   */
  reach?: Readonly<Record<string, readonly string[]>>;
  /**
   * The quotas providers put on each recipient, as the connectors declare them; a loop that
   * breaks one is a warning.
   * @default none
   */
  limits?: readonly RecipientLimit[];
  /**
   * The windows providers allow free-form messages in, as the connectors declare them; a
   * free-form send reached only after a longer wait is a warning.
   * @default none
   */
  freeFormWindows?: readonly FreeFormWindow[];
  /**
   * The version number the plan is compiled for (set by publish).
   * @default 0
   */
  version?: number;
}

export type CompileResult =
  | { ok: true; plan: Plan; warnings: CompileWarning[] }
  | { ok: false; errors: CompileError[] };

function error(
  code: CompileErrorCode,
  message: string,
  messageZh: string,
  where: { nodeId?: string; edgeId?: string; path?: string } = {},
): CompileError {
  return { code, message, messageZh, ...where };
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  );
}

/** Turns zod's issues into compile errors that name the node or edge they are in. */
function schemaErrors(document: unknown, issues: z.core.$ZodIssue[]): CompileError[] {
  const raw = (document ?? {}) as { nodes?: unknown[]; edges?: unknown[] };
  const idAt = (list: unknown[] | undefined, index: unknown): string | undefined => {
    if (!Array.isArray(list) || typeof index !== 'number') return undefined;
    const id = (list[index] as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  };
  return issues.map((issue) => {
    const path = pathText(issue.path);
    const [section, index] = issue.path;
    const nodeId = section === 'nodes' ? idAt(raw.nodes, index) : undefined;
    const edgeId = section === 'edges' ? idAt(raw.edges, index) : undefined;
    const isDuration = issue.path.at(-1) === 'duration';
    const words = bilingualMessage(issue);
    const message = `${path ? `${path}: ` : ''}${inLocale(words, 'en')}`;
    return error(
      isDuration ? 'invalid_duration' : path ? 'invalid_field' : 'invalid_document',
      message,
      isDuration
        ? `等待时长不正确（${path}）：请写成 PT10M、PT2H、P1D 这样的格式。`
        : `字段不正确（${path || '流程'}）：${inLocale(words, 'zh')}`,
      { nodeId, edgeId, path },
    );
  });
}

/** Where a flow's templates and conditions may read from. */
interface Scope {
  /** Declared payload fields of the trigger; undefined means the payload is free-form. */
  eventFields?: ReadonlySet<string>;
  /** Ids of the flow's http_request steps, whose answers later steps may read. */
  httpNodes: ReadonlySet<string>;
  /** Event filters read the incoming event as `payload.*`. */
  payload?: boolean;
  /** The contact address kinds the connectors declare; undefined when the compile was not told. */
  addressKinds?: ReadonlySet<string>;
}

function variableProblem(path: string, scope: Scope): string | undefined {
  const [root, first, ...rest] = path.split('.');
  if (root === 'contact') {
    if (first === undefined) return undefined;
    if (first === 'attributes') return undefined;
    if ((CONTACT_FIELDS as readonly string[]).includes(first)) return undefined;
    const kind = first === 'addresses' ? rest[0] : first;
    if (kind === undefined) return undefined;
    if (scope.addressKinds ? scope.addressKinds.has(kind) : isAddressKindName(kind)) return undefined;
    const kinds = scope.addressKinds ? [...scope.addressKinds].join(', ') : 'their kinds';
    return `"${path}" is not a contact field. Contact fields are ${CONTACT_FIELDS.join(', ')}, attributes.* and addresses (${kinds}).`;
  }
  if (root === 'payload' && scope.payload) return undefined;
  if (root === 'event' && !scope.payload) {
    if (first === undefined || !scope.eventFields || scope.eventFields.has(first)) return undefined;
    return `"${path}" is not a field of the trigger's payload (${[...scope.eventFields].join(', ') || 'none declared'}).`;
  }
  if (root === 'lastEvent' && !scope.payload) {
    if (first === undefined || first === 'name' || first === 'at' || first === 'payload') return undefined;
    return `"${path}" is not known: the last event has name, at and payload.*.`;
  }
  if (root === 'http' && !scope.payload) {
    if (first !== undefined && scope.httpNodes.has(first)) {
      const [part] = rest;
      if (part === undefined || part === 'status' || part === 'body' || part === 'error') return undefined;
      return `"${path}": an HTTP answer has status, body.* and (when the call failed) error.`;
    }
    return `"${path}" names no HTTP request step of this flow.`;
  }
  if (root === 'flow' && !scope.payload) {
    if (first === undefined || (['id', 'name', 'version'].includes(first) && rest.length === 0))
      return undefined;
    return `"${path}" is not a flow field. Flow fields are id, name and version.`;
  }
  return scope.payload
    ? `"${path}" refers to nothing known. An event filter reads payload.* and contact.*.`
    : `"${path}" refers to nothing known. Use contact.*, event.*, lastEvent.*, http.<step>.* or flow.*.`;
}

/** Strongly connected components (Tarjan), iteratively so a large flow cannot overflow the stack. */
function cyclesAmong(ids: string[], successors: (id: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = successors(frame.id);
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ id: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.id);
        const selfLoop = component.length === 1 && successors(frame.id).includes(frame.id);
        if (component.length > 1 || selfLoop) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}

/** The items whose id an earlier item already has, in order. */
function repeatedIds<T extends { id: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const repeated = seen.has(item.id);
    seen.add(item.id);
    return repeated;
  });
}

/**
 * Checks a flow document and turns it into a plan. Never throws: every problem comes back as
 * an error naming the node or edge it is about.
 */
export function compile(document: unknown, options: CompileOptions = {}): CompileResult {
  // The input is reported so zod's zh-CN locale can word a wrong type by what it received.
  const parsed = FlowDocument.safeParse(document, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: schemaErrors(document, parsed.error.issues) };
  const flow = parsed.data;
  const channels = new Set(options.channels ?? BUILTIN_CHANNELS);
  const errors: CompileError[] = [];

  const nodes = new Map<string, FlowNode>(flow.nodes.map((node) => [node.id, node]));
  for (const node of repeatedIds(flow.nodes)) {
    errors.push(
      error(
        'duplicate_node_id',
        `Two nodes have the id "${node.id}".`,
        `有两个节点的 id 都是"${node.id}"。`,
        { nodeId: node.id },
      ),
    );
  }

  const triggers = flow.nodes.filter((n): n is TriggerNode => n.type === 'trigger');
  if (triggers.length === 0) {
    errors.push(
      error(
        'no_trigger',
        'The flow has no trigger: add one so contacts can enter.',
        '流程没有触发器：请添加一个，联系人才能进入流程。',
      ),
    );
  }
  for (const extra of triggers.slice(1)) {
    errors.push(
      error(
        'several_triggers',
        'A flow has exactly one trigger; remove this one or make it a separate flow.',
        '一个流程只能有一个触发器；请删除这个，或另建一个流程。',
        { nodeId: extra.id },
      ),
    );
  }

  // Resolve edges into exits: exitTargets[node][handle] = target.
  const exitTargets = new Map<string, Map<string, string>>();
  const repeatedEdges = new Set(repeatedIds(flow.edges));
  for (const edge of flow.edges) {
    if (repeatedEdges.has(edge)) {
      errors.push(
        error(
          'duplicate_edge_id',
          `Two connections have the id "${edge.id}".`,
          `有两条连线的 id 都是"${edge.id}"。`,
          { edgeId: edge.id },
        ),
      );
    }
    errors.push(...edgeErrors(edge, nodes, exitTargets));
  }

  for (const node of nodes.values()) {
    const targets = exitTargets.get(node.id);
    for (const handle of nodeExits(node)) {
      if (!targets?.has(handle)) {
        const what = handle === 'next' ? 'its next step' : `its exit "${handle}"`;
        errors.push(
          error(
            'missing_exit',
            `This step is not connected to ${what}. Connect it, or to an Exit step to end the path.`,
            `这个步骤的${handle === 'next' ? '下一步' : `出口"${handle}"`}没有连接。请连接下一步，或连接到"结束"来结束这条路径。`,
            { nodeId: node.id },
          ),
        );
      }
    }
  }

  const successors = (id: string): string[] => [...(exitTargets.get(id)?.values() ?? [])];

  const trigger = triggers[0];
  if (trigger) {
    const reached = new Set<string>([trigger.id]);
    const queue = [trigger.id];
    while (queue.length > 0) {
      for (const next of successors(queue.pop()!)) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    for (const node of nodes.values()) {
      if (!reached.has(node.id)) {
        errors.push(
          error(
            'unreachable_node',
            'No path from the trigger reaches this step, so no contact ever will.',
            '从触发器出发没有路径能到达这个步骤，因此不会有联系人经过它。',
            { nodeId: node.id },
          ),
        );
      }
    }
  }

  const nonWaiting = [...nodes.values()].filter((n) => !nodeDefinition(n.type).waits?.(n)).map((n) => n.id);
  const nonWaitingSet = new Set(nonWaiting);
  for (const cycle of cyclesAmong(nonWaiting, (id) => successors(id).filter((s) => nonWaitingSet.has(s)))) {
    const list = cycle.join(' → ');
    errors.push(
      error(
        'cycle_without_wait',
        `These steps loop with no wait among them (${list}), so a contact would go round forever. Add a Wait to the loop.`,
        `这些步骤构成一个没有等待的循环（${list}），联系人会无限循环。请在循环中加入"等待"。`,
        { nodeId: cycle[0] },
      ),
    );
  }

  const declared = trigger ? triggerPayload(trigger.trigger) : undefined;
  const scope: Scope = {
    eventFields: declared ? new Set(declared.map((f) => f.name)) : undefined,
    httpNodes: new Set(flow.nodes.filter((n) => n.type === 'http_request').map((n) => n.id)),
    ...(options.reach ? { addressKinds: new Set(Object.values(options.reach).flat()) } : {}),
  };
  const warnings: CompileWarning[] = [];
  const graph: FlowGraph = {
    trigger: trigger?.trigger,
    stepsBefore: (id) => stepsBefore(id, trigger?.id, nodes, exitTargets),
    warn: (warning) => warnings.push(warning),
  };
  flow.nodes.forEach((node, index) => {
    errors.push(...nodeErrors(node, `nodes[${index}]`, scope, channels, graph));
  });
  if (flow.settings.goal?.filter) {
    errors.push(
      ...conditionErrors(
        flow.settings.goal.filter,
        { ...scope, payload: true },
        { path: 'settings.goal.filter' },
      ),
    );
  }

  if (errors.length > 0 || !trigger) return { ok: false, errors };
  const plan = toPlan(flow, trigger.id, exitTargets, options.version ?? 0, options.reach);
  return {
    ok: true,
    plan,
    warnings: [...warnings, ...limitWarnings(plan, options.limits, options.freeFormWindows)],
  };
}

/** What node checks may ask of the flow around a step. */
interface FlowGraph {
  trigger: CheckContext['trigger'];
  stepsBefore(nodeId: string): ReturnType<CheckContext['stepsBefore']>;
  warn(warning: CompileWarning): void;
}

/** The steps from which `nodeId` can be reached, short of the trigger (see `CheckContext.stepsBefore`). */
function stepsBefore(
  nodeId: string,
  triggerId: string | undefined,
  nodes: Map<string, FlowNode>,
  exitTargets: Map<string, Map<string, string>>,
): ReturnType<CheckContext['stepsBefore']> {
  const predecessors = new Map<string, string[]>();
  for (const [source, targets] of exitTargets) {
    for (const target of targets.values())
      predecessors.set(target, [...(predecessors.get(target) ?? []), source]);
  }
  const seen = new Set<string>();
  const queue = [nodeId];
  while (queue.length > 0) {
    for (const previous of predecessors.get(queue.pop()!) ?? []) {
      if (previous === triggerId || seen.has(previous)) continue;
      seen.add(previous);
      queue.push(previous);
    }
  }
  return [...seen].flatMap((id) => {
    const node = nodes.get(id);
    if (!node) return [];
    const definition = nodeDefinition(node.type);
    return [
      { id, sends: definition.sendsOn?.(node) !== undefined, waits: Boolean(definition.waits?.(node)) },
    ];
  });
}

function edgeErrors(edge: Edge, nodes: Map<string, FlowNode>, exitTargets: Map<string, Map<string, string>>) {
  const errors: CompileError[] = [];
  const source = nodes.get(edge.source);
  if (!source) {
    errors.push(
      error(
        'edge_unknown_source',
        `This connection starts at "${edge.source}", which is not a step of the flow.`,
        `这条连线的起点"${edge.source}"不是流程中的步骤。`,
        { edgeId: edge.id },
      ),
    );
  }
  if (!nodes.has(edge.target)) {
    errors.push(
      error(
        'edge_unknown_target',
        `This connection leads to "${edge.target}", which is not a step of the flow.`,
        `这条连线的终点"${edge.target}"不是流程中的步骤。`,
        { edgeId: edge.id },
      ),
    );
  }
  if (!source || errors.length > 0) return errors;
  const exits = [...nodeExits(source), ...optionalExits(source)];
  if (!exits.includes(edge.sourceHandle)) {
    errors.push(
      error(
        'edge_unknown_exit',
        `Step "${source.id}" has no exit "${edge.sourceHandle}"${exits.length ? ` (its exits: ${exits.join(', ')})` : ' (it ends the path)'}.`,
        `步骤"${source.id}"没有名为"${edge.sourceHandle}"的出口。`,
        { edgeId: edge.id, nodeId: source.id },
      ),
    );
    return errors;
  }
  const targets = exitTargets.get(source.id) ?? new Map<string, string>();
  exitTargets.set(source.id, targets);
  if (targets.has(edge.sourceHandle)) {
    errors.push(
      error(
        'exit_connected_twice',
        `Exit "${edge.sourceHandle}" of step "${source.id}" is connected twice; a contact can take only one path.`,
        `步骤"${source.id}"的出口"${edge.sourceHandle}"连接了两次；联系人只能走一条路径。`,
        { edgeId: edge.id, nodeId: source.id },
      ),
    );
  } else {
    targets.set(edge.sourceHandle, edge.target);
  }
  return errors;
}

function templateErrors(text: string, nodeId: string, path: string, scope: Scope): CompileError[] {
  const parsed = templateVariables(text);
  if (!parsed.ok) {
    return [
      error('invalid_template', parsed.message, `消息模板格式不正确：${parsed.message}`, { nodeId, path }),
    ];
  }
  return parsed.variables.flatMap((variable) => {
    const problem = variableProblem(variable, scope);
    return problem
      ? [
          error(
            'unknown_variable',
            problem,
            `变量"${variable}"不存在。可用：contact.*、event.*、lastEvent.*、http.<步骤>.*、flow.*。`,
            { nodeId, path },
          ),
        ]
      : [];
  });
}

function messageErrors(message: MessageContent, nodeId: string, path: string, scope: Scope): CompileError[] {
  const templates: [string, string][] = [
    [message.text, `${path}.text`],
    ...(message.subject === undefined ? [] : [[message.subject, `${path}.subject`] as [string, string]]),
    ...(message.group === undefined ? [] : [[message.group, `${path}.group`] as [string, string]]),
    ...(message.mentions ?? []).map((m, i): [string, string] => [m, `${path}.mentions[${i}]`]),
    ...Object.entries(message.template?.params ?? {}).map(([k, v]): [string, string] => [
      v,
      `${path}.template.params.${k}`,
    ]),
    ...(message.articles ?? []).flatMap((a, i): [string, string][] =>
      [a.title, a.description, a.url, a.picUrl].flatMap((t) =>
        t === undefined ? [] : [[t, `${path}.articles[${i}]`]],
      ),
    ),
  ];
  const joinWayToPick =
    message.joinWay === JOIN_WAY_TO_PICK
      ? [
          error(
            'join_way_not_picked',
            'Pick the group join way this message invites through: make one on the Groups page (a QR code for your customer groups), then choose it under "Invite into a group (join way)". Pick the same one in the step that waits for the join.',
            '请选择这条消息邀请客户入群所用的加群方式：先在「群」页面创建一个（为你的客户群生成二维码），再在「邀请入群（加群方式）」中选中它。等待入群的步骤里也要选同一个。',
            { nodeId, path: `${path}.joinWay` },
          ),
        ]
      : [];
  return [
    ...templates.flatMap(([text, where]) => templateErrors(text, nodeId, where, scope)),
    ...joinWayToPick,
  ];
}

function channelErrors(
  channel: string,
  channels: ReadonlySet<string>,
  nodeId: string,
  path: string,
): CompileError[] {
  if (channels.has(channel)) return [];
  return [
    error(
      'unknown_channel',
      `"${channel}" is not a channel sopflow can send on. Known channels: ${[...channels].join(', ')}.`,
      `"${channel}"不是可用的发送渠道。可用渠道：${[...channels].join('、')}。`,
      { nodeId, path },
    ),
  ];
}

function conditionErrors(
  condition: Condition,
  scope: Scope,
  where: { nodeId?: string; path: string; name?: string },
): CompileError[] {
  return comparisonsOf(condition).flatMap((comparison) => {
    const values = Array.isArray(comparison.value) ? comparison.value : [comparison.value];
    if (values.includes(JOIN_WAY_TO_PICK)) {
      return [
        error(
          'join_way_not_picked',
          `Pick the group join way this condition waits for: replace "${JOIN_WAY_TO_PICK}" with the id of the join way the invitation sends (the Groups page shows it under the QR code).`,
          `请选择这个条件等待的加群方式：把"${JOIN_WAY_TO_PICK}"换成邀请消息所用加群方式的 ID（在「群」页面二维码下方可以看到）。`,
          { nodeId: where.nodeId, path: where.path },
        ),
      ];
    }
    const problem = variableProblem(comparison.field, scope) ?? comparisonProblem(comparison);
    if (!problem) return [];
    const zh = where.name ? `条件"${where.name}"不正确：${problem}` : `条件不正确：${problem}`;
    return [error('invalid_condition', problem, zh, { nodeId: where.nodeId, path: where.path })];
  });
}

function duplicateIds(ids: readonly string[], nodeId: string, path: string, what: string): CompileError[] {
  const seen = new Set<string>();
  return ids.flatMap((id, i) => {
    const twice = seen.has(id);
    seen.add(id);
    return twice
      ? [
          error('duplicate_branch_id', `Two ${what} are named "${id}".`, `有两个出口都叫"${id}"。`, {
            nodeId,
            path: `${path}[${i}]`,
          }),
        ]
      : [];
  });
}

/** The checks of a node's own type, with the compiler's template, condition and channel checks. */
function nodeErrors(
  node: FlowNode,
  path: string,
  scope: Scope,
  channels: ReadonlySet<string>,
  graph: FlowGraph,
): CompileError[] {
  const nodeId = node.id;
  const at = (inner: string) => `${path}.${inner}`;
  const context: CheckContext = {
    channels,
    template: (text, where) => templateErrors(text, nodeId, at(where), scope),
    message: (message, where) => messageErrors(message, nodeId, at(where), scope),
    channel: (channel, where) => channelErrors(channel, channels, nodeId, at(where)),
    condition: (condition, where, options = {}) =>
      conditionErrors(condition, options.payload ? { ...scope, payload: true } : scope, {
        nodeId,
        path: at(where),
        ...(options.name === undefined ? {} : { name: options.name }),
      }),
    variableProblem: (variable) => variableProblem(variable, scope),
    duplicateExits: (ids, where, what) => duplicateIds(ids, nodeId, at(where), what),
    error: (code, message, messageZh, where) => error(code, message, messageZh, { nodeId, path: at(where) }),
    trigger: graph.trigger,
    stepsBefore: () => graph.stepsBefore(nodeId),
    warn: (code, message, messageZh) => graph.warn({ code, nodeId, message, messageZh }),
  };
  return nodeDefinition(node.type).check?.(node, context) ?? [];
}

function toPlan(
  flow: FlowDocument,
  entry: string,
  exitTargets: Map<string, Map<string, string>>,
  version: number,
  reach: CompileOptions['reach'],
): Plan {
  // Built with fromEntries, not `nodes[id] = …`: a node may be called `__proto__`, and assigning
  // that key would set the object's prototype instead of adding the node (which JSON then drops).
  const nodes: Record<string, PlanNode> = Object.fromEntries(
    flow.nodes.map(({ position: _position, ...node }) => [
      node.id,
      { ...node, exits: Object.fromEntries(exitTargets.get(node.id) ?? []) } as PlanNode,
    ]),
  );
  return {
    planVersion: PLAN_VERSION,
    flowId: flow.id,
    flowName: flow.name,
    version,
    settings: flow.settings,
    entry,
    nodes,
    ...(reach ? { reach } : {}),
  };
}
