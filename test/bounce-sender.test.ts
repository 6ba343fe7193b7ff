import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Relay } from '../src/relay/relay.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { reportingDomain } from '../src/relay/reporting-domain.js';
import { parseMail, addresses } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

/** Relays one message whose only recipient is refused for good, with bounces on; returns the bounce. */
async function bounceOf(t: TestContext, options: { hostname?: string }) {
  const pickup = join(await tempDir(t), 'pickup');
  await mkdir(pickup, { recursive: true });
  const sink = await startSmtpSink({ rejectRecipient: (a) => (a === 'gone@example.org' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  t.after(() => sink.close());
  await writeFile(join(pickup, 'm.eml'), 'X-Sender: site@shop.example.com\r\nX-Receiver: gone@example.org\r\nFrom: site@shop.example.com\r\nTo: gone@example.org\r\nSubject: bounce me\r\n\r\nbody\r\n');
  const relay = await new Relay({ pickup, smtp: sink.url, bounce: true, scanIntervalMs: 20, ...options }).start();
  t.after(() => relay.close());
  for (let waited = 0; !sink.messages.some((m) => m.from === '') && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const bounce = sink.messages.find((m) => m.from === '');
  assert.ok(bounce, 'a bounce was sent');
  return { parsed: await parseMail(bounce.raw), raw: bounce.raw.toString() };
}

test('relay bounces come from postmaster@ the configured hostname, which is also the Reporting-MTA', async (t) => {
  const { parsed, raw } = await bounceOf(t, { hostname: 'mail.example.net' });
  assert.deepEqual(addresses(parsed.from), ['postmaster@mail.example.net']);
  assert.match(raw, /Reporting-MTA: dns; mail\.example\.net\r\n/u);
});

test('without a hostname a bounce never comes from a bare host name: the machine FQDN, else the sender domain', async (t) => {
  const { parsed, raw } = await bounceOf(t, {});
  const [from = ''] = addresses(parsed.from);
  const domain = from.slice(from.indexOf('@') + 1);
  assert.match(domain, /\./u, `postmaster@${domain} has no dot`);
  assert.equal(domain, reportingDomain(undefined, 'site@shop.example.com'));
  if (!hostname().includes('.')) assert.notEqual(domain, hostname());
  assert.match(raw, new RegExp(`Reporting-MTA: dns; ${domain.replaceAll('.', '\\.')}\\r\\n`, 'u'));
});

test('the fallbacks in order: configured, machine FQDN, sender domain; never dotless', () => {
  assert.equal(reportingDomain('mx.example.com', 'a@b.example'), 'mx.example.com');
  const machine = reportingDomain(undefined, '');
  assert.match(machine, /\./u);
  if (!hostname().includes('.')) assert.ok(machine === 'localhost.localdomain' || machine.startsWith(`${hostname()}.`), machine);
  assert.equal(reportingDomain(undefined, 'x@y'), machine === 'localhost.localdomain' ? 'localhost.localdomain' : machine);
});

test('a hostname without a dot is refused when the relay is made', () => {
  assert.throws(() => new Relay({ pickup: '/nonexistent/pickup', smtp: 'smtp://127.0.0.1:1', hostname: 'vm' }), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
});
