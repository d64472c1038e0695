/**
 * 32-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/) of a string's
 * UTF-16 units: a cheap, stable hash for picking a shard or seeding an offset.
 * Shared by loki.write (stream → shard) and the Prometheus components (series).
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
