import { RtfTokenizer } from './rtf-tokenizer.js';

/** What an RTF document carries: encapsulated HTML, encapsulated plain text, or just RTF. */
export type EncapsulatedKind = 'html' | 'text' | 'rtf';

/** [MS-OXRTFEX] 2.2.3.1: readers look no further than the first 10 tokens. */
const TOKENS_TO_INSPECT = 10;

/**
 * `\fromhtml1` or `\fromtext` among the first ten group starts and control words, before
 * any text or other token. `\fromhtml` and `\fromhtml0` do not count (the spec says so).
 */
export function encapsulatedKind(source: string): EncapsulatedKind {
  const tokens = new RtfTokenizer(source);
  for (let seen = 0; seen < TOKENS_TO_INSPECT; seen++) {
    const type = tokens.next();
    if (type === 'groupStart') continue;
    if (type !== 'word') return 'rtf';
    if (tokens.name === 'fromhtml' && tokens.param === 1) return 'html';
    if (tokens.name === 'fromtext') return 'text';
  }
  return 'rtf';
}
