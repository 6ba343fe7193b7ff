/**
 * A small LRU of recent conversions. Bulk mail sends one body to many recipients: the
 * same HTML is converted to text once, not once per message. Conversions are pure, so a
 * hit returns exactly what converting again would. Only inputs up to `maxInputLength`
 * are kept, and at most `maxEntries` of them per direction.
 *
 * A miss must cost next to nothing: with personalised mail every body is new. A Map keyed
 * by the input would hash the whole string on every lookup (about 1.3 ns a character, so
 * ~3 µs for a 2 KB body, a fifth of an html→text conversion of it). Instead each entry
 * carries a fingerprint of the length and a fixed number of sampled characters (spread
 * over the string, plus its last ones, where personalisation and unique tags tend to
 * be); only an entry whose fingerprint matches is compared in full (`===`, a memcmp that
 * stops at the first difference). A hit is therefore always an exact match.
 */
export class ConversionCache {
  readonly #byDirection = new Map<string, Entry[]>();
  readonly #maxEntries: number;
  readonly #maxInputLength: number;
  hits = 0;

  constructor(maxEntries = 16, maxInputLength = 64 * 1024) {
    this.#maxEntries = maxEntries;
    this.#maxInputLength = maxInputLength;
  }

  get(input: string, from: string, to: string): string | undefined {
    if (this.#maxEntries === 0 || input.length > this.#maxInputLength) return undefined;
    const entries = this.#byDirection.get(directionKey(from, to));
    if (entries === undefined) return undefined;
    const print = fingerprint(input);
    // Youngest last: scan from the young end, where a bulk body sits.
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i] as Entry;
      if (entry.print === print && entry.input === input) {
        this.hits++;
        if (i !== entries.length - 1) {
          entries.splice(i, 1); // refresh its place at the young end
          entries.push(entry);
        }
        return entry.output;
      }
    }
    return undefined;
  }

  set(input: string, from: string, to: string, output: string): void {
    if (this.#maxEntries === 0 || input.length > this.#maxInputLength) return;
    const key = directionKey(from, to);
    let entries = this.#byDirection.get(key);
    if (entries === undefined) {
      entries = [];
      this.#byDirection.set(key, entries);
    }
    const print = fingerprint(input);
    const existing = entries.findIndex((entry) => entry.print === print && entry.input === input);
    if (existing >= 0) entries.splice(existing, 1);
    entries.push({ input, print, output });
    if (entries.length > this.#maxEntries) entries.shift(); // the oldest
  }
}

interface Entry {
  readonly input: string;
  readonly print: number;
  readonly output: string;
}

function directionKey(from: string, to: string): string {
  return `${from}>${to}`;
}

/** Characters sampled across the string, and at its end. */
const SPREAD_SAMPLES = 64;
const TAIL_SAMPLES = 32;

/**
 * FNV-1a over the length and at most SPREAD_SAMPLES + TAIL_SAMPLES characters: constant
 * time whatever the length. Equal strings always have equal fingerprints.
 */
export function fingerprint(text: string): number {
  const length = text.length;
  let hash = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  const tailStart = Math.max(0, length - TAIL_SAMPLES);
  const step = Math.max(1, Math.floor(tailStart / SPREAD_SAMPLES));
  for (let i = 0; i < tailStart; i += step) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  for (let i = tailStart; i < length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The encoded parts of recent bodies (bulk mail: one body, many recipients): a body sent
 * again reuses its text alternative and both encoded parts instead of converting and
 * encoding them again. Keyed by everything the parts are made of: the body, its kind, the
 * code page and the HTML part's extra headers; a hit is an exact match of all of them
 * (the body by fingerprint, then in full). Bounded by entries and by the bytes held.
 */
export class AlternativesCache<V extends { readonly bytes: number }> {
  readonly #entries: Array<{ readonly input: string; readonly print: number; readonly key: string; readonly value: V }> = [];
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxInputLength: number;
  #bytes = 0;
  hits = 0;

  constructor(maxEntries = 16, maxBytes = 8 * 1024 * 1024, maxInputLength = 1024 * 1024) {
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    this.#maxInputLength = maxInputLength;
  }

  /** Bytes held now (tests check the bound). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.length;
  }

  get(input: string, key: string): V | undefined {
    if (this.#maxEntries === 0 || input.length > this.#maxInputLength || this.#entries.length === 0) return undefined;
    const print = fingerprint(input);
    const entries = this.#entries;
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!;
      if (entry.print === print && entry.key === key && entry.input === input) {
        this.hits++;
        if (i !== entries.length - 1) {
          entries.splice(i, 1);
          entries.push(entry);
        }
        return entry.value;
      }
    }
    return undefined;
  }

  set(input: string, key: string, value: V): void {
    const size = value.bytes + input.length;
    if (this.#maxEntries === 0 || input.length > this.#maxInputLength || size > this.#maxBytes) return;
    const print = fingerprint(input);
    const existing = this.#entries.findIndex((entry) => entry.print === print && entry.key === key && entry.input === input);
    if (existing >= 0) this.#bytes -= this.#size(this.#entries.splice(existing, 1)[0]!);
    this.#entries.push({ input, print, key, value });
    this.#bytes += size;
    while (this.#entries.length > this.#maxEntries || this.#bytes > this.#maxBytes) this.#bytes -= this.#size(this.#entries.shift()!);
  }

  /** Forgets one entry (a failed preparation is not kept). */
  delete(input: string, key: string, value: V): void {
    const at = this.#entries.findIndex((entry) => entry.value === value && entry.key === key && entry.input === input);
    if (at >= 0) this.#bytes -= this.#size(this.#entries.splice(at, 1)[0]!);
  }

  #size(entry: { readonly input: string; readonly value: V }): number {
    return entry.value.bytes + entry.input.length;
  }
}
