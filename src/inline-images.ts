import { randomBytes } from 'node:crypto';

export interface InlineImage {
  readonly cid: string;
  readonly contentType: string;
  readonly content: Buffer;
}

// Exactly what the RTF renderer writes for a picture, and nothing looser: the pattern
// has no unbounded run before the data, so a hostile body cannot make it backtrack.
const DATA_IMAGE = /<img src="data:(image\/(?:png|jpeg));base64,([A-Za-z0-9+/=]*)"/gu;

/**
 * Moves data: images out of the HTML into parts of their own, referenced by cid: — mail
 * clients block or strip data: URLs, but show multipart/related images.
 */
export function extractInlineImages(html: string): { html: string; images: InlineImage[] } {
  const images: InlineImage[] = [];
  const tag = randomBytes(6).toString('hex');
  const rewritten = html.replace(DATA_IMAGE, (_match, contentType: string, base64: string) => {
    const cid = `image${images.length + 1}.${tag}@cdonts`;
    images.push({ cid, contentType, content: Buffer.from(base64, 'base64') });
    return `<img src="cid:${cid}"`;
  });
  return { html: rewritten, images };
}
