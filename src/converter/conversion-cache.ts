/**
 * A small LRU of recent conversions. Bulk mail sends one body to many recipients: the
 * same HTML is converted to text once, not once per message. Conversions are pure, so a
 * hit returns exactly what converting again would. Only inputs up to `maxInputLength`
 * are kept, and at most `maxEntries` of them per direction. Keys are the input strings
 * themselves (one map per direction), so no key is ever built by concatenation.
 */
export class ConversionCache {
  readonly #byDirection = new Map<string, Map<string, string>>();
  readonly #maxEntries: number;
  readonly #maxInputLength: number;
  hits = 0;

  constructor(maxEntries = 16, maxInputLength = 64 * 1024) {
    this.#maxEntries = maxEntries;
    this.#maxInputLength = maxInputLength;
  }

  get(input: string, from: string, to: string): string | undefined {
    if (this.#maxEntries === 0 || input.length > this.#maxInputLength) return undefined;
    const entries = this.#byDirection.get(from + to);
    const found = entries?.get(input);
    if (found !== undefined && entries !== undefined) {
      this.hits++;
      entries.delete(input); // refresh its place at the young end
      entries.set(input, found);
    }
    return found;
  }

  set(input: string, from: string, to: string, output: string): void {
    if (this.#maxEntries === 0 || input.length > this.#maxInputLength) return;
    let entries = this.#byDirection.get(from + to);
    if (entries === undefined) {
      entries = new Map();
      this.#byDirection.set(from + to, entries);
    }
    entries.set(input, output);
    if (entries.size > this.#maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
  }
}
