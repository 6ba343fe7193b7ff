// Round-trip properties: arbitrary subjects, display names, bodies (any Unicode) and
// attachments (any bytes, any names) come back identical through mailparser.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { parseMail } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';

const RUNS = Number(process.env['CDONTS_PROPERTY_RUNS'] ?? 150);

// Any Unicode scalar but controls (refused in headers by design) and the line separators.
const char = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/[\p{Cc}\u2028\u2029]/u.test(c) && c.isWellFormed());
// Header text as a person types it: no leading/trailing blanks, single spaces, no
// pre-encoded words (those are refused); folding may not be told apart from one space.
const headerText = fc
  .array(char, { minLength: 1, maxLength: 60 })
  .map((chars) => chars.join('').replace(/\s+/gu, ' ').trim())
  .filter((s) => s !== '' && !/=\?/u.test(s));
const body = fc.string({ unit: 'grapheme', maxLength: 400 }).filter((s) => s.isWellFormed() && !s.includes('\u0000'));
const fileName = fc
  .array(char.filter((c) => !/[\\/]/u.test(c)), { minLength: 1, maxLength: 40 })
  .map((chars) => chars.join('').replace(/\s+/gu, ' ').trim())
  .filter((s) => s !== '' && s !== '.' && s !== '..' && !/=\?/u.test(s));

test(`round trip through mailparser: ${RUNS} arbitrary subjects, names, bodies and attachments`, async (t) => {
  const dir = await tempDir(t);
  let n = 0;
  await fc.assert(
    fc.asyncProperty(headerText, headerText, body, fc.array(fc.tuple(fileName, fc.uint8Array({ maxLength: 3000 })), { maxLength: 3 }), async (subject, name, text, files) => {
      const mailer = new Mailer({ transport: 'memory:' });
      const mail = new NewMail({ mailer });
      mail.From = `"${name.replace(/["\\]/gu, '\\$&')}" <from@example.com>`;
      mail.To = 'to@example.com';
      mail.Subject = subject;
      mail.MailFormat = 0;
      mail.Body = text;
      for (const [index, [fileNameValue, bytes]] of files.entries()) {
        const path = join(dir, `f${n}-${index}`);
        await writeFile(path, bytes);
        mail.AttachFile(path, fileNameValue, 1);
      }
      n++;
      await mail.Send();
      const parsed = await parseMail(mailer.memory?.messages[0]?.raw ?? '');
      assert.equal(parsed.subject, subject);
      assert.equal(parsed.from?.value[0]?.name, name);
      assert.equal((parsed.text ?? '').replace(/\n$/u, ''), text.replace(/\r\n?/gu, '\n').replace(/\n$/u, ''));
      assert.equal(parsed.attachments.length, files.length);
      for (const [index, [fileNameValue, bytes]] of files.entries()) {
        assert.equal(parsed.attachments[index]?.filename, fileNameValue);
        assert.ok(parsed.attachments[index]?.content.equals(Buffer.from(bytes)), 'attachment bytes');
      }
    }),
    { numRuns: RUNS },
  );
});
