// Patterns real scripts use that CDONTS and CDOSYS accepted: JScript `new String('x')`
// values, and a quoted display name followed by a bare address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCdoError, Mailer, Message, NewMail, parseAddressList } from '../src/index.js';
import { parseMail } from './support/parse-mail.js';

const S = (value: string): string => new String(value) as unknown as string;

test('"Ann Lee" ann@example.com parses as name + address for From and To; anything more is still refused', async () => {
  assert.deepEqual(parseAddressList('"Ann Lee" ann@example.com', 'To'), [{ name: 'Ann Lee', address: 'ann@example.com' }]);
  assert.deepEqual(parseAddressList('"Lee, Ann" ann@example.com; "Bob" bob@example.com', 'To'), [
    { name: 'Lee, Ann', address: 'ann@example.com' },
    { name: 'Bob', address: 'bob@example.com' },
  ]);
  for (const bad of ['"Ann" ann@example.com bob@example.com', '"Ann" <ann@example.com> x', '"Ann" ann@exa mple.com']) {
    assert.throws(() => parseAddressList(bad, 'To'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER', bad);
  }
  const mailer = new Mailer({ transport: 'memory:' });
  const mail = new NewMail({ mailer });
  mail.From = '"Queue Job" jobs@example.com';
  mail.To = '"Ann Lee" ann@example.com';
  mail.Body = 'x';
  await mail.Send();
  const parsed = await parseMail(mailer.memory?.messages[0]?.raw ?? '');
  assert.equal(parsed.from?.value[0]?.name, 'Queue Job');
  assert.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.name : '', 'Ann Lee');
});

test('JScript String objects are taken as their string by every NewMail property and argument', async () => {
  const mailer = new Mailer({ transport: 'memory:' });
  const mail = new NewMail({ mailer });
  mail.From = S('a@example.com');
  mail.To = S('b@example.com');
  mail.Cc = S('c@example.com');
  mail.Bcc = S('d@example.com');
  mail.Subject = S('Hi');
  mail.Body = S('<p>x</p>');
  mail.BodyFormat = S('html') as never;
  mail.MailFormat = S('mime') as never;
  mail.Importance = S('high') as never;
  mail.ContentBase = S('http://example.com/');
  mail.Value(S('X-Test'), S('yes'));
  mail.SetLocaleIDs(new Number(65001) as unknown as number);
  await mail.Send(S('e@example.com'), S('f@example.com'), S('Subject!'), null, null);
  const parsed = await parseMail(mailer.memory?.messages[0]?.raw ?? '');
  assert.equal(parsed.subject, 'Subject!');
  assert.equal(parsed.headers.get('x-test'), 'yes');
  assert.equal(typeof mail, 'object');
});

test('JScript String objects work for CDO.Message properties, Fields and arguments', async () => {
  const m = new Message();
  m.From = S('a@example.com');
  m.To = S('b@example.com');
  m.Subject = S('Hi');
  m.TextBody = S('text');
  m.Fields(S('urn:schemas:mailheader:x-test')).Value = S('yes');
  m.Fields.Update();
  m.BodyPart.Charset = S('utf-8');
  m.DSNOptions = new Number(2) as unknown as number;
  assert.equal(m.Subject, 'Hi');
  assert.equal(m.TextBody, 'text');
  assert.equal(m.Fields('urn:schemas:mailheader:x-test').Value, 'yes');
  const text = (await m.GetStream()).ReadText();
  assert.match(text, /^X-Test: yes\r$/imu);
  assert.match(text, /^Subject: Hi\r$/mu);
});
