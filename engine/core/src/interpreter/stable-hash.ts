/**
 * A number in [0, 1) from a string, the same on every machine and every replay: FNV-1a (32 bit)
 * followed by MurmurHash3's finaliser. Without the finaliser, ids that differ only in their last
 * characters (c1, c2, … c10) keep most of their difference in the low bits and land in the same
 * split arm; the finaliser spreads every input bit over the whole word.
 */
export function stableFraction(text: string): number {
  return mix32(fnv1a(text)) / 0x1_0000_0000;
}

/**
 * The hash plans compiled before plan version 3 split with (FNV-1a alone). Kept so a contact
 * already running such a plan takes, on replay, the arm it took when it passed the split.
 */
export function legacyStableFraction(text: string): number {
  return fnv1a(text) / 0x1_0000_0000;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** MurmurHash3's fmix32. */
function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
