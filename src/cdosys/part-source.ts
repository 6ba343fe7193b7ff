import { fileURLToPath } from 'node:url';
import { resolveAttachmentPathSync } from '../attachment-path.js';
import { CdoError } from '../errors/cdo-error.js';
import { assertHeaderText } from '../header-text.js';
import type { PartSource } from './body-part.js';
import { assertUrlAllowed } from './url-access.js';

/**
 * Where AddAttachment / AddRelatedBodyPart / CreateMHTMLBody read from: a path or a
 * `file://` URL (checked against attachmentRoot and for existence at once), or an
 * http(s) URL that `configure({ urlAccess })` allows (fetched at Send). Anything else is
 * refused.
 */
export function partSource(given: unknown, root: string | undefined, what: string): PartSource {
  const source = assertHeaderText(given, what).trim();
  if (source === '') throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} needs a path or URL`);
  if (/^https?:\/\//iu.test(source)) {
    assertUrlAllowed(source);
    return { kind: 'url', url: source };
  }
  if (/^file:/iu.test(source)) return { kind: 'file', path: resolveAttachmentPathSync(localPath(source), root) };
  return { kind: 'file', path: resolveAttachmentPathSync(source, root) };
}

function localPath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    // CDO-era spellings: file://c:/dir/x.htm, file://C:\dir\x.htm, file:/x.
    return decodeURIComponent(url.replace(/^file:\/*/iu, '/'));
  }
}
