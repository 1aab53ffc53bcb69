import { nodeDefinition } from '../nodes/index';
import { parseDuration } from './duration';
import type { CompileWarning } from './errors';
import type { Plan, PlanNode } from './plan';
import { type FreeFormWindow, type RecipientLimit, steadyRate } from './recipient-limits';

/**
 * Limit warnings: what the compiler can tell without running the flow about the limits it will
 * run into (the frequency cap, quiet hours, the quotas providers put on each recipient). A warning does not stop a
 * flow from being published.
 *
 * They are meant to be sound: each one is a claim that holds whatever the contacts do (given
 * they take the paths named), never a guess. Times are therefore bounded from above: a wait
 * lasts its duration, a wait for an event its timeout, a wait-until up to a day (or a week on
 * given weekdays), a send up to the length of the quiet hours; a warning is given only when
 * even those longest times leave too little room. Tasks (sends, contact updates) are taken to
 * finish at once.
 */

export type { CompileWarning, CompileWarningCode } from './errors';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The most a day's length or a local clock moves across a daylight-saving change. */
const DST_SLACK = HOUR;
/** Bounds on the work one check may do; past them the check gives no warning rather than hang. */
const MAX_STATES = 2_000_000;
/**
 * Steps (nodes settled or visited) one check may take over the whole plan. A check runs a search
 * per send or per wait-until, so a plan of thousands of steps (the schema allows 5,000) would
 * take minutes; a real flow takes a few thousand steps. Past the budget a check stops, keeping
 * the warnings it found: each still holds, some go unsaid.
 */
const MAX_WORK = 100_000;

/** What one check may still spend. */
class Budget {
  private left = MAX_WORK;
  spend(n = 1): boolean {
    this.left -= n;
    return this.left >= 0;
  }
  get spent(): boolean {
    return this.left < 0;
  }
}

const ms = (iso: string): number => {
  const parsed = parseDuration(iso);
  return parsed.ok ? parsed.ms : Number.POSITIVE_INFINITY;
};

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** Whether a local minute of the day is inside the quiet window, as the interpreter decides it. */
function inQuiet(minute: number, start: number, end: number): boolean {
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** The distance in minutes from `minute` to the nearer edge of the quiet window. */
function edgeDistance(minute: number, start: number, end: number): number {
  const d = (a: number, b: number) => Math.min((a - b + 1440) % 1440, (b - a + 1440) % 1440);
  return Math.min(d(minute, start), d(minute, end));
}

/** A duration as operators read it: `1 day 6 hours`, `1 天 6 小时`. */
export function describeDuration(text: string, locale: 'en' | 'zh' = 'en'): string {
  const parsed = parseDuration(text);
  if (!parsed.ok) return text;
  const units: [number, string, string][] = [
    [DAY, 'day', '天'],
    [HOUR, 'hour', '小时'],
    [MINUTE, 'minute', '分钟'],
    [1000, 'second', '秒'],
  ];
  let rest = parsed.ms;
  const parts: string[] = [];
  for (const [size, en, zh] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(locale === 'zh' ? `${n} ${zh}` : `${n} ${en}${n === 1 ? '' : 's'}`);
  }
  return parts.join(' ') || text;
}

interface Analysis {
  plan: Plan;
  order: string[];
  /** The longest a contact may stay in each node, in ms; for sends, the quiet-hours hold. */
  longest: Map<string, number>;
  /** The same, leaving out quiet-hours holds. */
  longestAwake: Map<string, number>;
  successors: Map<string, string[]>;
  quietMs: number;
}

/** The longest a contact may stay in a node, in ms (each node type knows its own; see its definition). */
function longestStay(node: PlanNode, quietMs: number): number {
  return nodeDefinition(node.type).timing?.longest?.(node, quietMs) ?? 0;
}

/** The same, leaving out quiet-hours holds. */
function longestAwakeStay(node: PlanNode, quietMs: number): number {
  const timing = nodeDefinition(node.type).timing;
  return (timing?.awake ?? timing?.longest)?.(node, quietMs) ?? 0;
}

/** The channel a node sends the contact a message on, or undefined when it sends none. */
const sendsOn = (node: PlanNode): string | undefined => nodeDefinition(node.type).sendsOn?.(node);
const isSend = (node: PlanNode): boolean => sendsOn(node) !== undefined;

function analyse(plan: Plan): Analysis {
  const quiet = plan.settings.quietHours;
  const quietMinutes = quiet ? (minutesOf(quiet.end) - minutesOf(quiet.start) + 1440) % 1440 : 0;
  const quietMs = quietMinutes > 0 ? quietMinutes * MINUTE + DST_SLACK : 0;
  const order = Object.keys(plan.nodes);
  const longest = new Map<string, number>();
  const longestAwake = new Map<string, number>();
  const successors = new Map<string, string[]>();
  for (const id of order) {
    const node = plan.nodes[id]!;
    longest.set(id, longestStay(node, quietMs));
    longestAwake.set(id, longestAwakeStay(node, quietMs));
    successors.set(
      id,
      [...new Set(Object.values(node.exits))].filter((t) => Object.hasOwn(plan.nodes, t)),
    );
  }
  return { plan, order, longest, longestAwake, successors, quietMs };
}

/** A tiny binary heap of [priority, value]. */
class Heap<T> {
  private items: [number, T][] = [];
  get size(): number {
    return this.items.length;
  }
  push(priority: number, value: T): void {
    const items = this.items;
    items.push([priority, value]);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]![0] <= items[i]![0]) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  pop(): [number, T] | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l]![0] < items[m]![0]) m = l;
        if (r < items.length && items[r]![0] < items[m]![0]) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The quickest way round from `start` back to itself, with each node weighing `weight`: the
 * nodes of the cycle (from `start`) and its total weight, or undefined when there is none.
 */
function quickestCycle(
  a: Analysis,
  start: string,
  weight: Map<string, number>,
  budget: Budget,
): { nodes: string[]; total: number } | undefined {
  const dist = new Map<string, number>();
  const prev = new Map<string, string>();
  const heap = new Heap<string>();
  for (const next of a.successors.get(start) ?? []) {
    const w = weight.get(next)!;
    if (w < (dist.get(next) ?? Number.POSITIVE_INFINITY)) {
      dist.set(next, w);
      prev.set(next, start);
      heap.push(w, next);
    }
  }
  const done = new Set<string>();
  while (heap.size > 0) {
    const [d, id] = heap.pop()!;
    if (done.has(id)) continue;
    if (!budget.spend()) return undefined;
    done.add(id);
    if (id === start) break;
    for (const next of a.successors.get(id) ?? []) {
      const nd = d + weight.get(next)!;
      if (nd < (dist.get(next) ?? Number.POSITIVE_INFINITY)) {
        dist.set(next, nd);
        prev.set(next, id);
        heap.push(nd, next);
      }
    }
  }
  const total = dist.get(start);
  if (total === undefined || !Number.isFinite(total)) return undefined;
  const nodes: string[] = [];
  let at = prev.get(start)!;
  while (at !== start) {
    nodes.unshift(at);
    at = prev.get(at)!;
  }
  return { nodes: [start, ...nodes], total };
}

/**
 * At least how many sends a contact going round a loop gets in some window of `windowMs`. The
 * loop has `k` sends and takes at most `round` (quiet-hours holds included), or at most `awake`
 * while the contact's day is outside quiet hours (`awakeSpan` long). Each send recurs at most a
 * round apart: a window opening at one of them holds ceil(W / round) of it and at least
 * ceil(W / round) - 1 of each other send. Outside quiet hours no send is held, so from the end of
 * the quiet hours each send recurs at most `awake` apart: ceil(L / awake) - 1 of each in the
 * first L = min(W, awakeSpan).
 */
function sendsInWindow(k: number, round: number, awake: number, awakeSpan: number, windowMs: number): number {
  if (k === 0) return 0;
  const whole = round > 0 ? k * Math.ceil(windowMs / round) - (k - 1) : 0;
  const span = Math.min(windowMs, awakeSpan);
  const awakeCount = awake > 0 && span > 0 ? k * (Math.ceil(span / awake) - 1) : 0;
  return Math.max(whole, awakeCount);
}

interface LoopFinding {
  send: string;
  cycle: string[];
  count: number;
}

/** For each send on a loop, the densest sending the loop forces (by `counts` sends). */
function loopFindings(
  a: Analysis,
  sends: string[],
  counts: (node: PlanNode) => boolean,
  windowMs: number,
): LoopFinding[] {
  const awakeSpan = a.quietMs > 0 ? DAY - a.quietMs : Number.POSITIVE_INFINITY;
  const findings: LoopFinding[] = [];
  const budget = new Budget();
  for (const send of sends) {
    if (budget.spent) break;
    let best: LoopFinding | undefined;
    for (const weight of [a.longest, a.longestAwake]) {
      const cycle = quickestCycle(a, send, weight, budget);
      if (!cycle) continue;
      const k = cycle.nodes.filter((id) => counts(a.plan.nodes[id]!)).length;
      const round = cycle.nodes.reduce((sum, id) => sum + a.longest.get(id)!, 0);
      const awake = cycle.nodes.reduce((sum, id) => sum + a.longestAwake.get(id)!, 0);
      const count = sendsInWindow(k, round, awake, awakeSpan, windowMs);
      if (!best || count > best.count) best = { send, cycle: cycle.nodes, count };
    }
    if (best) findings.push(best);
  }
  return findings;
}

/** One finding per loop (the same set of nodes), the first send in plan order speaking for it. */
function perLoop(findings: LoopFinding[]): LoopFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = [...f.cycle].sort().join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function capWarnings(a: Analysis): CompileWarning[] {
  const cap = a.plan.settings.frequencyCap;
  if (!cap) return [];
  const windowMs = ms(cap.per);
  if (!Number.isFinite(windowMs)) return [];
  const window = describeDuration(cap.per);
  const windowZh = describeDuration(cap.per, 'zh');
  const sends = a.order.filter((id) => isSend(a.plan.nodes[id]!));
  const warnings: CompileWarning[] = [];

  const loops = perLoop(loopFindings(a, sends, isSend, windowMs).filter((f) => f.count > cap.max));
  const looped = new Set(loops.flatMap((f) => f.cycle));
  for (const loop of loops) {
    const path = [...loop.cycle, loop.cycle[0]].join(' → ');
    warnings.push({
      code: 'loop_exceeds_cap',
      nodeId: loop.send,
      message: `This loop (${path}) sends at least ${loop.count} messages within ${window} to a contact going round it, more than the frequency cap allows (${cap.max} in ${window}); the rest will be ${cap.onCap === 'skip' ? 'skipped' : 'held back'}. Wait longer in the loop or raise the cap.`,
      messageZh: `这个循环（${path}）会让循环中的联系人在 ${windowZh} 内收到至少 ${loop.count} 条消息，超过频次上限（每 ${windowZh} 最多 ${cap.max} 条），超出的消息会被${cap.onCap === 'skip' ? '跳过' : '推迟'}。请在循环中等待更久，或提高上限。`,
    });
  }

  // Paths: max + 1 sends in a row with too little waiting between them.
  const need = cap.max + 1;
  if (need > sends.length || a.order.length * need > MAX_STATES) return warnings;
  const key = (id: string, c: number) => `${c}\u0000${id}`;
  const dist = new Map<string, number>();
  const prev = new Map<string, string | null>();
  const heap = new Heap<[string, number]>();
  for (const s of sends) {
    dist.set(key(s, 1), 0);
    prev.set(key(s, 1), null);
    heap.push(0, [s, 1]);
  }
  const done = new Set<string>();
  const reported = new Set<string>();
  const budget = new Budget();
  while (heap.size > 0) {
    const [d, [id, c]] = heap.pop()!;
    const k = key(id, c);
    if (done.has(k) || d >= windowMs) continue;
    if (!budget.spend()) break;
    done.add(k);
    if (c === need) {
      // Only a path that visits no step twice: a loop has its own warning.
      const path: string[] = [];
      for (let at: string | null = k; at !== null; at = prev.get(at) ?? null)
        path.push(at.split('\u0000')[1]!);
      path.reverse();
      if (!budget.spend(path.length)) break;
      if (new Set(path).size === path.length && !reported.has(id) && !path.every((p) => looped.has(p))) {
        reported.add(id);
        const first = path[0]!;
        const steps = path.filter((p) => isSend(a.plan.nodes[p]!)).join(', ');
        warnings.push({
          code: 'path_exceeds_cap',
          nodeId: id,
          message: `A contact on the path from "${first}" gets ${need} messages (${steps}) within ${window}, more than the frequency cap allows (${cap.max} in ${window}); this one will be ${cap.onCap === 'skip' ? 'skipped' : 'held back'}. Add a wait before it or raise the cap.`,
          messageZh: `联系人沿"${first}"开始的路径会在 ${windowZh} 内收到 ${need} 条消息（${steps}），超过频次上限（每 ${windowZh} 最多 ${cap.max} 条），这一条会被${cap.onCap === 'skip' ? '跳过' : '推迟'}。请在它之前加入等待，或提高上限。`,
        });
      }
      continue;
    }
    for (const next of a.successors.get(id) ?? []) {
      const node = a.plan.nodes[next]!;
      const nc = isSend(node) ? c + 1 : c;
      const nd = d + a.longest.get(next)!;
      const nk = key(next, nc);
      if (nd < windowMs && nd < (dist.get(nk) ?? Number.POSITIVE_INFINITY)) {
        dist.set(nk, nd);
        prev.set(nk, k);
        heap.push(nd, [next, nc]);
      }
    }
  }
  return warnings;
}

/** Sends reached from a wait-until whose time falls inside quiet hours, with no waiting between. */
function quietWarnings(a: Analysis): CompileWarning[] {
  const quiet = a.plan.settings.quietHours;
  if (!quiet) return [];
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return [];
  const warnings: CompileWarning[] = [];
  const reported = new Set<string>();
  const budget = new Budget();
  for (const id of a.order) {
    if (budget.spent) break;
    // A wait-until ending at a local time of day on the contact's own clock.
    const anchor = a.plan.nodes[id]!;
    const endsAt = nodeDefinition(anchor.type).timing?.endsAt?.(anchor);
    if (endsAt === undefined) continue;
    const time = minutesOf(endsAt);
    // Walk on through steps that take no time (or a fixed time) to the sends they lead to.
    const seen = new Set<string>();
    const queue: [string, number][] = (a.successors.get(id) ?? []).map((next) => [next, 0]);
    for (let head = 0; head < queue.length; head++) {
      const [at, offset] = queue[head]!;
      const seenKey = `${at}\u0000${offset}`;
      if (seen.has(seenKey) || seen.size > 10_000 || !budget.spend()) continue;
      seen.add(seenKey);
      const node = a.plan.nodes[at]!;
      if (isSend(node)) {
        const minute = Math.floor(time + offset / MINUTE) % 1440;
        const sure = offset === 0 || edgeDistance(minute, start, end) >= DST_SLACK / MINUTE;
        if (inQuiet(minute, start, end) && sure && !reported.has(at)) {
          reported.add(at);
          const local = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
          const when = offset === 0 ? endsAt : `${endsAt} (+ waits, so about ${local})`;
          warnings.push({
            code: 'send_in_quiet_hours',
            nodeId: at,
            message: `Step "${id}" waits until ${when}, inside the quiet hours (${quiet.start}–${quiet.end}), so this send is always held until ${quiet.end}. Pick a time outside the quiet hours.`,
            messageZh: `步骤"${id}"等待到 ${offset === 0 ? endsAt : `约 ${local}`}，处于免打扰时段（${quiet.start}–${quiet.end}）内，因此这条消息总会被推迟到 ${quiet.end} 才发出。请选择免打扰时段以外的时间。`,
          });
        }
        continue;
      }
      // Steps that take no time or a fixed time; the walk stops at any other.
      const added = nodeDefinition(node.type).timing?.fixed?.(node);
      if (added === undefined || !Number.isFinite(added)) continue;
      for (const next of a.successors.get(at) ?? []) queue.push([next, (offset + added) % (7 * DAY)]);
    }
  }
  return warnings;
}

/** Loops that send on a limited channel faster than its quota allows for long. */
function quotaWarnings(a: Analysis, limits: readonly RecipientLimit[]): CompileWarning[] {
  const warnings: CompileWarning[] = [];
  for (const limit of limits) {
    const { max, windowMs } = steadyRate(limit.perRecipient);
    const window = describeDuration(`P${windowMs / DAY}D`);
    const windowZh = describeDuration(`P${windowMs / DAY}D`, 'zh');
    for (const channel of limit.channels) {
      const counts = (node: PlanNode) => sendsOn(node) === channel;
      const sends = a.order.filter((id) => counts(a.plan.nodes[id]!));
      for (const loop of perLoop(loopFindings(a, sends, counts, windowMs).filter((f) => f.count > max))) {
        const path = [...loop.cycle, loop.cycle[0]].join(' → ');
        warnings.push({
          code: 'channel_quota_risk',
          nodeId: loop.send,
          limitId: limit.id,
          message: `This loop (${path}) sends ${limit.label.en} (${channel}) more than ${max} in ${window} (at least ${loop.count}) to a contact going round it. ${limit.message.en} Wait longer in the loop.`,
          messageZh: `这个循环（${path}）会让循环中的联系人在 ${windowZh} 内收到超过 ${max} 条${limit.label.zh}（${channel}，至少 ${loop.count} 条）。${limit.message.zh}请在循环中等待更久。`,
        });
      }
    }
  }
  return warnings;
}

/** The least time a node takes when it leaves by `exit`, or undefined when it is unknown. */
function leastBy(node: PlanNode, exit: string): number | undefined {
  const timing = nodeDefinition(node.type).timing;
  return timing?.leastBy ? timing.leastBy(node, exit) : timing?.fixed?.(node);
}

/** A send of a message with no provider template: what a free-form window limits. */
const sendsFreeForm = (node: PlanNode): string | undefined =>
  (node as { message?: { template?: unknown } }).message?.template ? undefined : sendsOn(node);

/**
 * Free-form sends on a channel with a window (`windows`, as the connectors declare them) that a
 * contact reaches only after waiting longer than the window: from a wait (or a wait for an event
 * that timed out), through steps that take a known time or none (sends included: a send of ours
 * is no interaction of theirs), adding up the waits. Unless the person interacts meanwhile (which
 * the flow does not wait for), the provider refuses the message.
 */
function freeFormWindowWarnings(a: Analysis, windows: readonly FreeFormWindow[]): CompileWarning[] {
  const windowOf = new Map<string, FreeFormWindow>();
  for (const w of windows)
    for (const channel of w.channels) if (!windowOf.has(channel)) windowOf.set(channel, w);
  if (!a.order.some((id) => windowOf.has(sendsFreeForm(a.plan.nodes[id]!) ?? ''))) return [];
  // Offsets stop growing here, so a walk round a loop ends; each offset stays a true lower bound.
  const ceiling = Math.max(...windows.map((w) => w.hours)) * HOUR * 8;
  const warnings: CompileWarning[] = [];
  const reported = new Set<string>();
  const budget = new Budget();
  for (const anchor of a.order) {
    const from = a.plan.nodes[anchor]!;
    for (const [exit, next] of Object.entries(from.exits)) {
      const waited = leastBy(from, exit);
      if (!waited || !Object.hasOwn(a.plan.nodes, next)) continue;
      // The most time known to have passed on reaching each node (capped: past every window is enough).
      const reached = new Map<string, number>();
      const queue: [string, number][] = [[next, Math.min(waited, ceiling)]];
      for (let head = 0; head < queue.length && budget.spend(); head++) {
        const [at, offset] = queue[head]!;
        if ((reached.get(at) ?? -1) >= offset) continue;
        reached.set(at, offset);
        const node = a.plan.nodes[at]!;
        const channel = sendsFreeForm(node);
        const window = channel === undefined ? undefined : windowOf.get(channel);
        if (window && offset > window.hours * HOUR && !reported.has(at)) {
          reported.add(at);
          const waitedFor = describeDuration(`PT${Math.floor(offset / 1000)}S`);
          const waitedForZh = describeDuration(`PT${Math.floor(offset / 1000)}S`, 'zh');
          warnings.push({
            code: 'free_form_after_window',
            nodeId: at,
            limitId: window.id,
            message: `A contact reaches this free-form message (${channel}) at least ${waitedFor} after step "${anchor}" started waiting, longer than the ${window.hours} hours ${window.label.en} are allowed after their last interaction; unless they interact meanwhile it will fail. ${window.message.en}`,
            messageZh: `联系人从步骤"${anchor}"开始等待，至少 ${waitedForZh} 后才到达这条非模板消息（${channel}），超过了${window.label.zh}在其最近一次互动后允许的 ${window.hours} 小时；除非其间有互动，否则会发送失败。${window.message.zh}`,
          });
        }
        for (const [out, target] of Object.entries(node.exits)) {
          const took = sendsOn(node) !== undefined ? 0 : leastBy(node, out);
          if (took === undefined || !Object.hasOwn(a.plan.nodes, target)) continue;
          queue.push([target, Math.min(offset + took, ceiling)]);
        }
      }
    }
  }
  return warnings;
}

/**
 * The limit warnings of a compiled plan: loops and paths that send more than the frequency cap
 * allows, sends scheduled into quiet hours, loops that break a provider's quota per recipient
 * (`limits`, as the connectors declare them), free-form sends after waits longer than the
 * provider's window for them (`freeFormWindows`).
 */
export function limitWarnings(
  plan: Plan,
  limits: readonly RecipientLimit[] = [],
  freeFormWindows: readonly FreeFormWindow[] = [],
): CompileWarning[] {
  const a = analyse(plan);
  return [
    ...capWarnings(a),
    ...quietWarnings(a),
    ...quotaWarnings(a, limits),
    ...freeFormWindowWarnings(a, freeFormWindows),
    ...goalWarnings(plan),
  ];
}

/**
 * A wait for the event that is also the flow's goal (with no filter): every such event converts
 * the contact and ends the run first, so the wait's `event` exit can never be taken.
 */
function goalWarnings(plan: Plan): CompileWarning[] {
  const goal = plan.settings.goal;
  if (!goal || goal.filter) return [];
  return Object.values(plan.nodes).flatMap((node): CompileWarning[] =>
    node.type === 'wait_for_event' && node.event === goal.event
      ? [
          {
            code: 'goal_shadows_wait',
            nodeId: node.id,
            message: `"${goal.event}" is the flow's goal: it converts the contact and ends the run, so this step's "event" exit is never taken. Wait for another event, or give the goal a filter.`,
            messageZh: `"${goal.event}" 是流程的目标：它让联系人转化并结束流程，所以这一步的"事件"出口永远走不到。请等待其他事件，或给目标加筛选条件。`,
          },
        ]
      : [],
  );
}
