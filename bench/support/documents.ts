// The whole documents the send benchmarks use, read from ../shared/corpus/ (never copied
// in), and how each message is personalised.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const CORPUS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');
export const hasCorpus = existsSync(resolve(CORPUS, 'html'));

export const readCorpus = (dir: string, name: string, encoding: BufferEncoding = 'utf8'): string => readFileSync(resolve(CORPUS, dir, name), encoding);
const list = (dir: string, pattern: RegExp): string[] => (hasCorpus ? readdirSync(resolve(CORPUS, dir)).filter((name) => pattern.test(name)).sort() : []);

/** The e-mail templates of the corpus (postmark, sendgrid, cerberus, leemunroe, govcy), whole. */
export const TEMPLATE_NAMES = list('html', /^(postmark|sendgrid|cerberus|leemunroe|govcy)-.*\.html$/u);
export const templates = TEMPLATE_NAMES.map((name) => readCorpus('html', name));
/** The bulk workload's one body. */
export const bulkTemplate = templates[TEMPLATE_NAMES.indexOf('postmark-basic-full-receipt.html')] ?? templates[0] ?? '';
export const markdownFiles = list('markdown', /\.md$/u).map((name) => readCorpus('markdown', name));
export const rtfFiles = list('rtf', /\.rtf$/u).map((name) => readCorpus('rtf', name, 'latin1'));

/** A 2 KB text-heavy HTML mail: paragraphs, links, a list. */
export const SYNTHETIC = `<html><body><h1>Your order has shipped</h1>${'<p>Thank you for your order. Your parcel left our warehouse this morning and should <b>arrive within three working days</b>. You can <a href="https://example.com/track">track it here</a> at any time.</p>'.repeat(5)}<ul><li>Widget, blue</li><li>Gadget, large</li><li>Gizmo, spare part</li></ul><p>Questions? <a href="mailto:help@example.com">Write to us</a>.</p></body></html>`;

/** One paragraph written for one recipient, before `</body>`. */
export function personalise(html: string, tag: string): string {
  const paragraph = `<p>Dear customer ${tag}, this message was written for you: <a href="https://example.com/u/${tag}">your account</a>.</p>`;
  const at = html.lastIndexOf('</body>');
  return at < 0 ? html + paragraph : html.slice(0, at) + paragraph + html.slice(at);
}

/** Personalising an Outlook body: a line of text in the HTML it encapsulates. */
export function personaliseRtf(rtf: string, tag: string): string {
  const at = rtf.lastIndexOf('}');
  return `${rtf.slice(0, at)}\\par Dear customer ${tag}.\\par ${rtf.slice(at)}`;
}
