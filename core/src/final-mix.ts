/**
 * murmur3's fmix32: every input bit reaches every output bit. For the hashes in
 * canonical-hash.ts and detectors/step-hash.ts.
 */
export function finalMix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  return h ^ (h >>> 16);
}
