// A literal transcription of the compressor pseudo-code in [MS-OXRTFCP] 2.3.3.2 and
// 2.3.3.2.1 (dictionary writes during the search included), used only as an oracle:
// while the dictionary has not wrapped, our writer must produce exactly its bytes.
import { RTF_PRELOAD } from '../../src/rtf/compressed-rtf-format.js';
import { rtfCrc } from '../../src/rtf/rtf-crc.js';

export function specLzfuCompress(input: Uint8Array): Uint8Array {
  const dict = new Uint8Array(4096);
  dict.set(RTF_PRELOAD);
  let writePosition = 207;
  let size = 207;
  const add = (byte: number): void => {
    dict[writePosition] = byte;
    writePosition = (writePosition + 1) % 4096;
    size = Math.min(4096, size + 1);
  };
  const longestMatch = (pos: number): { offset: number; length: number } => {
    const final = writePosition;
    let match = size < 4096 ? 0 : (writePosition + 1) % 4096;
    let bestOffset = 0;
    let bestLength = 0;
    do {
      const maxLength = Math.min(17, input.length - pos);
      let length = 0;
      let d = match;
      while (length < maxLength && dict[d] === input[pos + length]) {
        length++;
        if (length > bestLength) add(input[pos + length - 1]!);
        d = (d + 1) % 4096;
      }
      if (length > bestLength) {
        bestOffset = match;
        bestLength = length;
      }
      match = (match + 1) % 4096;
    } while (match !== final && bestLength !== 17);
    if (bestLength === 0) add(input[pos]!);
    return { offset: bestOffset, length: bestLength };
  };

  const out: number[] = new Array<number>(16).fill(0);
  let pos = 0;
  for (let done = false; !done; ) {
    let control = 0;
    const run: number[] = [];
    for (let bit = 0; bit < 8; bit++) {
      if (pos >= input.length) {
        const token = writePosition << 4;
        run.push(token >> 8, token & 0xff);
        control |= 1 << bit;
        done = true;
        break;
      }
      const { offset, length } = longestMatch(pos);
      if (length <= 1) {
        run.push(input[pos]!);
        pos += 1;
      } else {
        const token = (offset << 4) | (length - 2);
        run.push(token >> 8, token & 0xff);
        control |= 1 << bit;
        pos += length;
      }
    }
    out.push(control, ...run);
  }
  const bytes = Uint8Array.from(out);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length - 4, true);
  view.setUint32(4, input.length, true);
  view.setUint32(8, 0x75465a4c, true);
  view.setUint32(12, rtfCrc(bytes, 16), true);
  return bytes;
}
