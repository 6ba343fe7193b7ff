import { randomBytes } from 'node:crypto';
import { cdoSuppressBGSounds, cdoSuppressFrames, cdoSuppressImages, cdoSuppressObjects, cdoSuppressStyleSheets } from './cdosys-constants.js';

export interface MhtmlResource {
  /** The URL as the document wrote it (relative to the document). */
  readonly url: string;
  readonly contentId: string;
}

// Which attribute of which element refers to what kind of resource, and the flag that suppresses it.
const REFERENCES: ReadonlyArray<{ tags: RegExp; attribute: string; flag: number; when?: RegExp }> = [
  { tags: /^img$/u, attribute: 'src', flag: cdoSuppressImages },
  { tags: /^input$/u, attribute: 'src', flag: cdoSuppressImages, when: /\btype\s*=\s*["']?image\b/iu },
  { tags: /^(?:body|table|td|th|tr)$/u, attribute: 'background', flag: cdoSuppressImages },
  { tags: /^link$/u, attribute: 'href', flag: cdoSuppressStyleSheets, when: /\brel\s*=\s*["']?stylesheet\b/iu },
  { tags: /^(?:frame|iframe)$/u, attribute: 'src', flag: cdoSuppressFrames },
  { tags: /^bgsound$/u, attribute: 'src', flag: cdoSuppressBGSounds },
  { tags: /^(?:embed|object)$/u, attribute: 'src', flag: cdoSuppressObjects },
  { tags: /^object$/u, attribute: 'data', flag: cdoSuppressObjects },
];

const TAG = /<([a-z][a-z0-9]*)\b([^<>]*)>/giu;

/**
 * Finds the local resources an HTML document refers to (images, style sheets, frames,
 * sounds, objects) that `suppress` does not exclude, and rewrites each reference to a
 * `cid:` URL. Absolute web, data:, cid: and mailto: references are left alone. The same
 * URL referred to twice is one part.
 */
export function mhtmlResources(html: string, suppress: number): { html: string; resources: MhtmlResource[] } {
  const byUrl = new Map<string, MhtmlResource>();
  const rewritten = html.replace(TAG, (whole: string, tag: string, attributes: string) => {
    const lowerTag = tag.toLowerCase();
    let out = attributes;
    for (const reference of REFERENCES) {
      if (!reference.tags.test(lowerTag) || (suppress & reference.flag) !== 0) continue;
      if (reference.when !== undefined && !reference.when.test(attributes)) continue;
      const pattern = new RegExp(`(\\s${reference.attribute}\\s*=\\s*)("([^"]*)"|'([^']*)'|([^\\s"'>]+))`, 'iu');
      out = out.replace(pattern, (match: string, lead: string, _v: string, dq?: string, sq?: string, bare?: string) => {
        const url = (dq ?? sq ?? bare ?? '').trim();
        if (url === '' || /^(?:[a-z][a-z0-9+.-]*:(?!\/\/\/|[a-z]:)|\/\/|#)/iu.test(url) && !/^file:/iu.test(url)) return match;
        let resource = byUrl.get(url);
        if (resource === undefined) {
          resource = { url, contentId: `${randomBytes(8).toString('hex')}@cdonts` };
          byUrl.set(url, resource);
        }
        return `${lead}"cid:${resource.contentId}"`;
      });
    }
    return out === attributes ? whole : `<${tag}${out}>`;
  });
  return { html: rewritten, resources: [...byUrl.values()] };
}
