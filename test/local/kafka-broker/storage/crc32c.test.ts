import { crc32c as reference } from '@aws-crypto/crc32c';
import { crc32c } from '../../../../local/kafka-broker/storage/crc32c';

describe('crc32c', () => {
  it('matches the published check value', () => {
    // CRC-32C of the ASCII digits 1..9 (RFC 3720, appendix B.4 lists it as the check value).
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with @aws-crypto/crc32c on every length and alignment up to 64 bytes and on large buffers', () => {
    const data = Buffer.alloc(70_000);
    let x = 12345;
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[i] = x >>> 24;
    }
    for (let start = 0; start < 8; start++) {
      for (let len = 0; len <= 64; len++) {
        const slice = data.subarray(start, start + len);
        expect(crc32c(slice)).toBe(reference(slice) >>> 0);
      }
    }
    expect(crc32c(data)).toBe(reference(data) >>> 0);
  });

  it('continues a checksum across chunks', () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog, twice over');
    expect(crc32c(data.subarray(13), crc32c(data.subarray(0, 13)))).toBe(crc32c(data));
  });
});
