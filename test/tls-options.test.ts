import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { makeTestCa } from './support/test-ca.js';
import { tempDir } from './support/temp-dir.js';

async function starttlsSink(t: TestContext) {
  const dir = await tempDir(t);
  const ca = await makeTestCa(dir);
  const secured: boolean[] = [];
  const sink = await startSmtpSink({
    server: {
      disabledCommands: ['AUTH'],
      key: ca.key,
      cert: ca.cert,
      onMailFrom(_address, session, callback) {
        secured.push(session.secure);
        callback();
      },
    },
  });
  t.after(() => sink.close());
  return { sink, ca, secured };
}

async function send(mailer: Mailer): Promise<void> {
  const mail = new NewMail({ mailer });
  mail.From = 'app@example.com';
  mail.To = 'user@example.com';
  mail.Subject = 'over TLS';
  mail.Body = 'verified against a private CA';
  await mail.Send();
}

test('tls.ca read from a PEM file is accepted, and STARTTLS verifies the server against it', async (t) => {
  const { sink, ca, secured } = await starttlsSink(t);
  const mailer = new Mailer({ transport: { host: '127.0.0.1', port: sink.port, requireTLS: true, tls: { ca: readFileSync(ca.caPath, 'utf8'), rejectUnauthorized: true } } });
  t.after(() => mailer.close());
  await send(mailer);
  assert.equal(sink.messages.length, 1);
  assert.deepEqual(secured, [true]);
});

test('without the private CA the same server is refused (the verification is real)', async (t) => {
  const { sink } = await starttlsSink(t);
  const mailer = new Mailer({ transport: { host: '127.0.0.1', port: sink.port, requireTLS: true, tls: { rejectUnauthorized: true }, connectionTimeout: 5_000 } });
  t.after(() => mailer.close());
  await assert.rejects(send(mailer), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_FAILED_TO_CONNECT');
  assert.equal(sink.messages.length, 0);
});

test('a DKIM private key (a PEM, newlines and all) is accepted at configure time', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const mailer = new Mailer({ transport: { host: '127.0.0.1', port: 25, dkim: { domainName: 'example.com', keySelector: 's1', privateKey } } });
  return mailer.close();
});

test('a control character in a value that becomes SMTP command text is still refused', () => {
  const refused = (e: unknown): boolean => isCdoError(e) && e.code === 'CDO_E_INVALID_SEND_OPTION';
  assert.throws(() => new Mailer({ transport: { host: '127.0.0.1\r\nQUIT', port: 25 } }), refused);
  assert.throws(() => new Mailer({ transport: { host: '127.0.0.1', port: 25, auth: { user: 'u\nRSET', pass: 'p' } } }), refused);
  assert.throws(() => new Mailer({ transport: { host: '127.0.0.1', port: 25, auth: { user: 'u', pass: 'p\u0000' } } }), refused);
  assert.throws(() => new Mailer({ transport: { host: '127.0.0.1', port: 25, name: 'ehlo\rname' } }), refused);
});
