import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { TransportError } from '../src/errors/transport-error.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { addresses, parseMail } from './support/parse-mail.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

async function sink(t: import('node:test').TestContext, options?: Parameters<typeof startSmtpSink>[0]): Promise<SmtpSink> {
  const s = await startSmtpSink(options);
  t.after(() => s.close());
  return s;
}

function mailer(t: import('node:test').TestContext, transport: string): Mailer {
  const m = new Mailer({ transport });
  t.after(() => m.close());
  return m;
}

function htmlMail(m: Mailer): NewMail {
  const mail = new NewMail({ mailer: m });
  mail.From = '"Web Site" <web@example.com>';
  mail.To = 'to@example.com';
  mail.Bcc = 'hidden@example.com';
  mail.Subject = 'Über SMTP';
  mail.BodyFormat = 'html';
  mail.MailFormat = 0;
  mail.Body = '<p>Hello <i>SMTP</i></p>';
  return mail;
}

test('SMTP without AUTH: delivered, Bcc only in the envelope, parts intact', async (t) => {
  const server = await sink(t);
  const result = await htmlMail(mailer(t, server.url)).Send();
  assert.equal(result.transport, 'smtp');
  assert.match(result.response ?? '', /^250/u);
  assert.deepEqual(result.accepted, ['to@example.com', 'hidden@example.com']);
  assert.equal(server.messages.length, 1);
  const [message] = server.messages;
  assert.deepEqual(message?.to, ['to@example.com', 'hidden@example.com']);
  assert.equal(message?.from, 'web@example.com');
  const parsed = await parseMail(message?.raw ?? '');
  assert.equal(parsed.subject, 'Über SMTP');
  assert.deepEqual(addresses(parsed.to), ['to@example.com']);
  assert.equal(parsed.bcc, undefined);
  assert.equal(parsed.text?.trim(), 'Hello SMTP');
  assert.match(String(parsed.html), /<i>SMTP<\/i>/u);
  assert.doesNotMatch(message?.raw.toString() ?? '', /hidden@example\.com/u);
});

test('SMTP with AUTH: the right credentials deliver', async (t) => {
  const server = await sink(t, { auth: { user: 'jane', pass: 's3cret;pw' } });
  await htmlMail(mailer(t, server.url)).Send();
  assert.equal(server.messages.length, 1);
});

test('SMTP with wrong credentials: CDO_E_AUTHENTICATION_FAILURE with code 535, no secret in the message', async (t) => {
  const server = await sink(t, { auth: { user: 'jane', pass: 'right' } });
  const mail = htmlMail(mailer(t, `smtp://jane:wrong-password@127.0.0.1:${server.port}`));
  await assert.rejects(mail.Send(), (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.code, 'CDO_E_AUTHENTICATION_FAILURE');
    assert.equal(error.responseCode, 535);
    assert.equal(error.smtpCode, 'EAUTH');
    assert.doesNotMatch(error.message, /wrong-password/u);
    return true;
  });
  assert.equal(mail.state, 'composing');
  assert.equal(server.messages.length, 0);
});

test('a 550 from the server reaches the caller as a typed error carrying the response code, and the mail can be retried', async (t) => {
  let reject = true;
  const server = await sink(t, { rejectData: () => (reject ? { code: 550, message: 'Message refused by policy' } : undefined) });
  const m = mailer(t, server.url);
  const mail = htmlMail(m);
  await assert.rejects(mail.Send(), (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.code, 'CDO_E_SMTP_SEND_FAILED');
    assert.equal(error.hresult, 0x80040211);
    assert.equal(error.responseCode, 550);
    assert.match(error.response ?? '', /Message refused by policy/u);
    assert.equal(error.transport, 'smtp');
    return true;
  });
  assert.equal(mail.state, 'composing', 'a failed Send leaves the NewMail usable');
  reject = false;
  await mail.Send();
  assert.equal(server.messages.length, 1, 'the pooled transport recovers for the next send');
});

test('every recipient refused: CDO_E_RECIPIENTS_REJECTED with the 550 and the refused addresses', async (t) => {
  const server = await sink(t, { rejectRecipient: () => ({ code: 550, message: 'No such user' }) });
  const mail = htmlMail(mailer(t, server.url));
  mail.Bcc = '';
  await assert.rejects(mail.Send(), (error: unknown) => {
    assert.ok(error instanceof TransportError);
    assert.equal(error.code, 'CDO_E_RECIPIENTS_REJECTED');
    assert.equal(error.responseCode, 550);
    assert.deepEqual(error.rejected, ['to@example.com']);
    return true;
  });
});

test('one recipient refused, the other accepted: Send succeeds and reports the refusal', async (t) => {
  const server = await sink(t, { rejectRecipient: (a) => (a === 'hidden@example.com' ? { code: 550, message: 'No such user' } : undefined) });
  const result = await htmlMail(mailer(t, server.url)).Send();
  assert.deepEqual(result.accepted, ['to@example.com']);
  assert.deepEqual(result.rejected, ['hidden@example.com']);
  assert.deepEqual(server.messages[0]?.to, ['to@example.com']);
});

test('nothing listening: CDO_E_FAILED_TO_CONNECT, quickly', async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const mail = htmlMail(mailer(t, `smtp://127.0.0.1:${port}`));
  await assert.rejects(mail.Send(), (error: unknown) => isCdoError(error) && error.code === 'CDO_E_FAILED_TO_CONNECT');
});

test('a server that never greets: CDO_E_FAILED_TO_CONNECT within the greeting timeout', async (t) => {
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const { port } = silent.address() as import('node:net').AddressInfo;
  const m = new Mailer({ transport: `smtp://127.0.0.1:${port}/?greetingTimeout=300` });
  const started = Date.now();
  await assert.rejects(htmlMail(m).Send(), (error: unknown) => {
    assert.ok(isCdoError(error));
    assert.equal(error.code, 'CDO_E_FAILED_TO_CONNECT');
    return true;
  });
  assert.ok(Date.now() - started < 5_000);
  await m.close();
});

test('SMTP options objects and query parameters reach nodemailer', async (t) => {
  const server = await sink(t);
  const m = new Mailer({ transport: { host: '127.0.0.1', port: server.port, secure: false, maxConnections: 2 } });
  t.after(() => m.close());
  await htmlMail(m).Send();
  assert.equal(server.messages.length, 1);
});

test('a burst\'s connections are replaced one after another, none past maxMessages, and every message arrives once', async (t) => {
  const server = await sink(t);
  // Options object, as the pool gets it from a URL's query too (maxConnections=4&maxMessages=8).
  const m = new Mailer({ transport: { host: '127.0.0.1', port: server.port, maxConnections: 4, maxMessages: 8 } });
  t.after(() => m.close());
  await Promise.all(
    Array.from({ length: 64 }, (_, i) => {
      const mail = new NewMail({ mailer: m });
      mail.From = 'bulk@example.com';
      mail.To = `r${i}@example.com`;
      mail.Subject = `Message ${i}`;
      mail.Body = 'The same body for everyone.';
      return mail.Send();
    }),
  );
  assert.deepEqual(server.messages.map((message) => message.to[0]).sort(), Array.from({ length: 64 }, (_, i) => `r${i}@example.com`).sort());
  const perConnection = new Map<string, number>();
  for (const message of server.messages) perConnection.set(message.session, (perConnection.get(message.session) ?? 0) + 1);
  const counts = [...perConnection.values()];
  assert.ok(counts.every((count) => count <= 8), `messages per connection: ${counts.join(', ')}`);
  // Opened together with equal shares they would all retire at 8 (64 = 8 × 8); the first
  // four retire after 5, 6, 7 and 8 instead, so their replacements connect one after another.
  for (const share of [5, 6, 7]) assert.ok(counts.includes(share), `no connection retired after ${share}: ${counts.join(', ')}`);
});

test('a bad transport URL is CDO_E_INVALID_SEND_OPTION and never echoes the password', () => {
  assert.throws(() => new Mailer({ transport: 'ftp://user:hunter2@host/' }), (error: unknown) => {
    assert.ok(isCdoError(error));
    assert.equal(error.code, 'CDO_E_INVALID_SEND_OPTION');
    assert.doesNotMatch(error.message, /hunter2/u);
    return true;
  });
  assert.throws(() => new Mailer({ transport: 'pickup:' }), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_SEND_OPTION');
});

test('smtps:// speaks TLS from the first byte; tls.* query parameters reach nodemailer', async (t) => {
  // smtp-server's built-in localhost certificate is self-signed, hence rejectUnauthorized=false.
  const server = await sink(t, { server: { secure: true, disabledCommands: ['AUTH'] } });
  const secure = mailer(t, `smtps://127.0.0.1:${server.port}/?tls.rejectUnauthorized=false`);
  await htmlMail(secure).Send();
  assert.equal(server.messages.length, 1);
  const strict = mailer(t, `smtps://127.0.0.1:${server.port}`);
  await assert.rejects(htmlMail(strict).Send(), (error: unknown) => isCdoError(error) && error.code === 'CDO_E_FAILED_TO_CONNECT');
});

test('STARTTLS on our coalescing socket: upgraded, and a 1 MB body arrives intact over TLS and in the clear', async (t) => {
  const secured: boolean[] = [];
  const server = await sink(t, {
    server: {
      disabledCommands: ['AUTH'],
      onMailFrom(_address, session, callback) {
        secured.push(session.secure);
        callback();
      },
    },
  });
  const lines = Array.from({ length: 16_000 }, (_, i) => `${i % 100 === 0 ? '.' : ''}line ${i}: ${'.'.repeat(i % 90)} Ünïcode ✓`);
  const body = lines.join('\r\n');
  const send = async (url: string): Promise<void> => {
    const mail = new NewMail({ mailer: mailer(t, url) });
    mail.From = 'web@example.com';
    mail.To = 'to@example.com';
    mail.Subject = 'large';
    mail.Body = body;
    await mail.Send();
  };
  await send(`smtp://127.0.0.1:${server.port}/?requireTLS=true&tls.rejectUnauthorized=false`);
  await send(`smtp://127.0.0.1:${server.port}/?ignoreTLS=true`);
  assert.deepEqual(secured, [true, false]);
  assert.equal(server.messages.length, 2);
  for (const message of server.messages) {
    assert.ok(message.raw.length > 1024 * 1024);
    assert.equal((await parseMail(message.raw)).text?.replace(/\r?\n$/u, ''), lines.join('\n'));
  }
});
