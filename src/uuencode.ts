// UUencode, for attachments in MailFormat Text messages (`begin 644 name` … `end`),
// as CDONTS wrote them. Not MIME: the classic 45-bytes-per-line format that `uudecode`
// and Python's binascii.a2b_uu read.

const LINE_BYTES = 45;

function encodeChar(sixBits: number): string {
  return sixBits === 0 ? '`' : String.fromCharCode(sixBits + 32);
}

/** One `begin … end` block, with CRLF line ends. */
export function uuencode(content: Uint8Array, fileName: string, mode = '644'): string {
  const lines = [`begin ${mode} ${fileName}`];
  for (let offset = 0; offset < content.length; offset += LINE_BYTES) {
    const chunk = content.subarray(offset, offset + LINE_BYTES);
    let line = encodeChar(chunk.length);
    for (let i = 0; i < chunk.length; i += 3) {
      const b0 = chunk[i] ?? 0;
      const b1 = chunk[i + 1] ?? 0;
      const b2 = chunk[i + 2] ?? 0;
      line += encodeChar(b0 >> 2) + encodeChar(((b0 << 4) | (b1 >> 4)) & 63) + encodeChar(((b1 << 2) | (b2 >> 6)) & 63) + encodeChar(b2 & 63);
    }
    lines.push(line);
  }
  lines.push('`', 'end');
  return lines.join('\r\n') + '\r\n';
}
