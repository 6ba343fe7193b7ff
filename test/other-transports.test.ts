import assert from 'node:assert/strict';
import { test } from 'node:test';
import nodemailer from 'nodemailer';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { MemoryTransport } from '../src/transports/memory-transport.js';
import { parseMail } from './support/parse-mail.js';

function send(mailer: Mailer) {
  const mail = new NewMail({ mailer });
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  mail.Bcc = 'c@example.com';
  mail.Subject = 'other transports';
  mail.BodyFormat = 'markdown';
  mail.MailFormat = 0;
  mail.Body = '**bold**';
  return mail.Send();
}

test('memory: keeps the CRLF message and its envelope', async () => {
  const mailer = new Mailer({ transport: 'memory:' });
  const result = await send(mailer);
  assert.equal(result.transport, 'memory');
  const [stored] = mailer.memory?.messages ?? [];
  assert.deepEqual(stored?.envelope, { from: 'a@example.com', to: ['b@example.com', 'c@example.com'] });
  assert.equal(stored?.messageId, result.messageId);
  assert.equal(/(?<!\r)\n/u.test(stored?.raw.toString() ?? ''), false);
  assert.match(String((await parseMail(stored?.raw ?? '')).html), /<strong>bold<\/strong>/u);
  await mailer.close();
});

test('stream: and json: are nodemailer\'s own transports', async () => {
  for (const transport of ['stream:', 'json:']) {
    const mailer = new Mailer({ transport });
    const result = await send(mailer);
    assert.equal(result.transport, transport.slice(0, -1));
    assert.deepEqual(result.envelope, { from: 'a@example.com', to: ['b@example.com', 'c@example.com'] });
    await mailer.close();
  }
});

test('a nodemailer transporter passed in is used and left open for its owner', async () => {
  const memory = new MemoryTransport();
  const transporter = nodemailer.createTransport(memory);
  const mailer = new Mailer({ transport: transporter });
  await send(mailer);
  await mailer.close();
  assert.equal(memory.messages.length, 1);
  await transporter.sendMail({ from: 'x@example.com', to: 'y@example.com', text: 'still usable' });
  assert.equal(memory.messages.length, 2);
});

test('a closed Mailer refuses new messages with CDO_E_END_OF_SESSION', async () => {
  const mailer = new Mailer({ transport: 'memory:' });
  await mailer.close();
  await assert.rejects(send(mailer), { code: 'CDO_E_END_OF_SESSION' });
  assert.equal(mailer.state, 'closed');
});
