import { z } from 'zod';

/** Pieces the route families' query strings share (every value in a query string is text). */

/** A page size a query may ask for: a whole number from 1 to `max`. */
export function pageLimit(max: number) {
  return z.coerce.number().int().min(1).max(max);
}
