import { z } from 'zod';

/**
 * Whole numbers as requests give them. Versions, points and page sizes are stored in or compared
 * with Postgres `int` columns, so a number past that range must be refused where it comes in,
 * naming its field, rather than failing in the database.
 */

/** The largest value of a Postgres `int`. */
export const INT_MAX = 2_147_483_647;

const checks = (min: number, max: number) => ({
  int: { error: 'Must be a whole number. / 须为整数。' },
  min: { error: `Must be at least ${min}. / 不能小于 ${min}。` },
  max: { error: `Must be at most ${max}. / 不能大于 ${max}。` },
});

/** A whole number of a JSON body, from `min` to `max` (Postgres's int range by default). */
export function wholeNumber(min: number, max = INT_MAX) {
  const message = checks(min, max);
  return z.number().int(message.int).min(min, message.min).max(max, message.max);
}

/** A whole number in a query string or a path, where every value is text. */
export function wholeNumberText(min: number, max = INT_MAX) {
  const message = checks(min, max);
  return z.coerce.number().int(message.int).min(min, message.min).max(max, message.max);
}

/** A published version of a flow in a body: 1 and up. */
export const VersionNumber = wholeNumber(1);

/** A published version of a flow in a query or a path. */
export const VersionText = wholeNumberText(1);

/**
 * The bound of a contact's points: the balance is an `int`, and the ledger records each change
 * (the new balance minus the old), which must fit one too.
 */
export const POINTS_LIMIT = 1_000_000_000;

/** A contact's points balance as a request sets it. */
export const Points = wholeNumber(-POINTS_LIMIT, POINTS_LIMIT);

/** The largest value of a Postgres `bigint` (`bigserial` ids). */
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** The id of a `bigserial` row as text (an audit entry's): digits, within a `bigint`. */
export const SerialIdText = z
  .string()
  .regex(/^\d{1,19}$/, { error: 'Must be a row id: digits only. / 须为数字 id。' })
  // Refinements run when the pattern fails too: only digits are read as a number.
  .refine((text) => !/^\d+$/.test(text) || BigInt(text) <= BIGINT_MAX, {
    error: `Must be at most ${BIGINT_MAX}. / 不能大于 ${BIGINT_MAX}。`,
  });
