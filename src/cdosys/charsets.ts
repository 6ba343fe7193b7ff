import { charsetOf, supportedCodePages } from '../code-pages.js';
import { primitive } from '../internal/primitive.js';
import { cdosysError } from './cdosys-error.js';

// The cdoCharset names scripts write (reference §2) beside the labels code-pages.ts uses.
const ALIASES: Record<string, number> = {
  'shift-jis': 932, shift_jis: 932, 'iso-2022-jp': 50220, 'euc-jp': 51932, gb2312: 936, gbk: 936, 'euc-kr': 949, 'ks_c_5601-1987': 949,
  big5: 950, 'us-ascii': 20127, 'utf-8': 65001, 'iso-8859-15': 28605,
};

const BY_LABEL = new Map<string, number>(supportedCodePages.map((cp) => [charsetOf(cp).toLowerCase(), cp]));

/** BodyPart.Charset → the code page compose writes in; a charset it cannot write is CDO_E_INVALID_CHARSET. */
export function codePageOfCharset(given: unknown): number {
  const name = String(primitive(given)).trim().toLowerCase();
  const codePage = BY_LABEL.get(name) ?? ALIASES[name];
  if (codePage === undefined || !supportedCodePages.includes(codePage)) {
    throw cdosysError('CDO_E_INVALID_CHARSET', `${JSON.stringify(name.slice(0, 40))}; supported: ${[...BY_LABEL.keys()].join(', ')}.`);
  }
  return codePage;
}
