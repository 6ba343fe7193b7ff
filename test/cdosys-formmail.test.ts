import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, test, type TestContext } from 'node:test';
import { createCdosysFormMailServer, smtpConfiguration } from '../examples/cdosys/form-mail-server.js';
import { close, transportStats } from '../src/index.js';
import { addresses, parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';

after(() => close());

async function start(t: TestContext) {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const server = createCdosysFormMailServer({ to: 'webmaster@example.com', from: 'Web Site <web@example.com>', configuration: smtpConfiguration('127.0.0.1', sink.port), maxBodyBytes: 20_000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (fields: Record<string, string> | string) =>
    fetch(`${base}/contact`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString() });
  return { sink, base, post };
}

const good = { name: 'Zoë Visitor', email: 'zoe@example.org', subject: 'Prices?', message: 'Hello,\nhow much is it?' };

test('CDOSYS form mail: posts are mailed over SMTP through one shared Configuration and one pool', async (t) => {
  const { sink, post, base } = await start(t);
  assert.equal((await fetch(`${base}/`)).status, 200);
  for (let i = 0; i < 3; i++) {
    const response = await post(good);
    assert.equal(response.status, 200, await response.clone().text());
    assert.match(await response.text(), /^Thank you, Zoë Visitor\./u);
  }
  assert.equal(sink.messages.length, 3);
  const parsed = await parseMail(sink.messages[0]?.raw ?? Buffer.alloc(0));
  assert.deepEqual(addresses(parsed.from), ['web@example.com']);
  assert.deepEqual(addresses(parsed.to), ['webmaster@example.com']);
  assert.deepEqual(addresses(parsed.replyTo), ['zoe@example.org']);
  assert.equal(parsed.subject, 'Contact form: Prices?');
  assert.equal(parsed.text?.trim(), 'From: Zoë Visitor <zoe@example.org>\n\nHello,\nhow much is it?');
  assert.equal(transportStats().filter((p) => p.settings['port'] === sink.port).length, 1);
});

test('CDOSYS form mail: header injection is refused with a 400 and nothing is sent', async (t) => {
  const { sink, post } = await start(t);
  for (const fields of [
    { ...good, email: 'zoe@example.org\r\nBcc: victim@example.net' },
    { ...good, email: 'zoe@example.org, victim@example.net' },
    { ...good, subject: 'Hi\r\nBcc: victim@example.net' },
    { ...good, email: 'not-an-address' },
  ]) {
    const response = await post(fields);
    assert.equal(response.status, 400, JSON.stringify(fields));
  }
  assert.equal(sink.messages.length, 0);
  assert.equal((await post('message=' + 'x'.repeat(30_000))).status, 413);
});
