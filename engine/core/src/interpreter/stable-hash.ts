/**
 * A number in [0, 1) from a string, the same on every machine and every replay (FNV-1a, 32 bit).
 * Splits use it so a contact always lands in the same arm.
 */
export function stableFraction(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}
