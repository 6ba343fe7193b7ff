// The classic CDONTS samples collected in ../shared/reference/cdonts.md §5, ported line by
// line: the VBScript in a comment above the TypeScript, then assertions on the message it
// produces, read back with mailparser.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { Mailer, NewMail, CdoMailFormatMime, CdoBodyFormatHTML, CdoHigh, CdoEncodingBase64, isCdoError } from '../src/index.js';
import { addresses, parseMail } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';

/** Server.CreateObject("CDONTS.NewMail"), sending into memory so the test can read it. */
function serverCreateObject(): { mail: NewMail; read: () => Promise<ParsedMail & { raw: string; envelope: { from: string; to: readonly string[] } }> } {
  const mailer = new Mailer({ transport: 'memory:' });
  const mail = new NewMail({ mailer });
  return {
    mail,
    read: async () => {
      const stored = mailer.memory?.messages.at(-1);
      assert.ok(stored, 'a message was sent');
      return Object.assign(await parseMail(stored.raw), { raw: stored.raw.toString('latin1'), envelope: stored.envelope });
    },
  };
}

function contentType(raw: string): string {
  return /^Content-Type: ([^;\r\n]+)/imu.exec(raw)?.[1]?.toLowerCase() ?? '';
}

test('A. one-line send (KB 324649)', async () => {
  // Set objMail = CreateObject("CDONTS.NewMail")
  // objMail.Send "yourmail@somewhere.com", "someone@somewhere.com", "Subject", "This is the body."
  // Set objMail = Nothing
  const { mail, read } = serverCreateObject();
  await mail.Send('yourmail@somewhere.com', 'someone@somewhere.com', 'Subject', 'This is the body.');
  const m = await read();
  assert.deepEqual(addresses(m.from), ['yourmail@somewhere.com']);
  assert.deepEqual(addresses(m.to), ['someone@somewhere.com']);
  assert.equal(m.subject, 'Subject');
  assert.equal(m.text?.trim(), 'This is the body.');
  assert.equal(contentType(m.raw), 'text/plain', 'MailFormat Text: one text/plain part');
  assert.equal(m.html, false);
});

test('B. properties, MailFormat 0 and release (KB 922738)', async () => {
  // Set m = CreateObject("CDONTS.NewMail")
  // m.MailFormat = 0 : m.To = "to@to.com" : m.Subject = "Subject section"
  // m.Body = "Body section" : m.From = "from@from.com" : m.Send
  const { mail: m, read } = serverCreateObject();
  m.MailFormat = 0; m.To = 'to@to.com'; m.Subject = 'Subject section';
  m.Body = 'Body section'; m.From = 'from@from.com'; await m.Send();
  const parsed = await read();
  assert.equal(parsed.subject, 'Subject section');
  assert.equal(parsed.text?.trim(), 'Body section');
  assert.equal(contentType(parsed.raw), 'text/plain');
  assert.deepEqual(addresses(parsed.from), ['from@from.com']);
});

test('C. plain text with To/CC/BCC and a display-name From; then the HTML variant', async () => {
  // Mailer.From = "Duck Newsletter<newsletter@duck.com>"
  // Mailer.To = "huey@duck.com" : Mailer.CC = "louie@duck.com" : Mailer.BCC = "dewey@duck.com"
  // Mailer.Subject = "Duck Newsletter" : Mailer.Body = mailBody : Mailer.Send
  for (const html of [false, true]) {
    const { mail: Mailer, read } = serverCreateObject();
    Mailer.From = 'Duck Newsletter<newsletter@duck.com>';
    Mailer.To = 'huey@duck.com'; Mailer.Cc = 'louie@duck.com'; Mailer.Bcc = 'dewey@duck.com';
    // HTML variant: Mailer.MailFormat = 0 : Mailer.BodyFormat = 0 before setting Body
    if (html) { Mailer.MailFormat = 0; Mailer.BodyFormat = 0; }
    Mailer.Subject = 'Duck Newsletter';
    Mailer.Body = html ? '<h1>Quack</h1><p>News from the pond.</p>' : 'Quack. News from the pond.';
    await Mailer.Send();
    const m = await read();
    assert.equal(m.from?.value[0]?.name, 'Duck Newsletter');
    assert.deepEqual(addresses(m.to), ['huey@duck.com']);
    assert.deepEqual(addresses(m.cc), ['louie@duck.com']);
    assert.equal(m.bcc, undefined);
    assert.deepEqual(m.envelope.to, ['huey@duck.com', 'louie@duck.com', 'dewey@duck.com']);
    assert.doesNotMatch(m.raw, /dewey/u);
    if (html) {
      assert.equal(contentType(m.raw), 'multipart/alternative');
      assert.match(String(m.html), /<h1>Quack<\/h1>/u);
      assert.match(m.text ?? '', /^Quack$/mu);
    } else {
      assert.equal(m.text?.trim(), 'Quack. News from the pond.');
    }
  }
});

test('D. attachments with display names, MIME (WROX sample 1)', async (t: TestContext) => {
  // With objMsg
  //   .To = """User 33"" <user.33@test-server>" : .From = """User 1"" <user.1@dev02>"
  //   .Subject = "This is the subject" : .MailFormat = CdoMailFormatMime
  //   .AttachFile "C:\ASP Prog Ref\Chapter 39\Word attachment.doc", "A Word attachment.doc"
  //   .AttachFile "C:\ASP Prog Ref\Chapter 39\HTML attachment.htm", "An HTML attachment.htm"
  //   .Send
  // End With
  const dir = await tempDir(t);
  const doc = randomBytes(5000);
  await writeFile(join(dir, 'Word attachment.doc'), doc);
  await writeFile(join(dir, 'HTML attachment.htm'), '<p>attached page</p>');
  const { mail: objMsg, read } = serverCreateObject();
  objMsg.To = '"User 33" <user.33@test-server>'; objMsg.From = '"User 1" <user.1@dev02>';
  objMsg.Subject = 'This is the subject'; objMsg.MailFormat = CdoMailFormatMime;
  objMsg.AttachFile(join(dir, 'Word attachment.doc'), 'A Word attachment.doc');
  objMsg.AttachFile(join(dir, 'HTML attachment.htm'), 'An HTML attachment.htm');
  await objMsg.Send();
  const m = await read();
  assert.equal(contentType(m.raw), 'multipart/mixed');
  assert.equal(m.to && !Array.isArray(m.to) ? m.to.value[0]?.name : '', 'User 33');
  assert.deepEqual(m.attachments.map((a) => [a.filename, a.contentType]), [
    ['A Word attachment.doc', 'application/msword'],
    ['An HTML attachment.htm', 'text/html'],
  ]);
  assert.ok(m.attachments[0]?.content.equals(doc));
  assert.equal(m.attachments[1]?.content.toString(), '<p>attached page</p>');
});

test('E. MHTML with AttachURL (WROX sample 2): the image sits in a multipart/related with Content-Location', async (t: TestContext) => {
  // strBody = "<HTML><HEAD><TITLE>With compliments</TITLE></HEAD><BODY><P><IMG src=""the_wrox_logo.gif""></P>…</BODY></HTML>"
  // With objMsg
  //   .To = strTo : .From = strFrom : .Subject = "With compliments"
  //   .MailFormat = CdoMailFormatMime : .BodyFormat = CdoBodyFormatHTML : .Body = strBody
  //   .AttachURL "C:\ASP Prog Ref\Chapter 39\wrox_logo100.gif", "the_wrox_logo.gif"
  //   .Send
  // End With
  const dir = await tempDir(t);
  const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
  await writeFile(join(dir, 'wrox_logo100.gif'), gif);
  const strBody = '<HTML><HEAD><TITLE>With compliments</TITLE></HEAD><BODY><P><IMG src="the_wrox_logo.gif"></P><P>With compliments</P></BODY></HTML>';
  const { mail: objMsg, read } = serverCreateObject();
  objMsg.To = 'to@example.com'; objMsg.From = 'from@example.com'; objMsg.Subject = 'With compliments';
  objMsg.MailFormat = CdoMailFormatMime; objMsg.BodyFormat = CdoBodyFormatHTML; objMsg.Body = strBody;
  objMsg.AttachURL(join(dir, 'wrox_logo100.gif'), 'the_wrox_logo.gif');
  await objMsg.Send();
  const m = await read();
  assert.equal(contentType(m.raw), 'multipart/alternative');
  assert.match(m.raw, /Content-Type: multipart\/related; type="text\/html"/u);
  assert.match(m.raw, /^Content-Location: the_wrox_logo\.gif\r$/mu);
  const [image] = m.attachments;
  assert.equal(image?.contentType, 'image/gif');
  assert.equal(image?.related, true);
  assert.equal(image?.contentDisposition, 'inline');
  assert.ok(image?.content.equals(gif));
  assert.match(String(m.html), /<IMG src="the_wrox_logo.gif">/u);
  assert.match(m.text ?? '', /With compliments/u);
});

test('F. custom headers through Value (WROX sample 3)', async () => {
  // .Value("Reply-To") = "please@replyhere"
  // .Value("Custom-header") = "This is the value"
  const { mail, read } = serverCreateObject();
  mail.From = 'a@example.com'; mail.To = 'b@example.com';
  mail.Value('Reply-To', 'please@replyhere');
  mail.Value('Custom-header', 'This is the value');
  await mail.Send();
  const m = await read();
  assert.deepEqual(addresses(m.replyTo), ['please@replyhere']);
  assert.equal(m.headers.get('custom-header'), 'This is the value');
});

test('G. mass mail through a semicolon Bcc list with display names and a trailing ";" (WROX sample 5)', async () => {
  // strBcc = """User 33"" <user.33@domain1.com>;""User 98"" <user.98@domain1.com>;" & _
  //          """User 16"" <user.16@domain2.com>;""User 25"" <user.25@domain3.com>;"
  // .To = """Our newsletter subscribers"" <newsletter@dev02>" : .Cc = strFrom : .Bcc = strBcc : .Send
  const strBcc = '"User 33" <user.33@domain1.com>;"User 98" <user.98@domain1.com>;"User 16" <user.16@domain2.com>;"User 25" <user.25@domain3.com>;';
  const { mail, read } = serverCreateObject();
  mail.From = 'news@dev02';
  mail.To = '"Our newsletter subscribers" <newsletter@dev02>'; mail.Cc = 'news@dev02'; mail.Bcc = strBcc;
  await mail.Send();
  const m = await read();
  assert.deepEqual(m.envelope.to, ['newsletter@dev02', 'news@dev02', 'user.33@domain1.com', 'user.98@domain1.com', 'user.16@domain2.com', 'user.25@domain3.com']);
  assert.equal(m.bcc, undefined);
  assert.doesNotMatch(m.raw, /User 98|domain2/u);
});

test('H. AttachFile Base64 + positional Send with an empty Body argument and cdoHigh (O\'Reilly)', async (t: TestContext) => {
  // objNewMail.Body = "Wow, this message takes just a few lines of code."
  // objNewMail.AttachFile "c:\Data\Proposal.doc", "Proposal.Doc", cdoEncodingBase64
  // objNewMail.Send "me@here.com","you@there.com", "This is the subject",,cdoHigh
  const dir = await tempDir(t);
  await writeFile(join(dir, 'Proposal.doc'), 'proposal bytes');
  const { mail: objNewMail, read } = serverCreateObject();
  objNewMail.Body = 'Wow, this message takes just a few lines of code.';
  objNewMail.AttachFile(join(dir, 'Proposal.doc'), 'Proposal.Doc', CdoEncodingBase64);
  await objNewMail.Send('me@here.com', 'you@there.com', 'This is the subject', undefined, CdoHigh);
  const m = await read();
  assert.equal(m.subject, 'This is the subject');
  assert.equal(m.text?.trim(), 'Wow, this message takes just a few lines of code.');
  assert.equal(m.headers.get('priority'), 'high');
  assert.match(m.raw, /^X-MSMail-Priority: High\r$/imu);
  assert.equal(contentType(m.raw), 'multipart/mixed', 'a Base64 attachment switches the message to MIME');
  assert.equal(m.attachments[0]?.filename, 'Proposal.Doc');
  assert.equal(m.attachments[0]?.content.toString(), 'proposal bytes');
});

test('I. form-mail: user input in From and Reply-To cannot inject headers', async () => {
  // Mailer.From = from : Mailer.Subject = "Contact Form: " & product : Mailer.To = strTo
  // Mailer.Body = body : Mailer.Value("Reply-To") = email : Mailer.Send
  const { mail: Mailer } = serverCreateObject();
  const email = 'visitor@example.com\r\nBcc: everyone@victims.example';
  const product = 'Widget\nBcc: more@victims.example';
  assert.throws(() => (Mailer.From = email), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  assert.throws(() => (Mailer.Subject = 'Contact Form: ' + product), (e: unknown) => isCdoError(e) && e.number === -2147024809);
  assert.throws(() => Mailer.Value('Reply-To', email), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
});

test('J. HTML helper with Importance 1 (ASPMail.asp)', async () => {
  // Mailer.BodyFormat = 0 : Mailer.MailFormat = 0
  // Mailer.To = strTo : Mailer.From = strFrom : Mailer.Subject = strSubject : Mailer.Body = strBody
  // Mailer.Importance = 1 : Mailer.Send : Set Mailer = Nothing
  const { mail: Mailer, read } = serverCreateObject();
  Mailer.BodyFormat = 0; Mailer.MailFormat = 0;
  Mailer.To = 'to@example.com'; Mailer.From = 'from@example.com'; Mailer.Subject = 'Normal'; Mailer.Body = '<p>Hi <b>there</b></p>';
  Mailer.Importance = 1; await Mailer.Send();
  const m = await read();
  assert.equal(contentType(m.raw), 'multipart/alternative');
  assert.doesNotMatch(m.raw, /^(Importance|X-Priority|X-MSMail-Priority):/imu, 'Normal importance adds no priority headers');
  assert.equal(m.text?.trim(), 'Hi there');
});

test('K. upload-then-attach with an Err.Number check', async (t: TestContext) => {
  // MUF_objMail.AttachFile Server.MapPath(MUF_Path & MUF_fileName), MUF_fileName, 1
  // MUF_objMail.Send()
  // If Err.number <> 0 Then ...
  const dir = await tempDir(t);
  await writeFile(join(dir, 'upload.txt'), 'uploaded');
  const { mail: MUF_objMail, read } = serverCreateObject();
  MUF_objMail.From = 'a@example.com'; MUF_objMail.To = 'b@example.com';
  let errNumber = 0;
  try {
    MUF_objMail.AttachFile(join(dir, 'missing.txt'), 'missing.txt', 1);
  } catch (e) {
    errNumber = isCdoError(e) ? e.number : -1;
  }
  assert.equal(errNumber, 0x8004010f | 0, 'CDO_E_NOT_FOUND, as Err.Number');
  MUF_objMail.AttachFile(join(dir, 'upload.txt'), 'upload.txt', 1);
  await MUF_objMail.Send();
  assert.equal((await read()).attachments[0]?.content.toString(), 'uploaded');
});
