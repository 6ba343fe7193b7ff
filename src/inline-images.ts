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
 * Parts one message may carry this way. Mail parsers refuse messages of more than about
 * a thousand parts (mailparser: 1,000); pictures past this stay data: URLs in the HTML.
 */
export const MAX_INLINE_IMAGES = 256;

/**
 * Moves data: images out of the HTML into parts of their own, referenced by cid: — mail
 * clients block or strip data: URLs, but show multipart/related images. A picture used
 * twice is one part.
 */
export function extractInlineImages(html: string): { html: string; images: InlineImage[] } {
  const images: InlineImage[] = [];
  const byData = new Map<string, string>();
  const tag = randomBytes(6).toString('hex');
  const rewritten = html.replace(DATA_IMAGE, (match, contentType: string, base64: string) => {
    const key = `${contentType};${base64}`;
    let cid = byData.get(key);
    if (cid === undefined) {
      if (images.length >= MAX_INLINE_IMAGES) return match;
      cid = `image${images.length + 1}.${tag}@cdonts`;
      byData.set(key, cid);
      images.push({ cid, contentType, content: Buffer.from(base64, 'base64') });
    }
    return `<img src="cid:${cid}"`;
  });
  return { html: rewritten, images };
}
