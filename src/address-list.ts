import { domainToASCII, domainToUnicode } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { CdoError } from './errors/cdo-error.js';
import { assertHeaderText } from './header-text.js';

/** One parsed address: what goes into the header and into the SMTP envelope. */
export interface Mailbox {
  readonly name: string;
  readonly address: string;
}

/** Long enough for a mass-mail Bcc list of tens of thousands of addresses; parsing is linear. */
export const MAX_ADDRESS_LIST_LENGTH = 1_048_576;

// RFC 5322 dot-atom local part, widened to UTF-8 for RFC 6531 (SMTPUTF8) addresses.
const DOT_ATOM_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/u;
const QUOTED_LOCAL = /^"(?:[\u0020\u0021\u0023-\u005b\u005d-\u007e\u0080-\uffff]|\\[\u0020-\u007e])*"$/u;
const ADDRESS_LITERAL = /^\[(?:\d{1,3}\.){3}\d{1,3}\]$/u;
/** An entry addressparser reads as itself: one '@', no space, quote, bracket, comment or non-ASCII. */
export const PLAIN_ADDRESS = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/u;
const QUOTED_THEN_BARE = /^"(?:[^"\\]|\\.)*"\s+([^\s"<>()]+)$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/u;

/**
 * Parses a CDONTS recipient list: ';' or ',' separated, quoted display names kept,
 * trailing separators ignored, `addr (Name)` and `Name<addr>` accepted. Every address is
 * checked; anything doubtful is refused rather than guessed at.
 */
export function parseAddressList(raw: unknown, what: string): Mailbox[] {
  const text = assertHeaderText(raw, what, MAX_ADDRESS_LIST_LENGTH);
  const mailboxes: Mailbox[] = [];
  for (const raw of splitEntries(text)) {
    // The common shape, a bare ASCII address: addressparser would return exactly it, with
    // no display name (test/address-list-fast-path.test.ts checks that), so it is not asked.
    if (PLAIN_ADDRESS.test(raw)) {
      mailboxes.push(checkMailbox('', raw, what));
      continue;
    }
    const parsed = addressparser(raw);
    const [entry] = parsed;
    if (parsed.length !== 1 || entry === undefined) {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `${what}: cannot read ${JSON.stringify(raw.slice(0, 120))} as one address`);
    }
    if (entry.group !== undefined) {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `${what}: address groups ("${entry.name}: …;") are not supported`);
    }
    if (!accountsForEntry(raw, entry.address)) {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `${what}: ${JSON.stringify(raw.slice(0, 120))} is ambiguous; write "Name <address>"`);
    }
    mailboxes.push(checkMailbox(entry.name, entry.address, what));
  }
  return mailboxes;
}

/**
 * Splits a list on ',' and ';' outside quotes, <…> and (…), dropping empty entries, so
 * each entry can be checked on its own.
 */
function splitEntries(text: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  let angle = 0;
  let comment = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '\\' && i + 1 < text.length) {
        current += c + (text[++i] as string);
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if (c === '(') comment++;
    else if (c === ')') comment = Math.max(0, comment - 1);
    else if ((c === ',' || c === ';') && angle === 0 && comment === 0) {
      if (current.trim() !== '') entries.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') entries.push(current.trim());
  return entries;
}

/**
 * The parser turns stray words into a display name ("a@exa mple.com" becomes
 * "mple.com" <a@exa>). Only the shapes CDONTS scripts write are accepted: `addr`,
 * `addr (Name)`, `Name <addr>`, `"Name" <addr>`.
 */
function accountsForEntry(raw: string, address: string): boolean {
  const withoutComments = raw.replace(/\([^()]*\)/gu, ' ').trim();
  const angle = /<([^<>]*)>\s*$/u.exec(withoutComments);
  // `"Ann Lee" ann@example.com`: a quoted display name, then the bare address (CDONTS and
  // CDOSYS both took it; real queue jobs write it).
  if (angle === null) return withoutComments === address || QUOTED_THEN_BARE.exec(withoutComments)?.[1] === address;
  // The display name before '<' is a quoted string or plain words: specials there
  // ("a@x.org)<b@y.org>", "a@x.org<<b@y.org>") are how allow-lists get fooled.
  const phrase = withoutComments.slice(0, angle.index).trim();
  const plainWords = /^[^<>()@,;:\\"[\]]*$/u.test(phrase);
  const quoted = /^"(?:[^"\\]|\\.)*"$/u.test(phrase);
  return (plainWords || quoted) && (angle[1] ?? '').trim() === address;
}

/** Parses exactly one address (From). */
export function parseMailbox(raw: unknown, what: string): Mailbox {
  const list = parseAddressList(raw, what);
  const [only] = list;
  if (list.length !== 1 || only === undefined) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must hold exactly one address, got ${list.length}`);
  }
  return only;
}

export function formatMailbox({ name, address }: Mailbox): string {
  return name === '' ? address : `"${name.replace(/["\\]/gu, '\\$&')}" <${address}>`;
}

export function formatAddressList(list: readonly Mailbox[]): string {
  return list.map(formatMailbox).join(', ');
}

function checkMailbox(name: string, address: string, what: string): Mailbox {
  if (address === '') {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what}: "${name.slice(0, 60)}" is not an e-mail address`);
  }
  const canonical = canonicalAddress(address);
  if (canonical === undefined) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what}: "${address.slice(0, 120)}" is not a valid e-mail address`);
  }
  return { name: assertHeaderText(name, `${what} display name`), address: canonical };
}

/**
 * The address as it will be sent, or undefined when it is not one. The domain goes
 * through UTS-46 (soft hyphens and zero-width characters dropped, full-width letters
 * folded, case lowered), so what is checked, shown and sent is one and the same domain.
 */
function canonicalAddress(address: string): string | undefined {
  if (address.length > 254) return undefined;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64) return undefined;
  if (!DOT_ATOM_LOCAL.test(local) && !QUOTED_LOCAL.test(local)) return undefined;
  if (!local.isWellFormed() || /[\u00ad\u200b-\u200f\u2060\ufeff]/u.test(local)) return undefined;
  if (ADDRESS_LITERAL.test(domain)) return address;
  const canonical = canonicalDomain(domain);
  return canonical === undefined ? undefined : `${local}@${canonical}`;
}

// Domains repeat from message to message (one sender, a few recipient domains): their
// UTS-46 form is remembered. A pure function of the domain; bounded, emptied when full.
const MAX_REMEMBERED_DOMAINS = 1024;
const rememberedDomains = new Map<string, string | null>();

function canonicalDomain(domain: string): string | undefined {
  const known = rememberedDomains.get(domain);
  if (known !== undefined) return known ?? undefined;
  const ascii = domainToASCII(domain);
  const canonical = ascii === '' || ascii.length > 253 || !ascii.split('.').every((label) => LABEL.test(label)) ? undefined : domainToUnicode(ascii);
  if (domain.length <= 253) {
    if (rememberedDomains.size >= MAX_REMEMBERED_DOMAINS) rememberedDomains.clear();
    rememberedDomains.set(domain, canonical ?? null);
  }
  return canonical;
}
