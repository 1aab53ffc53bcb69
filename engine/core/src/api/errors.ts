import { z } from 'zod';

/** One thing wrong with a request, as validation answers it: where (a dotted path) and why. */
export const Issue = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof Issue>;

/** Every error answer: a stable code for programs, a message a person can act on, maybe details. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, for programs: e.g. flow_not_found, forbidden.' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ description: 'Every error answer.' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** `GET /api/health`. */
export const Health = z.object({ ok: z.literal(true) });
export type Health = z.infer<typeof Health>;
