// Word-level comparison of two texts, for holding our text alternatives against an oracle.

// Han, kana and Hangul are written without spaces: each character counts as a word.
const WORD = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}])[\p{L}\p{N}\p{M}])+/gu;

/** The words of a text, in order: letters, digits and marks; CJK one character at a time. */
export function words(text: string): string[] {
  return text.normalize('NFC').match(WORD) ?? [];
}

/** Which words of `a` and `b` a longest common subsequence pairs up (indices into each). */
export function commonSubsequence(a: readonly string[], b: readonly string[]): { inA: boolean[]; inB: boolean[]; length: number } {
  const n = a.length;
  const m = b.length;
  // Full table of lengths: the corpus texts are a few thousand words at most.
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => table[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const inA = new Array<boolean>(n).fill(false);
  const inB = new Array<boolean>(m).fill(false);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      inA[i++] = true;
      inB[j++] = true;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return { inA, inB, length: at(0, 0) };
}

export interface WordComparison {
  /** Share of the oracle's words we keep, in order (LCS / oracle words). */
  recall: number;
  /** Share of our words the oracle has, in order (LCS / our words). */
  precision: number;
  /** Share of the oracle's words found anywhere in ours that are also in order (LCS / bag overlap). */
  order: number;
  /** Oracle words we do not have in order. */
  missing: string[];
  /** Our words the oracle does not have in order. */
  extra: string[];
}

/** Ours held against the oracle's text, word by word. */
export function compareWords(oracle: readonly string[], ours: readonly string[]): WordComparison {
  const { inA, inB, length } = commonSubsequence(oracle, ours);
  const counts = new Map<string, number>();
  for (const word of ours) counts.set(word, (counts.get(word) ?? 0) + 1);
  let overlap = 0;
  for (const word of oracle) {
    const left = counts.get(word) ?? 0;
    if (left > 0) {
      overlap++;
      counts.set(word, left - 1);
    }
  }
  return {
    recall: oracle.length === 0 ? 1 : length / oracle.length,
    precision: ours.length === 0 ? 1 : length / ours.length,
    order: overlap === 0 ? 1 : length / overlap,
    missing: oracle.filter((_, i) => !inA[i]),
    extra: ours.filter((_, i) => !inB[i]),
  };
}
