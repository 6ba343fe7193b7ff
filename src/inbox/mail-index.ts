import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AddressObject, ParsedMail } from 'mailparser';

export interface MailSummary {
  /** "folder/name.eml": what URLs carry; checked against the folder listing, never joined blindly. */
  readonly id: string;
  readonly folder: string;
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  readonly date: number;
  readonly size: number;
}

const NAME = /^[\w.-]+\.eml$/u;

/** mailparser is loaded on the first look at a message, not when the package is imported. */
async function parse(raw: Buffer): Promise<ParsedMail> {
  const { simpleParser } = await import('mailparser');
  return simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
}

function addresses(field: AddressObject | AddressObject[] | undefined): string {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.map((a) => a.text).join(', ');
}

/** The messages of a few folders (pickup, drop…), summarised once per file version. */
export class MailIndex {
  readonly #folders: ReadonlyMap<string, string>;
  readonly #cache = new Map<string, { mtime: number; summary: MailSummary }>();

  constructor(folders: Record<string, string>) {
    this.#folders = new Map(Object.entries(folders));
  }

  get folders(): readonly string[] {
    return [...this.#folders.values()];
  }

  /** Newest first; `query` matches sender, recipients and subject, case-insensitively. */
  async list(query = ''): Promise<MailSummary[]> {
    const all: MailSummary[] = [];
    for (const [folder, directory] of this.#folders) {
      let names: string[];
      try {
        names = (await readdir(directory)).filter((n) => NAME.test(n));
      } catch {
        continue;
      }
      for (const name of names) {
        const summary = await this.#summary(folder, directory, name).catch(() => undefined);
        if (summary !== undefined) all.push(summary);
      }
    }
    const needle = query.trim().toLowerCase();
    return all
      .filter((m) => needle === '' || `${m.from}\n${m.to}\n${m.subject}`.toLowerCase().includes(needle))
      .sort((a, b) => b.date - a.date || (a.id < b.id ? 1 : -1));
  }

  /** The full message, or undefined when the id does not name a listed file. */
  async read(id: string): Promise<{ summary: MailSummary; parsed: ParsedMail; raw: Buffer } | undefined> {
    const [folder, name] = id.split('/');
    const directory = folder === undefined ? undefined : this.#folders.get(folder);
    if (directory === undefined || name === undefined || !NAME.test(name) || !(await readdir(directory).catch((): string[] => [])).includes(name)) return undefined;
    // Listed, but a directory (or gone since): not a message.
    const raw = await readFile(join(directory, name)).catch(() => undefined);
    if (raw === undefined) return undefined;
    const parsed = await parse(raw);
    const summary = await this.#summary(folder ?? '', directory, name);
    return { summary, parsed, raw };
  }

  async #summary(folder: string, directory: string, name: string): Promise<MailSummary> {
    const path = join(directory, name);
    const info = await stat(path);
    const cached = this.#cache.get(path);
    if (cached !== undefined && cached.mtime === info.mtimeMs) return cached.summary;
    const raw = await readFile(path);
    const end = raw.indexOf('\r\n\r\n');
    const parsed = await parse(end < 0 ? raw : raw.subarray(0, end + 4));
    const summary: MailSummary = {
      id: `${folder}/${basename(name)}`,
      folder,
      subject: parsed.subject ?? '',
      from: addresses(parsed.from),
      to: [addresses(parsed.to), addresses(parsed.cc)].filter((s) => s !== '').join(', '),
      date: parsed.date?.getTime() ?? info.mtimeMs,
      size: info.size,
    };
    this.#cache.set(path, { mtime: info.mtimeMs, summary });
    return summary;
  }
}
