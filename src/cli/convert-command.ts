import { readFile } from 'node:fs/promises';
import { bodyKinds, type BodyKind } from '../converter/body-kind.js';
import { converter } from '../converter/converter.js';
import { compressRtfSync } from '../rtf/compress-rtf.js';
import { parseOptions } from './parse-options.js';
import { UsageError } from './usage-error.js';
import { withoutByteOrderMark } from './without-byte-order-mark.js';
import type { CliIo } from './cli-io.js';

export const CONVERT_USAGE = `Usage: cdonts convert --from KIND --to KIND [FILE]

Converts a body between formats with the library's converter, reading FILE (or standard
input) and writing standard output. KIND is one of: ${bodyKinds.join(', ')}.

  --from KIND     the input's format; RTF input may be compressed RTF (LZFu or MELA),
                  as Outlook and Exchange store it (PR_RTF_COMPRESSED)
  --to KIND       the output's format; html → rtf and text → rtf encapsulate as Outlook
                  does, so rtf → html / text gives the original back
  --compress      with --to rtf: write compressed RTF (LZFu) instead of RTF
  -h, --help      show this help

Exit codes: 0 converted, 2 bad arguments or a format that cannot be read (e.g. damaged
compressed RTF), 3 unreadable input file.`;

export async function convertCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { from: { type: 'string' }, to: { type: 'string' }, compress: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help === true) {
    io.out(CONVERT_USAGE);
    return 0;
  }
  const from = kindOption(values.from, '--from');
  const to = kindOption(values.to, '--to');
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  if (values.compress === true && to !== 'rtf') throw new UsageError('--compress needs --to rtf');

  const path = positionals[0];
  const bytes = path === undefined || path === '-' ? await io.readStdin() : await readFile(path);
  // RTF is bytes in its own code pages; every other kind is UTF-8 text.
  const input = from === 'rtf' ? bytes : withoutByteOrderMark(bytes.toString('utf8'));
  const lease = await converter.acquire();
  let output: string;
  try {
    output = await lease.convert(input, from, to);
  } finally {
    await lease.release();
  }
  if (to !== 'rtf') {
    io.write(output);
    return 0;
  }
  // RTF is a byte string: one character per byte, never UTF-8 encoded on the way out.
  const rtf = Buffer.from(output, 'latin1');
  io.write(values.compress === true ? compressRtfSync(rtf) : rtf);
  return 0;
}

function kindOption(value: string | undefined, flag: string): BodyKind {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  if (!(bodyKinds as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${bodyKinds.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as BodyKind;
}
