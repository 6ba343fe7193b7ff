import addressparser from 'nodemailer/lib/addressparser';

export interface PickupMessage {
  readonly from: string;
  readonly recipients: readonly string[];
  /** The message as it goes to the server: without envelope lines, without Bcc. */
  readonly message: Buffer;
}

const ENVELOPE_LINE = /^X-(Sender|Receiver):[ \t]*(.*)$/iu;

/**
 * Reads a pickup file: the `X-Sender`/`X-Receiver` lines on top are the envelope, as IIS
 * wrote and read them. A file without them falls back to From and To/Cc/Bcc, as IIS did,
 * and its Bcc header is removed before sending.
 */
export function readPickupFile(bytes: Buffer): PickupMessage {
  let offset = 0;
  let from: string | undefined;
  const recipients: string[] = [];
  for (;;) {
    const end = bytes.indexOf('\r\n', offset);
    if (end < 0) break;
    const match = ENVELOPE_LINE.exec(bytes.toString('utf8', offset, end));
    if (match === null) break;
    const value = (match[2] ?? '').trim().replace(/^<|>$/gu, '');
    if (match[1]?.toLowerCase() === 'sender') from = value;
    else if (value !== '') recipients.push(value);
    offset = end + 2;
  }
  if (from !== undefined || recipients.length > 0) {
    return { from: from ?? '', recipients, message: bytes.subarray(offset) }; // an empty X-Sender is the null sender (bounces)
  }
  return fromHeaders(bytes);
}

function fromHeaders(bytes: Buffer): PickupMessage {
  const split = bytes.indexOf('\r\n\r\n');
  const headerEnd = split < 0 ? bytes.length : split + 2;
  const lines = bytes.toString('utf8', 0, headerEnd).split('\r\n');
  const fields: Array<{ name: string; raw: string[] }> = [];
  for (const line of lines) {
    if (/^[ \t]/u.test(line) && fields.length > 0) fields.at(-1)?.raw.push(line);
    else if (line !== '') fields.push({ name: line.slice(0, Math.max(0, line.indexOf(':'))).trim().toLowerCase(), raw: [line] });
  }
  const value = (field: { raw: string[] }): string => {
    const joined = field.raw.join(' ');
    return joined.slice(joined.indexOf(':') + 1);
  };
  const addresses = (names: string[]): string[] =>
    fields
      .filter((f) => names.includes(f.name))
      .flatMap((f) => addressparser(value(f), { flatten: true }))
      .map((a) => a.address ?? '')
      .filter((a) => a !== '');
  const [from = ''] = addresses(['from']);
  const recipients = [...new Set(addresses(['to', 'cc', 'bcc']))];
  const kept = fields.filter((f) => f.name !== 'bcc').flatMap((f) => f.raw);
  const message = Buffer.concat([Buffer.from(`${kept.join('\r\n')}\r\n`), bytes.subarray(headerEnd)]);
  return { from, recipients, message };
}
