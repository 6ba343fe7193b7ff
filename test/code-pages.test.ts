import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { supportedCodePages } from '../src/code-pages.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { parseMail } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';
import { needsPython } from './support/requirement.js';

const run = promisify(execFile);

/** For each code page: its MIME charset and a line in a script that code page holds. */
const SAMPLES: Record<number, { charset: string; text: string }> = {
  65001: { charset: 'utf-8', text: 'UTF-8: Grüße, Здравствуйте, 日本語, 😀' },
  20127: { charset: 'us-ascii', text: 'Plain ASCII only, nothing more.' },
  1250: { charset: 'windows-1250', text: 'Příliš žluťoučký kůň úpěl ďábelské ódy' },
  1251: { charset: 'windows-1251', text: 'Съешь же ещё этих мягких французских булок' },
  1252: { charset: 'windows-1252', text: 'Voilà l’été — “quotes” naïve café €5' },
  1253: { charset: 'windows-1253', text: 'Ξεσκεπάζω την ψυχοφθόρα βδελυγμία' },
  1254: { charset: 'windows-1254', text: 'Pijamalı hasta yağız şoföre çabucak güvendi' },
  1255: { charset: 'windows-1255', text: 'דג סקרן שט בים מאוכזב ולפתע מצא חברה' },
  1256: { charset: 'windows-1256', text: 'نص حكيم له سر قاطع وذو شأن عظيم' },
  1257: { charset: 'windows-1257', text: 'Įlinkdama fechtuotojo špaga sublykčiojusi' },
  1258: { charset: 'windows-1258', text: 'Tiếng Việt có dấu: Xin chào' },
  28591: { charset: 'iso-8859-1', text: 'Çà et là, où êtes-vous? Ñandú' },
  28592: { charset: 'iso-8859-2', text: 'Zażółć gęślą jaźń' },
  28593: { charset: 'iso-8859-3', text: 'Ĉu ĝi ŝanĝiĝas? Ħ ħ Ġ ġ' },
  28594: { charset: 'iso-8859-4', text: 'Ā ā Ē ē Ģ ģ Ī ī Ķ ķ Ļ ļ' },
  28595: { charset: 'iso-8859-5', text: 'В чащах юга жил бы цитрус' },
  28596: { charset: 'iso-8859-6', text: 'صِف خَلقَ خَودِ كَمِثلِ الشَمسِ' },
  28597: { charset: 'iso-8859-7', text: 'Γαζέες καὶ μυρτιὲς δὲν θὰ βρῶ'.normalize('NFC').replace(/[ὶὲὰῶ]/gu, (c) => ({ ὶ: 'ί', ὲ: 'έ', ὰ: 'ά', ῶ: 'ώ' })[c] ?? c) },
  28598: { charset: 'iso-8859-8', text: 'עטלף אבק נס דרך מזגן שהתפוצץ כי חם' },
  28599: { charset: 'iso-8859-9', text: 'Şişli’de ığdır ve ğ, ş, ı harfleri'.replace('’', "'") },
  932: { charset: 'shift_jis', text: 'いろはにほへと ちりぬるを 日本語のテスト' },
  936: { charset: 'gbk', text: '我能吞下玻璃而不伤身体' },
  949: { charset: 'euc-kr', text: '나는 유리를 먹을 수 있어요' },
  950: { charset: 'big5', text: '我能吞下玻璃而不傷身體' },
  50220: { charset: 'iso-2022-jp', text: '日本語のメール、テストです' },
  51932: { charset: 'euc-jp', text: '私はガラスを食べられます' },
};

test('every code page claimed has a sample here', () => {
  assert.deepEqual(supportedCodePages, Object.keys(SAMPLES).map(Number).sort((a, b) => a - b));
});

for (const [codePage, { charset, text }] of Object.entries(SAMPLES)) {
  test(`code page ${codePage}: subject, display name and body survive mailparser and Python, labelled ${charset}`, { skip: needsPython() }, async (t) => {
    const dir = await tempDir(t);
    const mailer = new Mailer({ transport: `pickup:${dir}` });
    const mail = new NewMail({ mailer });
    mail.SetLocaleIDs(Number(codePage));
    mail.From = `"${text.slice(0, 12)}" <from@example.com>`;
    mail.To = 'to@example.com';
    mail.Bcc = 'hidden@example.com';
    mail.Subject = text;
    mail.MailFormat = 0;
    mail.BodyFormat = 'html';
    mail.Body = `<p>${text}</p>`;
    const { path, envelope } = await mail.Send();
    await mailer.close();
    assert.deepEqual(envelope.to, ['to@example.com', 'hidden@example.com']);
    const raw = await import('node:fs/promises').then((fs) => fs.readFile(path ?? ''));
    const headerBlock = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
    assert.doesNotMatch(headerBlock, /^Bcc:/imu);
    assert.equal(/[^\u0020-\u007e\t\r\n]/u.test(headerBlock.replace(/^X-(Sender|Receiver):.*$/gmu, '')), false, 'headers are 7-bit (RFC 2047)');
    if (/[^\u0020-\u007e\t\r\n]/u.test(text)) assert.match(headerBlock, new RegExp(`^Subject: =\\?${charset}\\?B\\?`, "imu"), "the subject is encoded in the code page charset");
    assert.match(raw.toString('latin1'), new RegExp(`text/html; charset=${charset}`, 'iu'));

    const parsed = await parseMail(raw);
    assert.equal(parsed.subject?.normalize('NFC'), text);
    assert.equal(parsed.from?.value[0]?.name, text.slice(0, 12).trim());
    assert.ok(String(parsed.html).normalize('NFC').includes(text));
    assert.equal(parsed.text?.trim().normalize('NFC'), text);

    const { stdout } = await run('python3', ['-c', `
import email, sys, json
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = [p for p in m.walk() if not p.is_multipart()]
print(json.dumps({'subject': str(m['subject']), 'name': m['from'].addresses[0].display_name, 'text': parts[0].get_content(), 'charset': parts[0].get_content_charset()}))`, path ?? '']);
    const py = JSON.parse(stdout) as { subject: string; name: string; text: string; charset: string };
    assert.equal(py.subject.normalize('NFC'), text);
    // Python keeps the space between the adjacent encoded words of a display name.
    assert.equal(py.name.replace(/\s/gu, ''), text.slice(0, 12).replace(/\s/gu, ''));
    assert.equal(py.text.trim().normalize('NFC'), text);
    assert.equal(py.charset, charset.toLowerCase());
  });
}

test('an unknown code page is CDO_E_INVALID_PARAMETER', () => {
  const mail = new NewMail();
  for (const bad of [0, 437, 65000, 1200, -1, '1252', 1252.5]) {
    assert.throws(() => mail.SetLocaleIDs(bad as number), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER', String(bad));
  }
  assert.equal(mail.codePage, 65001);
});

test('a character the code page cannot hold fails the Send with a typed error; nothing is replaced by "?"', async (t) => {
  const dir = await tempDir(t);
  const mailer = new Mailer({ transport: `pickup:${dir}` });
  const mail = new NewMail({ mailer });
  mail.SetLocaleIDs(1252);
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  mail.Body = 'Cyrillic Ж is not in 1252';
  await assert.rejects(mail.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER' && /U\+0416/u.test(e.message));
  assert.equal(mail.state, 'composing');
  mail.SetLocaleIDs(1251);
  await mail.Send();
  await mailer.close();
  await writeFile(join(dir, 'done'), '');
});
