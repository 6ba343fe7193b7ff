import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import nodemailer from 'nodemailer';
import { htmlToText } from 'nodemailer-html-to-text';
import { Mailer } from '../src/mailer.js';
import { NewMail, type BodyFormatValue } from '../src/new-mail.js';
import { parseMail } from './support/parse-mail.js';
import { spamassassinMissing, startSpamd, type SpamScore } from './support/spamd.js';
import { tempDir } from './support/temp-dir.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');

/** Rules about how a message is built (not what it says): none may fire on what cdonts builds. */
const STRUCTURAL = new Set([
  'MIME_HTML_ONLY',
  'MIME_HTML_MOSTLY',
  'MPART_ALT_DIFF',
  'MPART_ALT_DIFF_COUNT',
  'MIME_QP_LONG_LINE',
  'MISSING_MID',
  'MISSING_DATE',
  'MISSING_HEADERS',
  'MISSING_FROM',
  'MISSING_SUBJECT',
  'INVALID_DATE',
  'INVALID_MSGID',
  'HTML_MIME_NO_HTML_TAG',
  'MIME_BASE64_TEXT',
  'MIME_BASE64_BLANKS',
  'MIME_HEADER_CTYPE_ONLY',
  'MISSING_MIME_HB_SEP',
  'MIME_NO_TEXT',
  'MIME_BAD_ISO_CHARSET',
  'EMPTY_MESSAGE',
  'HTML_MISSING_CTYPE',
  'CTYPE_NULL',
  'MIME_BOUND_DIGITS_15',
]);

interface Sample {
  readonly name: string;
  readonly format: BodyFormatValue;
  readonly body: string | Buffer;
}

async function corpus(): Promise<Sample[]> {
  const pick = async (dir: string, suffix: string, format: BodyFormatValue, binary: boolean): Promise<Sample[]> => {
    const names = (await readdir(join(CORPUS, dir))).filter((n) => n.endsWith(suffix)).sort();
    return Promise.all(names.map(async (name) => ({ name: `${dir}/${name}`, format, body: binary ? await readFile(join(CORPUS, dir, name)) : await readFile(join(CORPUS, dir, name), 'utf8') })));
  };
  return [...(await pick('html', '.html', 'html', false)), ...(await pick('markdown', '.md', 'markdown', false)), ...(await pick('rtf', '.rtf', 'rtf', true))];
}

/** Bounded parallelism: spamd has two children; four requests keep them busy. */
async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}

const mean = (scores: readonly SpamScore[]): number => scores.reduce((sum, s) => sum + s.score, 0) / scores.length;

test('SpamAssassin (local rules): no structural rule fires on corpus mail, and the mean is no worse than nodemailer + html-to-text', { skip: spamassassinMissing(), timeout: 300_000 }, async (t) => {
  const home = await tempDir(t, 'cdonts-spamd-');
  const spamd = await startSpamd(home);
  t.after(() => spamd.stop());
  const mailer = new Mailer({ transport: 'memory:' });
  t.after(() => mailer.close());
  const baseline = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  baseline.use('compile', htmlToText());
  const samples = await corpus();
  assert.ok(samples.length >= 40, `corpus: ${samples.length} samples`);

  const built = await mapLimit(samples, 2, async (sample) => {
    const mail = new NewMail({ mailer });
    mail.From = '"Example Shop" <orders@example.com>';
    mail.To = 'Jane Doe <jane@example.org>';
    mail.Subject = `Your message: ${sample.name}`;
    mail.BodyFormat = sample.format;
    mail.MailFormat = 0;
    mail.Body = sample.body;
    const result = await mail.Send();
    const ours = mailer.memory?.messages.find((m) => m.messageId === result.messageId)?.raw ?? Buffer.alloc(0);
    // nodemailer gets the same HTML: the template itself, or what cdonts rendered from Markdown/RTF.
    const html = sample.format === 'html' ? String(sample.body) : String((await parseMail(ours)).html);
    // The old html-to-text inside nodemailer-html-to-text overflows its stack on a few deep documents.
    const theirs = await baseline.sendMail({ from: '"Example Shop" <orders@example.com>', to: 'Jane Doe <jane@example.org>', subject: `Your message: ${sample.name}`, html }).then(
      (info) => info.message as Buffer,
      () => undefined,
    );
    return { sample, ours, theirs };
  });

  const all = await mapLimit(built, 4, async (b) => ({ ...b, our: await spamd.score(b.ours), their: b.theirs === undefined ? undefined : await spamd.score(b.theirs) }));
  const structural = all.flatMap((s) => s.our.rules.filter((r) => STRUCTURAL.has(r)).map((r) => `${s.sample.name}: ${r}`));
  assert.deepEqual(structural, [], 'structural rules fired on cdonts mail');
  const scored = all.flatMap((s) => (s.their === undefined ? [] : [{ ...s, their: s.their }]));
  assert.ok(scored.length >= 30, `only ${scored.length} messages to compare`);
  const ourMean = mean(scored.map((s) => s.our));
  const theirMean = mean(scored.map((s) => s.their));
  t.diagnostic(`SpamAssassin mean over ${scored.length} messages (${all.length - scored.length} the baseline could not build): cdonts ${ourMean.toFixed(3)}, nodemailer + nodemailer-html-to-text ${theirMean.toFixed(3)}`);
  const worst = scored.filter((s) => s.our.score > s.their.score).map((s) => `${s.sample.name}: ${s.our.score} vs ${s.their.score} (${s.our.rules.filter((r) => !s.their.rules.includes(r)).join(',')})`);
  assert.ok(ourMean <= theirMean + 0.005, `cdonts mean ${ourMean.toFixed(3)} > nodemailer ${theirMean.toFixed(3)}:\n${worst.join('\n')}`);
});
