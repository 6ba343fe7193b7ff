// The CRC of [MS-OXRTFCP] 2.1.3.2: the usual reflected CRC-32 table (polynomial
// 0xEDB88320) but with initial value 0 and no final XOR, so zlib's crc32 does not fit
// without juggling; a table keeps the core free of Node APIs.

const TABLE = makeTable();

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC of `bytes[start, end)` as [MS-OXRTFCP] defines it (unsigned 32-bit). The range is
 * clipped to the array, so the CRC of an empty range is 0.
 */
export function rtfCrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const stop = Math.min(end, bytes.length);
  let crc = 0;
  for (let i = Math.max(0, start); i < stop; i++) {
    crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return crc >>> 0;
}
