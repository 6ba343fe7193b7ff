import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { close, createObject, isCdoError, Message, cdoSendUsingPickup, type DroppedMessage } from '../src/index.js';
import { tempDir } from './support/temp-dir.js';

const F = 'http://schemas.microsoft.com/cdo/configuration/';
after(() => close());

test('DropDirectory.GetMessages reads a drop folder as CDO.Message objects: Count, Item(1), for…of, DeleteAll', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'report.txt'), 'quarterly figures');
  // Two messages land in the folder through the pickup transport (X-Sender/X-Receiver lines on top).
  for (const [i, html] of [[1, false], [2, true]] as const) {
    const m = new Message();
    m.Configuration.Fields(F + 'sendusing').Value = cdoSendUsingPickup;
    m.Configuration.Fields(F + 'smtpserverpickupdirectory').Value = dir;
    m.Configuration.Fields.Update();
    m.From = '"Ann Lee" ann@example.com';
    m.To = 'bob@example.com, "Carol" <carol@example.com>';
    m.Cc = 'dave@example.com';
    m.Subject = `message ${i}`;
    if (html) m.HTMLBody = '<p>Hello <b>HTML</b></p>';
    else m.TextBody = 'plain text';
    if (html) m.AddAttachment(join(dir, 'report.txt'));
    await m.Send();
    // the pickup names sort by time; make the order certain
    const files = (await readdir(dir)).filter((n) => n.endsWith('.eml'));
    assert.equal(files.length, i);
  }
  await writeFile(join(dir, 'ignored.tmp'), 'not a message');
  // Set dd = CreateObject("CDO.DropDirectory") : Set msgs = dd.GetMessages("c:\inetpub\mailroot\drop")
  const dd = createObject('CDO.DropDirectory');
  const messages = dd.GetMessages(dir);
  assert.equal(messages.Count, 2);
  const subjects = [...messages].map((m: DroppedMessage) => m.Subject).sort();
  assert.deepEqual(subjects, ['message 1', 'message 2']);
  const html = [...messages].find((m) => m.Subject === 'message 2');
  assert.ok(html);
  assert.equal(html.From, '"Ann Lee" <ann@example.com>');
  assert.equal(html.To, 'bob@example.com, "Carol" <carol@example.com>');
  assert.equal(html.Cc, 'dave@example.com');
  assert.match(html.HTMLBody, /<b>HTML<\/b>/u);
  assert.match(html.TextBody, /Hello HTML/u);
  assert.equal(html.Attachments.Count, 1);
  assert.equal(html.Attachments.Item(1).FileName, 'report.txt');
  assert.equal(Buffer.from(html.Attachments.Item(1).content).toString(), 'quarterly figures');
  const first = messages.Item(1);
  assert.ok(first.Subject.startsWith('message'));
  assert.throws(() => messages.Item(3), (e: unknown) => isCdoError(e));
  messages.DeleteAll();
  assert.equal(messages.Count, 0);
  assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.eml')), []);
  assert.equal(dd.GetMessages(join(dir, 'absent')).Count, 0);
});
