// The hostile-input list of ../shared/reference/peers.md §3.4, one row per entry: each
// gets a typed error, or output shown to be safe, in bounded time.
import assert from 'node:assert/strict';
import { symlink, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { ConverterHost } from '../src/converter/converter-host.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import type { ErrorCode } from '../src/errors/error-codes.js';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { cpuMsSince } from './support/cpu-time.js';
import { tempDir } from './support/temp-dir.js';

// "Bounded time" is this process's CPU time (the conversion pool's threads included).
const BOUND_MS = 3_000;

function check(code: ErrorCode) {
  return (error: unknown): boolean => {
    assert.ok(isCdoError(error), `expected a CdoError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

function refused(code: ErrorCode, action: () => unknown): void {
  assert.throws(action, check(code));
}

function rejects(code: ErrorCode, action: () => Promise<unknown>): Promise<void> {
  return assert.rejects(action(), check(code));
}

function mailTo(mailer: Mailer): NewMail {
  const mail = new NewMail({ mailer });
  mail.From = 'site@example.com';
  mail.To = 'owner@example.com';
  return mail;
}

const INJECTIONS = ['x\r\nBcc: attacker@evil.com', 'x\nBcc: attacker@evil.com', 'x\rBcc: attacker@evil.com', 'x\r\n\r\n<forged body>'];
const CONTROLS = ['x\u0000y', 'x\u0001y', 'x\u001by', 'x\u007fy', 'x\u2028y', 'x\u2029y', 'x\ud800y'];

interface Row {
  readonly id: string;
  readonly run: (ctx: { t: TestContext; sink: SmtpSink; dir: string }) => Promise<void> | void;
}

const ROWS: Row[] = [
  {
    id: '1 CR/LF in Subject, From name, To, Cc, Bcc, Reply-To and custom header values',
    run: () => {
      const mail = new NewMail();
      for (const bad of INJECTIONS) {
        refused('CDO_E_INVALID_PARAMETER', () => (mail.Subject = bad));
        refused('CDO_E_INVALID_PARAMETER', () => (mail.From = `${bad} <a@example.com>`));
        for (const field of ['To', 'Cc', 'Bcc'] as const) refused('CDO_E_INVALID_PARAMETER', () => (mail[field] = `a@example.com${bad}`));
        refused('CDO_E_INVALID_PARAMETER', () => mail.Value('Reply-To', bad));
        refused('CDO_E_INVALID_PARAMETER', () => mail.Value('X-Custom', bad));
      }
    },
  },
  {
    id: '2 NUL, C0, DEL, U+2028/9 and unpaired surrogates in the same fields',
    run: () => {
      const mail = new NewMail();
      for (const bad of CONTROLS) {
        refused('CDO_E_INVALID_PARAMETER', () => (mail.Subject = bad));
        refused('CDO_E_INVALID_PARAMETER', () => mail.Value('X-Custom', bad));
        refused('CDO_E_INVALID_PARAMETER', () => (mail.From = `"${bad}" <a@example.com>`));
      }
    },
  },
  {
    id: '3 header names with colon, space, CR/LF or non-ASCII',
    run: () => {
      const mail = new NewMail();
      for (const name of ['X:Y', 'X Y', 'X\r\nBcc', 'X-Ünï', '', 'x'.repeat(77)]) refused('CDO_E_INVALID_PARAMETER', () => mail.Value(name, 'v'));
    },
  },
  {
    id: '4 objects smuggling prepared headers, own __proto__ keys',
    run: () => {
      const mail = new NewMail();
      refused('CDO_E_INVALID_PARAMETER', () => mail.Value('X-A', { prepared: true, value: 'a\r\nBcc: x@evil.com' } as unknown as string));
      refused('CDO_E_INVALID_PARAMETER', () => mail.Value('X-A', JSON.parse('{"__proto__":{"prepared":true},"value":"a\\r\\nBcc: x"}') as string));
      refused('CDO_E_INVALID_PARAMETER', () => (mail.Subject = ['a', 'b'] as unknown as string));
    },
  },
  {
    id: '5 list headers with CR/LF in comment or URL',
    run: () => refused('CDO_E_INVALID_PARAMETER', () => new NewMail().Value('List-Unsubscribe', '<https://x.example> (a\r\nBcc: x@evil.com)')),
  },
  {
    id: '6 attachment names with quotes, backslashes, CR/LF, ../, very long, non-ASCII',
    run: async ({ dir }) => {
      await writeFile(join(dir, 'f.bin'), 'data');
      const mailer = new Mailer({ transport: 'memory:' });
      const mail = mailTo(mailer);
      mail.MailFormat = 0;
      refused('CDO_E_INVALID_PARAMETER', () => mail.AttachFile(join(dir, 'f.bin'), 'a\r\nContent-Type: text/html'));
      for (const name of ['q"uo"te.txt', 'back\\slash.txt', '../../etc/passwd', `${'long'.repeat(300)}.txt`, 'naïve résumé 日本.txt']) mail.AttachFile(join(dir, 'f.bin'), name);
      await mail.Send();
      const parsed = await parseMail(mailer.memory?.messages[0]?.raw ?? '');
      assert.deepEqual(parsed.attachments.map((a) => a.filename), ['q"uo"te.txt', 'slash.txt', 'passwd', `${'long'.repeat(300)}.txt`, 'naïve résumé 日本.txt']);
      assert.equal((parsed.headers.get('content-type') as { value: string }).value, 'multipart/mixed');
    },
  },
  {
    id: '7 encoded words that decode to CRLF',
    run: () => {
      refused('CDO_E_INVALID_PARAMETER', () => (new NewMail().Subject = '=?utf-8?Q?a=0D=0ABcc:_x@evil.com?='));
      refused('CDO_E_INVALID_PARAMETER', () => (new NewMail().From = '=?utf-8?B?YQ0KQmNjOiB4QGV2aWwuY29t?= <a@example.com>'));
    },
  },
  {
    id: '8 SMTP envelope parameters and EHLO name with CR/LF',
    run: ({ sink }) => {
      refused('CDO_E_INVALID_SEND_OPTION', () => new Mailer({ transport: `smtp://127.0.0.1:${sink.port}/?name=host%0D%0ARSET` }));
      refused('CDO_E_INVALID_SEND_OPTION', () => new Mailer({ transport: { host: '127.0.0.1', port: sink.port, name: 'x\r\nRCPT TO:<a@evil.com>' } }));
      refused('CDO_E_INVALID_SEND_OPTION', () => new Mailer({ transport: { host: '127.0.0.1', auth: { user: 'u\r\nQUIT', pass: 'p' } } }));
    },
  },
  {
    id: '9 recipient crafted for raw SMTP command injection',
    run: () => refused('CDO_E_INVALID_PARAMETER', () => (new NewMail().To = 'recipient@example.net>\r\nDATA\r\nInjected\r\n.\r\nQUIT\r\n')),
  },
  {
    id: '10 SMTP smuggling sequences, lone dots and 998+ octet lines in the body: one message, intact',
    run: async ({ sink }) => {
      const mailer = new Mailer({ transport: sink.url });
      const body = ['start', '\n.\r\n', '\r\n.\n', '\n.\n', '\r.\r', 'MAIL FROM:<ceo@bank.example>', '.', 'x'.repeat(5000), 'end'].join('');
      const before = sink.messages.length;
      const mail = mailTo(mailer);
      mail.MailFormat = 0;
      mail.Body = body;
      await mail.Send();
      await mailer.close();
      assert.equal(sink.messages.length, before + 1, 'exactly one message');
      const raw = sink.messages.at(-1)?.raw.toString('latin1') ?? '';
      assert.ok(raw.split('\r\n').every((line) => line.length <= 998), 'no line over 998 octets');
      assert.equal(/(?<!\r)\n|\r(?!\n)/u.test(raw), false, 'only CRLF line ends');
      const text = (await parseMail(sink.messages.at(-1)?.raw ?? '')).text ?? '';
      assert.ok(text.includes('MAIL FROM:<ceo@bank.example>') && text.includes('x'.repeat(5000)));
    },
  },
  {
    id: '11-17 address-parser confusion: what is checked is what is sent, or it is refused',
    run: () => {
      const mail = new NewMail();
      for (const bad of [
        '"user"@example.com(x)evil.com',
        'user@trusted.example((a)attacker@evil.example)',
        'user@trusted (x).evil.example',
        'alice@example.org)<bob@example.org>',
        'alice@example.org<<bob@example.com>',
        'alice@example.org><bob@example.com>',
        'alice@example.org@<bob@example.com>',
        'a@b@c.example',
      ]) refused('CDO_E_INVALID_PARAMETER', () => (mail.To = bad));
      // A comment inside <…> is dropped; the address shown is the address sent.
      mail.To = 'Name <user@example.com(comment)>';
      assert.equal(mail.To, '"Name" <user@example.com>');
      // A quoted local part with an @ inside stays one address at internal.domain.
      mail.To = '"xclow3n@gmail.com x"@internal.domain';
      assert.equal(mail.To, '"xclow3n@gmail.com x"@internal.domain');
      // ';' is a separator, as in CDONTS: two addresses, both visible.
      mail.To = 'alice@example.org;<bob@example.com>';
      assert.equal(mail.To, 'alice@example.org, bob@example.com');
    },
  },
  {
    id: '18 IDN look-alikes are mapped (UTS-46) before anything is checked or sent',
    run: () => {
      const mail = new NewMail();
      mail.To = 'user@trus\u00adted.example, user@ｅｘａｍｐｌｅ.com, user@EXAMPLE.org';
      assert.equal(mail.To, 'user@trusted.example, user@example.com, user@example.org');
      refused('CDO_E_INVALID_PARAMETER', () => (mail.To = 'user@exa\u200dmple.com'));
      refused('CDO_E_INVALID_PARAMETER', () => (mail.To = 'us\u200ber@example.com'));
    },
  },
  {
    id: '19 non-ASCII local part over SMTP fails loudly unless SMTPUTF8 is enabled',
    run: async ({ sink }) => {
      const mailer = new Mailer({ transport: sink.url });
      const mail = mailTo(mailer);
      mail.To = 'josé@example.com';
      const before = sink.messages.length;
      await rejects('CDO_E_INVALID_PARAMETER', () => mail.Send());
      assert.equal(sink.messages.length, before, 'nothing was sent');
      await mailer.close();
    },
  },
  {
    id: '20-21 sendmail argument injection: there is no sendmail path to reach',
    run: () => {
      refused('CDO_E_INVALID_SEND_OPTION', () => new Mailer({ transport: { sendmail: true, path: '/usr/sbin/sendmail' } }));
      refused('CDO_E_INVALID_SEND_OPTION', () => new Mailer({ transport: 'sendmail:/usr/sbin/sendmail' }));
    },
  },
  {
    id: '22 address-header resource exhaustion: groups, huge lists, runs without @, comment floods',
    run: () => {
      const mail = new NewMail();
      refused('CDO_E_INVALID_PARAMETER', () => (mail.To = `${'a:'.repeat(50_000)}x@y.example;`));
      refused('CDO_E_STRING_TOO_LONG', () => (mail.To = `${'a:'.repeat(600_000)}x@y.example;`));
      refused('CDO_E_STRING_TOO_LONG', () => (mail.Bcc = Array.from({ length: 100_000 }, (_, i) => `user${i}@example.com`).join(',')));
      refused('CDO_E_INVALID_PARAMETER', () => (mail.To = 'a'.repeat(273_000)));
      refused('CDO_E_STRING_TOO_LONG', () => (mail.To = 'a(b)'.repeat(375_000)));
      refused('CDO_E_INVALID_PARAMETER', () => (mail.To = 'a(b)'.repeat(100_000)));
      refused('CDO_E_INVALID_PARAMETER', () => (mail.To = JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as string));
      mail.Bcc = Array.from({ length: 40_000 }, (_, i) => `u${i}@example.com`).join(';'); // a real mass-mail list
    },
  },
  {
    id: '23 data: URIs as attachment sources',
    run: () => {
      const mail = new NewMail();
      refused('CDO_E_NOT_FOUND', () => mail.AttachFile(`data:${';t'.repeat(60_000)}`));
      refused('CDO_E_NOT_FOUND', () => mail.AttachFile('data:text/plain;base64,aGVsbG8='));
    },
  },
  {
    id: '24 converter inputs: ReDoS patterns, 100k-deep nesting, 20 MB HTML',
    run: async () => {
      const host = new ConverterHost({ lingerMs: 0 });
      const lease = await host.acquire();
      const cases: Array<[string, string, string]> = [
        [`<blockquote>${'\u0000\u0000'}${'\n'.repeat(100_000)}!\n!</blockquote>`, 'html', 'markdown'],
        [`<li>${'\n'.repeat(100_000)}!</li>`, 'html', 'markdown'],
        ['<'.repeat(100_000), 'html', 'markdown'],
        ['\t'.repeat(100_000), 'html', 'markdown'],
        [`[x]: x\n${'\\[\\]('.repeat(30)}`, 'markdown', 'html'],
        [`${'<div>'.repeat(10_000)}deep${'</div>'.repeat(10_000)}`, 'html', 'text'],
        [`${'> '.repeat(5_000)}quote`, 'markdown', 'html'],
        [`<table>${'<tr><td>cell</td><td>cell</td></tr>'.repeat(20_000)}</table>`, 'html', 'text'],
      ];
      for (const [input, from, to] of cases) {
        const started = process.cpuUsage();
        try {
          const output = await lease.convert(input, from, to);
          assert.equal(typeof output, 'string');
        } catch (error) {
          assert.ok(isCdoError(error), `${from}→${to}: ${String(error)}`);
        }
        const cpu = cpuMsSince(started);
        assert.ok(cpu < BOUND_MS, `${from}→${to} on ${input.slice(0, 20)}… took ${cpu.toFixed(0)} ms of CPU`);
      }
      await rejects('CDO_E_STRING_TOO_LONG', () => lease.convert('<p>x</p>'.repeat(2_700_000), 'html', 'text'));
      const markdown = await lease.convert('[a](javascript:alert(1)) <script>alert(1)</script><img src=x onerror=alert(1)> <iframe src="https://x"></iframe>', 'markdown', 'html');
      assert.doesNotMatch(markdown, /javascript:|<script|onerror|<iframe/iu, 'Markdown output is sanitized');
      await lease.release();
    },
  },
  {
    id: '25 local resource access: /etc/passwd, ../, symlinks out, file:, phar:, UNC, metadata URLs',
    run: async ({ dir }) => {
      const root = join(dir, 'root');
      await mkdir(root);
      await writeFile(join(root, 'ok.txt'), 'ok');
      await symlink('/etc/hostname', join(root, 'escape.txt'));
      const mail = new NewMail({ mailer: new Mailer({ transport: 'memory:', attachmentRoot: root }) });
      for (const source of ['/etc/passwd', join(root, '..', '..', 'etc', 'passwd'), join(root, 'escape.txt')]) refused('CDO_E_NO_ACCESS', () => mail.AttachFile(source));
      for (const source of ['file:///etc/passwd', 'phar://x/y', '\\\\host\\share\\x', 'http://169.254.169.254/latest/meta-data/', 'http://localhost:8080/']) {
        refused('CDO_E_NO_ACCESS', () => mail.AttachFile(source));
        refused('CDO_E_NO_ACCESS', () => mail.AttachURL(source, 'x.gif'));
      }
      mail.AttachFile(join(root, 'ok.txt'));
    },
  },
];

test('hostile inputs (peers.md §3.4): typed errors or safe output, in bounded time', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  for (const row of ROWS) {
    await t.test(row.id, async (sub) => {
      const started = process.cpuUsage();
      await row.run({ t: sub, sink, dir: await tempDir(sub) });
      const cpu = cpuMsSince(started);
      assert.ok(cpu < 4 * BOUND_MS, `row took ${cpu.toFixed(0)} ms of CPU`);
    });
  }
  void dir;
});
