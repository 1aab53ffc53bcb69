import { z } from 'zod';
import { configField } from '../connector';

/** Config fields several providers take, named the same in every channel form. */

type Text = readonly [en: string, zh: string];

/** How long one call to the provider may take, in milliseconds. */
export const timeoutField = (byDefault: number, help: Text) =>
  z
    .number()
    .int()
    .min(1000)
    .default(byDefault)
    .meta(configField(['Timeout (ms)', '超时（毫秒）'], help));

/** The IANA time zone a provider's daily quotas reset in. */
export const quotaTimeZoneField = (help: Text) =>
  z
    .string()
    .default('Asia/Shanghai')
    .meta(configField(['Quota time zone', '配额时区'], help));
