/**
 * CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of RecordBatch v2, computed with
 * slicing-by-8 tables: eight bytes per step instead of one. On this project's machines it runs about six
 * times faster than `@aws-crypto/crc32c` (byte-at-a-time); `npm run bench:broker` prints both.
 */

const POLY = 0x82f63b78;

const T = ((): Uint32Array[] => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = tables[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n]!;
    for (let k = 1; k < 8; k++) {
      c = (t0[c & 0xff]! ^ (c >>> 8)) >>> 0;
      tables[k]![n] = c;
    }
  }
  return tables;
})();

const [T0, T1, T2, T3, T4, T5, T6, T7] = T as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/** CRC-32C of `data`, continuing from `previous` (the result of an earlier call) when given. */
export function crc32c(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  let i = 0;
  const end8 = data.length - (data.length & 7);
  for (; i < end8; i += 8) {
    const lo = (crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    crc =
      T7[lo & 0xff]! ^
      T6[(lo >>> 8) & 0xff]! ^
      T5[(lo >>> 16) & 0xff]! ^
      T4[lo >>> 24]! ^
      T3[data[i + 4]!]! ^
      T2[data[i + 5]!]! ^
      T1[data[i + 6]!]! ^
      T0[data[i + 7]!]!;
  }
  for (; i < data.length; i++) crc = T0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
