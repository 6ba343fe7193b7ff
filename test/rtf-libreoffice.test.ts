// Our RTF → text held against LibreOffice (Writer's "Text (encoded)" export) word by word over
// the corpus in ../shared/corpus/rtf: plain documents keep at least 99.5 % of LibreOffice's
// words in order and add nothing but link targets and footnote bodies; Outlook-encapsulated
// documents (\fromhtml1) keep every word of their own HTML. Where LibreOffice departs from the
// RTF specification, the cases below show it and follow the specification instead.
// Skipped when soffice or the corpus is absent, except under CI=true, where that is a failure.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { Parser } from 'htmlparser2';
import { createBodyEngines } from '../src/converter/body-engines.js';
import { extractHtmlFromRtf, extractTextFromRtf } from '../src/rtf/deencapsulate-rtf.js';
import { encapsulatedKind } from '../src/rtf/encapsulated-kind.js';
import { rtfSource } from '../src/rtf/rtf-source.js';
import { needsCorpus, requires } from './support/requirement.js';
import { compareWords, words, type WordComparison } from './support/word-compare.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'rtf');
const MIN_RECALL = 0.995;
const SOFFICE = spawnSync('sh', ['-c', 'command -v soffice'], { encoding: 'utf8' }).stdout.trim();
const skip = requires('soffice (libreoffice-writer-nogui)', SOFFICE !== '') || needsCorpus('rtf');

/**
 * Where LibreOffice 7.4 does not do what RTF 1.9.1 says: one document per case, what LibreOffice
 * prints that the specification hides (or computes), and what we show instead.
 */
const LIBREOFFICE_DEPARTURES = [
  {
    name: 'hidden-text',
    why: 'LibreOffice prints \\v (hidden) text; RTF 1.9.1: hidden text does not show',
    rtf: String.raw`{\rtf1\ansi shown {\v secretword} end\par}`,
    libreOfficeOnly: ['secretword'],
  },
  {
    name: 'tracked-deletion',
    why: 'LibreOffice prints text a tracked change deleted (\\deleted); it is no longer part of the document',
    rtf: String.raw`{\rtf1\ansi{\*\revtbl{Unknown;}{Ann;}}kept {\deleted\revauth1 removedword} end\par}`,
    libreOfficeOnly: ['removedword'],
  },
  {
    name: 'upr-both-halves',
    why: 'LibreOffice shows both halves of \\upr; RTF 1.9.1: {\\upr{ANSI}{\\*\\ud{Unicode}}} is one text, the \\ud one is shown',
    rtf: String.raw`{\rtf1\ansi before {\upr{ansihalf}{\*\ud{unicodehalf}}} after\par}`,
    libreOfficeOnly: ['ansihalf'],
  },
  {
    name: 'date-field',
    why: 'LibreOffice recomputes a DATE field to today; the field result the writer saved is the text',
    rtf: String.raw`{\rtf1\ansi Dated {\field{\*\fldinst DATE \\@ "d MMMM yyyy"}{\fldrslt 1 January 1999}} end\par}`,
    ours: ['Dated', '1', 'January', '1999', 'end'],
  },
] as const;

/** Converts every file in one soffice run (start-up dominates); returns output directory. */
async function libreOfficeText(files: readonly string[], work: string): Promise<string> {
  const out = join(work, 'out');
  const profile = pathToFileURL(join(work, 'profile')).href;
  await new Promise<void>((done, fail) => {
    execFile(
      SOFFICE,
      [`-env:UserInstallation=${profile}`, '--headless', '--norestore', '--convert-to', 'txt:Text (encoded):UTF8', '--outdir', out, ...files],
      { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => (error === null ? done() : fail(new Error(`soffice failed: ${error.message} ${stderr}`))),
    );
  });
  return out;
}

function readOutput(out: string, file: string): string {
  const name = file.replace(/^.*\//u, '').replace(/\.rtf$/u, '.txt');
  return readFileSync(join(out, name), 'utf8').replace(/^\ufeff/u, '');
}

/** The words a browser shows for an HTML document: text outside head, script and style. */
function htmlWords(html: string): string[] {
  let text = '';
  let hidden = 0;
  const parser = new Parser(
    {
      onopentag: (name) => {
        if (name === 'head' || name === 'script' || name === 'style' || name === 'title') hidden++;
        if (name === 'br' || name === 'p' || name === 'div' || name === 'td' || name === 'li') text += ' ';
      },
      onclosetag: (name) => {
        if (name === 'head' || name === 'script' || name === 'style' || name === 'title') hidden = Math.max(0, hidden - 1);
        text += ' ';
      },
      ontext: (chunk) => {
        if (hidden === 0) text += chunk;
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return words(text);
}

/** The words of every link target in HTML (html→text shows them as "[url]"). */
function linkWords(html: string): string[] {
  const found: string[] = [];
  const parser = new Parser({ onopentag: (_, attributes) => attributes.href !== undefined && found.push(...words(attributes.href)) }, { decodeEntities: true });
  parser.write(html);
  parser.end();
  return found;
}

/**
 * The words of the footnote bodies (`{\footnote …}` groups), read here without our reader:
 * brace matching and control words dropped. LibreOffice's text export leaves footnotes out;
 * we keep them after the text, numbered.
 */
function footnoteWords(source: string): string[] {
  const found: string[] = [];
  let number = 0;
  for (let at = source.indexOf('{\\footnote'); at >= 0; at = source.indexOf('{\\footnote', at + 1)) {
    let depth = 0;
    let end = at;
    for (; end < source.length; end++) {
      const c = source[end];
      if (c === '\\') end++;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    const body = source.slice(at, end).replace(/\{\\\*[^{}]*\}/gu, ' ').replace(/\\'[0-9a-f]{2}/giu, ' ').replace(/\\[a-z]+-?\d* ?/giu, ' ').replace(/[{}]/gu, ' ');
    found.push(String(++number), ...words(body));
  }
  return found;
}

/** True if every word of `extra` is one of `allowed` (as many times as it is there). */
function onlyFrom(extra: readonly string[], allowed: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const word of allowed) left.set(word, (left.get(word) ?? 0) + 1);
  const unexplained: string[] = [];
  for (const word of extra) {
    const count = left.get(word) ?? 0;
    if (count > 0) left.set(word, count - 1);
    else unexplained.push(word);
  }
  return unexplained;
}

function figures(comparison: WordComparison): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  return `recall ${pct(comparison.recall)}, precision ${pct(comparison.precision)}, order ${pct(comparison.order)}`;
}

test('RTF → text against LibreOffice over the corpus, and where LibreOffice departs from the specification', { skip, timeout: 600_000 }, async (t) => {
  const engines = await createBodyEngines();
  const work = mkdtempSync(join(tmpdir(), 'cdonts-libreoffice-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const corpus = readdirSync(CORPUS).filter((name) => name.endsWith('.rtf')).sort();
  assert.ok(corpus.length >= 16, `${corpus.length} RTF files in the corpus`);
  const departures = LIBREOFFICE_DEPARTURES.map((c) => {
    const file = join(work, `${c.name}.rtf`);
    writeFileSync(file, c.rtf, 'latin1');
    return { ...c, file };
  });
  const out = await libreOfficeText([...corpus.map((name) => join(CORPUS, name)), ...departures.map((c) => c.file)], work);

  for (const name of corpus) {
    await t.test(name, async (st) => {
      const input = readFileSync(join(CORPUS, name), 'latin1');
      const source = rtfSource(input);
      const kind = encapsulatedKind(source);
      const ours = String(await engines.convert(input, 'rtf', 'text'));
      const html = String(await engines.convert(input, 'rtf', 'html'));
      const links = linkWords(html);
      if (kind === 'text') {
        assert.deepEqual(words(ours), words(extractTextFromRtf(source)), 'the encapsulated text, word for word');
        return;
      }
      if (kind === 'html') {
        // Outlook's body: its own HTML is the reference; LibreOffice renders the RTF fallback.
        const comparison = compareWords(htmlWords(extractHtmlFromRtf(source)), words(ours));
        st.diagnostic(`encapsulated HTML vs ours: ${figures(comparison)}`);
        assert.deepEqual(comparison.missing, [], 'every word of the encapsulated HTML, in order');
        assert.deepEqual(onlyFrom(comparison.extra, links), [], 'nothing added but link targets');
        return;
      }
      const comparison = compareWords(words(readOutput(out, name)), words(ours));
      st.diagnostic(`LibreOffice vs ours: ${figures(comparison)}`);
      assert.ok(comparison.recall >= MIN_RECALL, `${figures(comparison)}; missing: ${comparison.missing.join(' ')}`);
      assert.deepEqual(onlyFrom(comparison.extra, [...links, ...footnoteWords(source)]), [], 'nothing added but link targets and footnotes');
    });
  }

  for (const departure of departures) {
    await t.test(`LibreOffice departs: ${departure.name} (${departure.why})`, async () => {
      const libreOfficeText = readOutput(out, departure.file);
      const libreOffice = words(libreOfficeText);
      const ours = words(String(await engines.convert(departure.rtf, 'rtf', 'text')));
      if ('libreOfficeOnly' in departure) {
        // LibreOffice shows what the specification hides; we follow the specification.
        let rest = libreOfficeText;
        for (const word of departure.libreOfficeOnly) {
          assert.ok(rest.includes(word), `LibreOffice prints "${word}" (if it stopped, this exclusion can go)`);
          assert.ok(!ours.includes(word), `we do not print "${word}"`);
          rest = rest.replaceAll(word, ' ');
        }
        assert.deepEqual(words(rest), ours, 'otherwise the same words');
      } else {
        assert.deepEqual(ours, [...departure.ours], 'the saved field result');
        assert.notDeepEqual(libreOffice, ours, 'LibreOffice recomputes the date');
      }
    });
  }
});
