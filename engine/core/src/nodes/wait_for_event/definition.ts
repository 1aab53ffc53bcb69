import type { z } from 'zod';
import { Condition } from '../../flow/conditions';
import { Duration, EventName } from '../../flow/fields';
import { defineNode, durationMs, form, nodeSchema } from '../define';

export const WaitForEventNode = nodeSchema('wait_for_event', {
  event: EventName.meta(
    form('Event name', '事件名', {
      help: { en: 'e.g. member.joined, order.paid', zh: '例如 member.joined、order.paid' },
    }),
  ),
  /** Only matching events count; fields are `payload.*` (the event's) and `contact.*`. */
  filter: Condition.optional().meta(form('Only if', '仅当', { widget: 'condition' })),
  timeout: Duration.meta(form('Give up after', '最多等待', { widget: 'duration' })),
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
  timing: { longest: (node) => durationMs(node.timeout) },
  defaults: () => ({ event: 'message.received', timeout: 'P1D' }),
});
