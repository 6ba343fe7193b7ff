import { RtfReader, type Destination, type GroupState } from './rtf-reader.js';
import { SPECIAL_CHARACTER_SYMBOLS, SPECIAL_CHARACTER_WORDS } from './rtf-special-characters.js';

interface DeencapsulationState extends GroupState {
  /** Inside `\htmlrtf … \htmlrtf0`: RTF-only rendering, not part of the original. */
  htmlrtf: boolean;
}

/**
 * [MS-OXRTFEX] 2.2.3.2 and 2.2.3.3: gives back the HTML or plain text an RTF document
 * encapsulates. HTML is the content of the `\*\htmltag` groups (decoded in the document
 * code page) interleaved with the visible text outside them (decoded in the current
 * font's code page); everything inside `\htmlrtf` is dropped, but `\fN` is tracked there
 * too, as Outlook switches fonts inside it.
 */
class Deencapsulator extends RtfReader<DeencapsulationState> {
  readonly #mode: 'html' | 'text';
  readonly #out: string[] = [];

  constructor(mode: 'html' | 'text') {
    super({ destination: 'body', uc: 1, font: undefined, htmlrtf: false });
    this.#mode = mode;
  }

  run(source: string): string {
    this.read(source);
    return this.#out.join('');
  }

  protected override destination(name: string): Destination | undefined {
    return name === 'htmltag' && this.#mode === 'html' ? 'htmltag' : undefined;
  }

  // Markup is written in the document's code page, whatever font is current.
  protected override codePageFor(state: DeencapsulationState): number {
    return state.destination === 'htmltag' ? this.ansiCodePage : super.codePageFor(state);
  }

  protected text(chars: string): void {
    if (!this.state.htmlrtf) this.#out.push(chars);
  }

  protected controlWord(name: string, param: number | undefined): void {
    if (name === 'htmlrtf') {
      this.state.htmlrtf = param !== 0;
      return;
    }
    if (this.state.htmlrtf) return;
    // \line inside a tag is not in the spec's table of tag escapes: it stands for nothing there.
    if (name === 'par' || (name === 'line' && this.state.destination !== 'htmltag')) {
      this.#out.push('\r\n');
      return;
    }
    const char = SPECIAL_CHARACTER_WORDS.get(name);
    if (char !== undefined) this.#out.push(char);
  }

  protected controlSymbol(symbol: string): void {
    if (this.state.htmlrtf) return;
    const char = SPECIAL_CHARACTER_SYMBOLS.get(symbol);
    if (char !== undefined) this.#out.push(char);
  }
}

/** The HTML a `\fromhtml1` document encapsulates. */
export function extractHtmlFromRtf(source: string): string {
  return new Deencapsulator('html').run(source);
}

/** The plain text a `\fromtext` document encapsulates. */
export function extractTextFromRtf(source: string): string {
  return new Deencapsulator('text').run(source);
}
