import type { z } from 'zod';
import { Duration, EventName } from '../../flow/fields';
import { defineNode, durationMs, nodeSchema } from '../define';
import { conditionField, EVENT_NAME_FORM, GIVE_UP_AFTER_FORM } from '../form-fields';

export const WaitForEventNode = nodeSchema('wait_for_event', {
  event: EventName.meta(EVENT_NAME_FORM),
  /** Only matching events count; fields are `payload.*` (the event's) and `contact.*`. */
  filter: conditionField('Only if', '仅当'),
  timeout: Duration.meta(GIVE_UP_AFTER_FORM),
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
