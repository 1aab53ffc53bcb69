import { z } from 'zod';
import { Duration } from '../../flow/fields';
import { defineNode, durationMs, form, nodeSchema } from '../define';

export const WaitNode = nodeSchema('wait', {
  duration: Duration.meta(form('Wait for', '等待', { widget: 'duration' })),
  /**
   * Days (and weeks) as calendar days in the contact's time zone: the same local time that many
   * days later, also across a daylight-saving change. Absent (steps made before it existed): a day
   * is 24 hours, so running contacts keep the waits they started with. New steps set it.
   */
  calendarDays: z
    .boolean()
    .optional()
    .meta(
      form('Count days on the calendar', '按日历天计算', {
        help: {
          en: 'On: a day ends at the same local time the next day, also when the clocks change for daylight saving. Off: a day is 24 hours.',
          zh: '开启：一天即到次日同一当地时间，夏令时调整时钟时也是如此。关闭：一天按 24 小时计算。',
        },
      }),
    ),
});
export type WaitNode = z.infer<typeof WaitNode>;

export const wait = defineNode({
  schema: WaitNode,
  words: { label: { en: 'Wait', zh: '等待' }, hint: { en: 'Pause for a while', zh: '等待一段时间' } },
  waits: () => true,
  timing: { longest: (node) => durationMs(node.duration), fixed: (node) => durationMs(node.duration) },
  defaults: () => ({ duration: 'P1D', calendarDays: true }),
});
