import { basename } from 'node:path';
import { CdoError } from '../errors/cdo-error.js';
import { assertHeaderText } from '../header-text.js';
import { scalarText } from '../internal/primitive.js';
import { cdosysError } from './cdosys-error.js';
import { createFields, type Fields } from './fields.js';

/** What a BodyPart is in the message. */
export type BodyPartRole = 'root' | 'text' | 'html' | 'attachment' | 'related';

/** Where an attachment's or related part's bytes come from; read (or fetched) at Send. */
export type PartSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'url'; readonly url: string };

const ENCODINGS = new Set(['7bit', '8bit', 'binary', 'quoted-printable', 'base64']);
const MAILHEADER = 'urn:schemas:mailheader:';
const PART_HEADERS = new Set(['content-disposition', 'content-type', 'content-id', 'content-location', 'content-description', 'content-language', 'content-base']);

/** The message-wide charset setter a part forwards to (one charset per message, see README). */
export interface CharsetOwner {
  charset(role: BodyPartRole): string;
  setCharset(role: BodyPartRole, name: unknown): void;
}

/**
 * An IBodyPart: Charset, ContentMediaType, ContentTransferEncoding, FileName (read-only,
 * from Content-Disposition) and Fields holding its `urn:schemas:mailheader:content-*`
 * headers (renaming an attachment, a related part's Content-ID).
 */
export class BodyPart {
  readonly #role: BodyPartRole;
  readonly #owner: CharsetOwner;
  readonly source: PartSource | undefined;
  readonly #headers = new Map<string, { name: string; value: string }>();
  readonly #fields: Fields;
  #mediaType: string;
  #encoding = '';

  constructor(role: BodyPartRole, owner: CharsetOwner, mediaType: string, source?: PartSource, fileName?: string) {
    this.#role = role;
    this.#owner = owner;
    this.#mediaType = mediaType;
    this.source = source;
    if (fileName !== undefined) this.#headers.set('content-disposition', { name: 'content-disposition', value: `${role === 'related' ? 'inline' : 'attachment'}; filename="${fileName}"` });
    this.#fields = createFields({
      key: (name) => {
        const lower = name.toLowerCase();
        if (!lower.startsWith(MAILHEADER) || !PART_HEADERS.has(lower.slice(MAILHEADER.length))) {
          throw new CdoError('CDO_E_INVALID_PARAMETER', `BodyPart.Fields holds urn:schemas:mailheader:content-* headers (${[...PART_HEADERS].join(', ')}), got ${JSON.stringify(name.slice(0, 80))}`);
        }
        return lower.slice(MAILHEADER.length);
      },
      read: (key) => (key === 'content-type' ? this.#mediaType : this.#headers.get(key)?.value),
      commit: (key, name, value) => {
        const text = assertHeaderText(scalarText(value, `BodyPart field ${name}`), `BodyPart field ${name}`);
        if (key === 'content-type') {
          this.ContentMediaType = text.split(';')[0]?.trim() ?? '';
          const named = /;\s*name\s*=\s*"?([^";]+)"?/iu.exec(text)?.[1];
          if (named !== undefined && !this.#headers.has('content-disposition')) this.#headers.set('content-disposition', { name: 'content-disposition', value: `attachment; filename="${named}"` });
          return;
        }
        if (text === '') this.#headers.delete(key);
        else this.#headers.set(key, { name: key, value: text });
      },
      names: () => [MAILHEADER + 'content-type', ...[...this.#headers.keys()].map((k) => MAILHEADER + k)],
      remove: (key) => this.#headers.delete(key),
    });
  }

  get Fields(): Fields {
    return this.#fields;
  }

  get role(): BodyPartRole {
    return this.#role;
  }

  get Charset(): string {
    return this.#owner.charset(this.#role);
  }
  set Charset(value: string) {
    this.#owner.setCharset(this.#role, value);
  }

  get ContentMediaType(): string {
    return this.#mediaType;
  }
  set ContentMediaType(value: string) {
    const type = assertHeaderText(value, 'ContentMediaType').trim().toLowerCase();
    if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/u.test(type)) throw new CdoError('CDO_E_INVALID_PARAMETER', `ContentMediaType must be type/subtype, got ${JSON.stringify(type.slice(0, 80))}`);
    if ((this.#role === 'text' && type !== 'text/plain') || (this.#role === 'html' && type !== 'text/html')) {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `the ${this.#role} body part is ${this.#role === 'text' ? 'text/plain' : 'text/html'}`);
    }
    this.#mediaType = type;
  }

  /** "" lets the library choose (quoted-printable or base64 as the content needs). */
  get ContentTransferEncoding(): string {
    return this.#encoding === '' ? '7bit' : this.#encoding;
  }
  set ContentTransferEncoding(value: string) {
    const encoding = scalarText(value, 'ContentTransferEncoding').trim().toLowerCase();
    if (!ENCODINGS.has(encoding)) throw cdosysError('CDO_E_INVALID_ENCODING_TYPE', `Use 7bit, 8bit, binary, quoted-printable or base64, not ${JSON.stringify(encoding.slice(0, 40))}.`);
    this.#encoding = encoding;
  }

  /** The encoding the script asked for, or undefined (library's choice). */
  get chosenEncoding(): string | undefined {
    return this.#encoding === '' || this.#encoding === '7bit' || this.#encoding === '8bit' || this.#encoding === 'binary' ? undefined : this.#encoding;
  }

  /** The Content-Disposition filename, "" when none. */
  get FileName(): string {
    const disposition = this.#headers.get('content-disposition')?.value ?? '';
    return /filename\s*=\s*"?([^";]+)"?/iu.exec(disposition)?.[1] ?? '';
  }

  /** Header overrides for compose: Content-ID, Content-Location, Content-Description… */
  header(key: string): string | undefined {
    return this.#headers.get(key)?.value;
  }

  static fileNameOf(pathOrUrl: string): string {
    const path = pathOrUrl.split(/[?#]/u)[0] ?? '';
    return basename(path.replace(/\\/gu, '/')) || 'attachment';
  }
}
