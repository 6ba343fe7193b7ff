import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';

/** Reads a raw message with a real parser (mailparser). */
export function parseMail(raw: Buffer | string): Promise<ParsedMail> {
  return simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
}

/** Every address in a parsed address header, lower-cased. */
export function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}
