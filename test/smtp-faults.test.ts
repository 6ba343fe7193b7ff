// Each fault against a real local server made to misbehave: a typed error carrying the
// response code, within the configured timeout; the NewMail stays usable; the pooled
// transport recovers for the next send.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { TransportError } from '../src/errors/transport-error.js';
import type { ErrorCode } from '../src/errors/error-codes.js';
import { startScriptedSmtp, type SmtpScript } from './support/scripted-smtp.js';

const TIMEOUTS = 'greetingTimeout=400&socketTimeout=600&connectionTimeout=1000';

interface Fault {
  readonly name: string;
  readonly script: SmtpScript;
  readonly code: ErrorCode;
  readonly responseCode?: number;
  readonly temporary: boolean;
  readonly withinMs: number;
  readonly scheme?: 'smtp' | 'smtps';
}

const FAULTS: Fault[] = [
  { name: 'connection dropped mid-DATA', script: { dropMidData: true }, code: 'CDO_E_CONNECTION_DROPPED', temporary: true, withinMs: 3_000 },
  { name: '421 at the greeting', script: { greeting: '421 4.3.2 service shutting down' }, code: 'CDO_E_FAILED_TO_CONNECT', responseCode: 421, temporary: true, withinMs: 3_000 },
  { name: '421 after MAIL FROM', script: { mail: '421 4.7.0 too many connections' }, code: 'CDO_E_SENDER_REJECTED', responseCode: 421, temporary: true, withinMs: 3_000 },
  { name: '451 after the message data', script: { dataEnd: '451 4.3.0 local error, try later' }, code: 'CDO_E_SMTP_SEND_FAILED', responseCode: 451, temporary: true, withinMs: 3_000 },
  { name: '550 for the recipient', script: { rcpt: '550 5.1.1 no such user' }, code: 'CDO_E_RECIPIENTS_REJECTED', responseCode: 550, temporary: false, withinMs: 3_000 },
  { name: '554 after the message data', script: { dataEnd: '554 5.7.1 rejected as spam' }, code: 'CDO_E_SMTP_SEND_FAILED', responseCode: 554, temporary: false, withinMs: 3_000 },
  { name: 'a server that never greets', script: { greeting: null }, code: 'CDO_E_FAILED_TO_CONNECT', temporary: true, withinMs: 3_000 },
  { name: 'a slow server (replies after the socket timeout)', script: { delayMs: 2_000 }, code: 'CDO_E_FAILED_TO_CONNECT', temporary: true, withinMs: 3_000 },
  { name: 'a TLS handshake failure (smtps:// to a plain server)', script: {}, code: 'CDO_E_FAILED_TO_CONNECT', temporary: true, withinMs: 3_000, scheme: 'smtps' },
];

function newMail(mailer: Mailer): NewMail {
  const mail = new NewMail({ mailer });
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  mail.Subject = 'fault';
  mail.Body = 'body';
  return mail;
}

for (const fault of FAULTS) {
  test(`SMTP fault: ${fault.name} → ${fault.code}, then a retry on the same pool succeeds`, async (t: TestContext) => {
    const server = await startScriptedSmtp(fault.script);
    t.after(() => server.close());
    const mailer = new Mailer({ transport: `${fault.scheme ?? 'smtp'}://127.0.0.1:${server.port}/?${TIMEOUTS}&tls.rejectUnauthorized=false` });
    t.after(() => mailer.close());
    const mail = newMail(mailer);
    const started = Date.now();
    await assert.rejects(mail.Send(), (error: unknown) => {
      assert.ok(error instanceof TransportError, String(error));
      assert.equal(error.code, fault.code, error.message);
      if (fault.responseCode !== undefined) assert.equal(error.responseCode, fault.responseCode);
      assert.equal(error.temporary, fault.temporary, `temporary for ${error.message}`);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < fault.withinMs, `failed after ${elapsed} ms`);
    assert.equal(mail.state, 'composing', 'the NewMail stays usable');
    if (fault.scheme === 'smtps') return; // a plain server never becomes a TLS one
    server.script = {};
    const before = server.received.length; // a server that refuses after DATA has seen the bytes
    await mail.Send();
    assert.equal(server.received.length, before + 1);
    assert.match(server.received.at(-1) ?? '', /Subject: fault/u);
  });
}
