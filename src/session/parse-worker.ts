// Runs in a worker thread and answers synchronously (synckit): mailparser is asynchronous,
// the CDONTS read API is not.
import { readFile } from 'node:fs/promises';
import { runAsWorker } from 'synckit';
import { simpleParser, type AddressObject } from 'mailparser';
import { createBodyEngines } from '../converter/body-engines.js';
import type { ParsedAddress, ParsedMessage } from './parsed-message.js';

const engines = createBodyEngines();

function list(field: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value.map((v) => ({ name: v.name, address: v.address ?? '' })));
}

function header(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'value' in value) return String((value).value);
  return '';
}

runAsWorker(async (path: string, skipEnvelope: number): Promise<ParsedMessage> => {
  const bytes = (await readFile(path)).subarray(skipEnvelope);
  const mail = await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const convert = await engines;
  const html = typeof mail.html === 'string' ? mail.html : undefined;
  const text = mail.text ?? (html === undefined ? '' : (convert.convert(html, 'html', 'text') as string));
  const priority = header(mail.headers.get('priority')) || 'normal';
  return {
    subject: mail.subject ?? '',
    text,
    html: html ?? (convert.convert(text, 'text', 'html') as string),
    from: list(mail.from)[0] ?? { name: '', address: '' },
    to: list(mail.to),
    cc: list(mail.cc),
    date: mail.date?.getTime(),
    importance: priority === 'high' ? 2 : priority === 'low' ? 0 : 1,
    contentBase: header(mail.headers.get('content-base')),
    contentId: header(mail.headers.get('content-id')),
    contentLocation: header(mail.headers.get('content-location')),
    attachments: mail.attachments.map((a) => ({
      name: a.filename ?? '',
      contentType: a.contentType,
      content: new Uint8Array(a.content),
      contentId: a.cid ?? '',
      contentLocation: header(a.headers.get('content-location')),
      contentBase: header(a.headers.get('content-base')),
    })),
  };
});
