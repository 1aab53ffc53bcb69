import { wholeNumberText } from './numbers';

/** Pieces the route families' query strings share (every value in a query string is text). */

/** A page size a query may ask for: a whole number from 1 to `max`. */
export function pageLimit(max: number) {
  return wholeNumberText(1, max);
}
