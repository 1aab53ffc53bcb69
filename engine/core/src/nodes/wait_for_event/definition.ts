import { z } from 'zod';
import { Duration, EventName } from '../../flow/fields';
import { KEPT_MAX_AGE_MS } from '../../interpreter/kept-events';
import { defineNode, durationMs, form, nodeSchema } from '../define';
import { conditionField, EVENT_NAME_FORM, GIVE_UP_AFTER_FORM } from '../form-fields';

const MAX_DAYS = KEPT_MAX_AGE_MS / 86_400_000;

/**
 * Whether events that came before the contact reached the step count. Left out (as in steps saved
 * before look-backs existed) it is `none`: a plan is workflow input, so old runs replay the same.
 */
export const LookBack = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('since-entry') })
    .meta(form('Since the contact entered the flow', '自进入流程以来的')),
  z
    .object({
      kind: z.literal('within'),
      duration: Duration.refine((d) => durationMs(d) <= KEPT_MAX_AGE_MS, {
        error: `A look-back reaches at most ${MAX_DAYS} days (P${MAX_DAYS}D). / 回溯时长最多 ${MAX_DAYS} 天（P${MAX_DAYS}D）。`,
      }).meta(form('In the last', '最近', { widget: 'duration' })),
    })
    .meta(form('Within a time before the step', '到达本步前一段时间内的')),
  z.object({ kind: z.literal('none') }).meta(form('None: only events after the step', '不算：只等到达后的')),
]);
export type LookBack = z.infer<typeof LookBack>;

export const WaitForEventNode = nodeSchema('wait_for_event', {
  event: EventName.meta(EVENT_NAME_FORM),
  /** Only matching events count; fields are `payload.*` (the event's) and `contact.*`. */
  filter: conditionField('Only if', '仅当'),
  timeout: Duration.meta(GIVE_UP_AFTER_FORM),
  lookBack: LookBack.optional().meta(
    form('Count earlier events', '也算之前的事件', {
      help: {
        en: `An event that came before the contact reached this step counts at once (kept up to ${MAX_DAYS} days, the 10 newest of a name). Left empty: none.`,
        zh: `联系人到达本步之前已发生的事件，到达时立即生效（最多保留 ${MAX_DAYS} 天、同名最近 10 条）。留空即不算。`,
      },
    }),
  ),
});
export type WaitForEventNode = z.infer<typeof WaitForEventNode>;

export const waitForEvent = defineNode({
  schema: WaitForEventNode,
  words: {
    label: { en: 'Wait for event', zh: '等待事件' },
    hint: { en: 'A reply, a click, an order', zh: '回复、点击、下单……' },
  },
  idPrefix: 'wait-event',
  exits: () => ['event', 'timeout'],
  waits: () => true,
  check: (node, context) => (node.filter ? context.condition(node.filter, 'filter', { payload: true }) : []),
  timing: {
    longest: (node) => durationMs(node.timeout),
    // Left by its timeout, it waited all of it with no such event.
    leastBy: (node, exit) => (exit === 'timeout' ? durationMs(node.timeout) : undefined),
  },
  defaults: () => ({ event: 'message.received', timeout: 'P1D', lookBack: { kind: 'since-entry' as const } }),
});
