// Word-by-word comparison of a text against a reference text (html-to-text's output):
// every reference token must appear in the text, in order, and not glued to a neighbour.
// Tokens are whitespace-separated; a token the reference glued from two cells ("Pick-up3")
// may match a run of adjacent tokens of the text ("Pick-up", "3"). Quote marks ('>') and
// the reference's own truncation mark ('…') are layout, not words.

const SPACE = /[\s\u200b-\u200d\u2060\ufeff\u00ad]+/u;

export function textTokens(text: string): string[] {
  return text.split(SPACE).filter((token) => token !== '' && !/^>+$/u.test(token) && token !== '…');
}

export interface Comparison {
  readonly referenceTokens: number;
  /** Reference tokens not found in order (with a little context). */
  readonly missing: string[];
}

export function compareTokens(reference: readonly string[], text: readonly string[], maxRun = 4): Comparison {
  const missing: string[] = [];
  let at = 0;
  for (let index = 0; index < reference.length; index++) {
    const token = reference[index] as string;
    let found = -1;
    let length = 1;
    search: for (let probe = at; probe < text.length; probe++) {
      if (text[probe] === token) {
        found = probe;
        break;
      }
      // The reference glued what the text keeps apart.
      if (token.startsWith(text[probe] as string)) {
        let joined = text[probe] as string;
        for (let run = 1; run < maxRun && probe + run < text.length; run++) {
          joined += text[probe + run];
          if (joined === token) {
            found = probe;
            length = run + 1;
            break search;
          }
          if (!token.startsWith(joined)) break;
        }
      }
    }
    if (found < 0) missing.push(`${reference.slice(Math.max(0, index - 3), index).join(' ')} ⟨${token}⟩ ${reference.slice(index + 1, index + 4).join(' ')}`);
    else at = found + length;
  }
  return { referenceTokens: reference.length, missing };
}
