import { randomBytes } from 'node:crypto';

export interface InlineImage {
  readonly cid: string;
  readonly contentType: string;
  readonly content: Buffer;
}

// What the RTF renderer writes for a picture: <img src="data:image/png;base64,…">.
const DATA_IMAGE = /(<img\b[^>]*?\ssrc=")data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=]*)"/giu;

/**
 * Moves data: images out of the HTML into parts of their own, referenced by cid: — mail
 * clients block or strip data: URLs, but show multipart/related images.
 */
export function extractInlineImages(html: string): { html: string; images: InlineImage[] } {
  const images: InlineImage[] = [];
  const tag = randomBytes(6).toString('hex');
  const rewritten = html.replace(DATA_IMAGE, (_match, start: string, contentType: string, base64: string) => {
    const cid = `image${images.length + 1}.${tag}@cdonts`;
    images.push({ cid, contentType: contentType.toLowerCase(), content: Buffer.from(base64, 'base64') });
    return `${start}cid:${cid}"`;
  });
  return { html: rewritten, images };
}
