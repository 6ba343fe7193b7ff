import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { createFormMailServer } from '../examples/formmail/form-mail-server.js';
import { Mailer } from '../src/mailer.js';
import { addresses, parseMail } from './support/parse-mail.js';

async function start(t: TestContext) {
  const mailer = new Mailer({ transport: 'memory:' });
  const server = createFormMailServer({ to: 'webmaster@example.com', from: 'Web Site <web@example.com>', mailer, maxBodyBytes: 20_000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (fields: Record<string, string> | string) =>
    fetch(`${base}/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
    });
  return { mailer, base, post };
}

const good = { name: 'Zoë Visitor', email: 'zoe@example.org', subject: 'Prices?', message: 'Hello,\nhow much is it?' };

test('a posted form is mailed: site From, visitor in Reply-To, fields in the body', async (t) => {
  const { mailer, post, base } = await start(t);
  assert.equal((await fetch(`${base}/`)).status, 200);
  const response = await post(good);
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(await response.text(), /^Thank you, Zoë Visitor\./u);
  const parsed = await parseMail(mailer.memory?.messages[0]?.raw ?? '');
  assert.deepEqual(addresses(parsed.from), ['web@example.com']);
  assert.deepEqual(addresses(parsed.to), ['webmaster@example.com']);
  assert.deepEqual(addresses(parsed.replyTo), ['zoe@example.org']);
  assert.equal(parsed.subject, 'Contact form: Prices?');
  assert.equal(parsed.text?.trim(), 'From: Zoë Visitor <zoe@example.org>\n\nHello,\nhow much is it?');
});

test('header injection through any field is refused with a 400, and nothing is sent', async (t) => {
  const { mailer, post } = await start(t);
  const attacks = [
    { ...good, email: 'zoe@example.org\r\nBcc: victim@example.net' },
    { ...good, email: 'zoe@example.org, victim@example.net' },
    { ...good, email: 'victim@example.net (x)zoe@example.org' },
    { ...good, subject: 'Hi\r\nBcc: victim@example.net' },
    { ...good, subject: 'Hi\nContent-Type: text/html' },
    { ...good, email: 'not-an-address' },
  ];
  for (const fields of attacks) {
    const response = await post(fields);
    assert.equal(response.status, 400, JSON.stringify(fields));
    assert.ok((await response.text()).length > 5);
  }
  assert.equal(mailer.memory?.messages.length, 0);
});

test('missing fields, oversized forms and wrong methods get clear errors', async (t) => {
  const { post, base, mailer } = await start(t);
  const missing = await post({ ...good, message: '  ' });
  assert.equal(missing.status, 400);
  assert.equal(await missing.text(), 'message is required\n');
  assert.equal((await post({ ...good, subject: 'x'.repeat(201) })).status, 400);
  assert.equal((await post('message=' + 'x'.repeat(30_000))).status, 413);
  assert.equal((await fetch(`${base}/contact`)).status, 405);
  assert.equal((await fetch(`${base}/contact`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 415);
  assert.equal((await fetch(`${base}/nope`)).status, 404);
  assert.equal(mailer.memory?.messages.length, 0);
});
