import { readFile } from 'node:fs/promises';
import { Mailer } from '../mailer.js';
import { configure, getDefaultMailer } from '../default-mailer.js';
import type { DkimOptions } from '../dkim-options.js';
import { NewMail, type BodyFormatValue, type ImportanceValue } from '../new-mail.js';
import { CdoMailFormatMime } from '../cdo-constants.js';
import { parseOptions } from './parse-options.js';
import { escapeNonAsciiInRtf } from '../rtf/rtf-escape.js';
import { withoutByteOrderMark } from './without-byte-order-mark.js';
import { UsageError } from './usage-error.js';
import type { CliIo } from './cli-io.js';

export const SEND_USAGE = `Usage: cdonts send --from ADDR --to ADDRS [options]

Sends one message (into the pickup directory ./mailroot/pickup unless told otherwise).

  --from ADDR            sender, e.g. "Web Site <web@example.com>"
  --to ADDRS             recipients, ';' or ',' separated (repeatable)
  --cc ADDRS             carbon-copy recipients (repeatable)
  --bcc ADDRS            blind recipients: in the envelope, never in the headers (repeatable)
  --subject TEXT         subject line
  --body TEXT            message body
  --body-file FILE       read the body from FILE ('-' for standard input)
  --format KIND          html | text | markdown | rtf (default text; an RTF body file
                         may be compressed RTF, as Outlook stores it)
  --attach PATH          attach a file, Base64 (repeatable)
  --importance LEVEL     low | normal | high (default normal)
  --header "Name: value" add a header (repeatable)
  --transport URL        smtp://host:port, smtps://…, pickup:DIR, memory: …
                         (default: $CDONTS_TRANSPORT, else the pickup directory)
  --dkim-domain DOMAIN   sign with DKIM for DOMAIN (d=); needs the two options below
  --dkim-selector NAME   the DKIM selector (s=): the key is published at NAME._domainkey.DOMAIN
  --dkim-key FILE        the PEM RSA private key
  --dry-run              build the message and print it; send nothing
  -h, --help             show this help

Exit codes: 0 sent, 1 delivery failed, 2 bad arguments or invalid message, 3 unreadable input.`;

const SEND_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  subject: { type: 'string' },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  format: { type: 'string' },
  attach: { type: 'string', multiple: true },
  importance: { type: 'string' },
  header: { type: 'string', multiple: true },
  transport: { type: 'string' },
  'dkim-domain': { type: 'string' },
  'dkim-selector': { type: 'string' },
  'dkim-key': { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  } as const;

const FORMATS = new Set(['html', 'text', 'markdown', 'rtf']);
const IMPORTANCES = new Set(['low', 'normal', 'high']);

export async function sendCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, SEND_OPTIONS, true);
  if (values.help === true) {
    io.out(SEND_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.from === undefined) throw new UsageError('--from is required');
  if (values.to === undefined && values.cc === undefined && values.bcc === undefined) {
    throw new UsageError('at least one of --to, --cc or --bcc is required');
  }
  if (values.body !== undefined && values['body-file'] !== undefined) throw new UsageError('use --body or --body-file, not both');
  const format = values.format ?? 'text';
  if (!FORMATS.has(format)) throw new UsageError(`--format must be html, text, markdown or rtf, got ${JSON.stringify(format)}`);
  const importance = values.importance ?? 'normal';
  if (!IMPORTANCES.has(importance)) throw new UsageError(`--importance must be low, normal or high, got ${JSON.stringify(importance)}`);

  // RTF from a file is bytes; typed on the command line, its characters are characters.
  const typed = format === 'rtf' && values.body !== undefined ? escapeNonAsciiInRtf(values.body) : (values.body ?? '');
  const body = values['body-file'] !== undefined ? await readBody(values['body-file'], io, format) : typed;
  const dryRun = values['dry-run'] === true;
  const dkim = await readDkim(values['dkim-domain'], values['dkim-selector'], values['dkim-key']);
  if (dkim !== undefined && !dryRun && values.transport === undefined) configure({ dkim });
  const mailer = dryRun ? new Mailer({ transport: 'memory:', dkim }) : values.transport !== undefined ? new Mailer({ transport: values.transport, dkim }) : getDefaultMailer();

  const mail = new NewMail({ mailer });
  mail.From = values.from;
  mail.To = (values.to ?? []).join(';');
  mail.Cc = (values.cc ?? []).join(';');
  mail.Bcc = (values.bcc ?? []).join(';');
  mail.Subject = values.subject ?? '';
  mail.BodyFormat = format as BodyFormatValue;
  mail.MailFormat = CdoMailFormatMime;
  mail.Body = body;
  mail.Importance = importance as ImportanceValue;
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header must look like "Name: value", got ${JSON.stringify(header)}`);
    mail.Value(header.slice(0, colon).trim(), header.slice(colon + 1).trim());
  }
  for (const path of values.attach ?? []) mail.AttachFile(path, undefined, 1);

  try {
    const result = await mail.Send();
    if (dryRun) {
      const stored = mailer.memory?.messages.at(-1);
      io.out(stored === undefined ? '' : stored.raw.toString('utf8'));
      io.err(`dry run: nothing sent (Message-ID ${result.messageId})`);
    } else {
      io.out(`sent via ${result.transport}: ${result.path ?? result.response ?? 'accepted'}`);
      io.out(`Message-ID: ${result.messageId}`);
    }
    return 0;
  } finally {
    if (mailer !== getDefaultMailer()) await mailer.close();
  }
}

/** --dkim-domain, --dkim-selector and --dkim-key go together; the key file is read here. */
async function readDkim(domainName: string | undefined, keySelector: string | undefined, keyFile: string | undefined): Promise<DkimOptions | undefined> {
  if (domainName === undefined && keySelector === undefined && keyFile === undefined) return undefined;
  if (domainName === undefined || keySelector === undefined || keyFile === undefined) {
    throw new UsageError('--dkim-domain, --dkim-selector and --dkim-key go together');
  }
  return { domainName, keySelector, privateKey: await readFile(keyFile, 'utf8') };
}

/** RTF stays bytes (the reader decodes its code pages); every other format is UTF-8 text. */
async function readBody(path: string, io: CliIo, format: string): Promise<string | Uint8Array> {
  const bytes = path === '-' ? await io.readStdin() : await readFile(path);
  return format === 'rtf' ? bytes : withoutByteOrderMark(bytes.toString('utf8'));
}
