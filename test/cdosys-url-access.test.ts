// http(s) for AddAttachment / AddRelatedBodyPart / CreateMHTMLBody is refused unless
// configure({ urlAccess }) lists it: prefixes, a size cap, a deadline, no redirect off the
// list, no private or loopback address unless the listed prefix names it (an IP literal).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { close, configure, isCdoError, Message } from '../src/index.js';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';

const F = 'http://schemas.microsoft.com/cdo/configuration/';
after(async () => {
  configure({ urlAccess: undefined });
  await close();
});

async function httpServer(): Promise<{ base: string; port: number; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    switch (req.url) {
      case '/ok/invoice.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF remote');
        return;
      case '/ok/page.htm':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><p>Remote page</p><img src="img/logo.png"></body></html>');
        return;
      case '/ok/img/logo.png':
        res.writeHead(200, { 'content-type': 'image/png' }).end(png);
        return;
      case '/ok/big.bin':
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(5000));
        return;
      case '/ok/redirect-off':
        res.writeHead(302, { location: '/other/secret.txt' }).end();
        return;
      case '/ok/redirect-on':
        res.writeHead(301, { location: '/ok/invoice.pdf' }).end();
        return;
      case '/ok/slow':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part'); // never ends
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, port, hits, server };
}

function code(expected: string) {
  return (e: unknown): boolean => isCdoError(e) && e.code === expected;
}

test('URLs are refused by default, fetched at Send when listed, and every limit holds', async (t) => {
  const web = await httpServer();
  t.after(() => {
    web.server.closeAllConnections();
    web.server.close();
  });
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const message = (): Message => {
    const m = new Message();
    m.Configuration.Fields(F + 'smtpserver').Value = '127.0.0.1';
    m.Configuration.Fields(F + 'smtpserverport').Value = sink.port;
    m.Configuration.Fields.Update();
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    m.TextBody = 'see attachment';
    return m;
  };

  assert.throws(() => message().AddAttachment(`${web.base}/ok/invoice.pdf`), code('CDO_E_NO_ACCESS'), 'nothing is fetched unless configured');
  configure({ urlAccess: { allow: [`${web.base}/ok/`], maxBytes: 1000, timeoutMs: 1500 } });
  assert.throws(() => message().AddAttachment(`${web.base}/other/secret.txt`), code('CDO_E_NO_ACCESS'), 'not under a listed prefix');

  const m = message();
  const part = m.AddAttachment(`${web.base}/ok/invoice.pdf`);
  assert.equal(part.FileName, 'invoice.pdf');
  assert.equal(web.hits.length, 0, 'fetched at Send, not before');
  await m.Send();
  assert.deepEqual(web.hits, ['/ok/invoice.pdf']);
  const parsed = await parseMail(sink.messages[0]?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.attachments[0]?.filename, 'invoice.pdf');
  assert.equal(parsed.attachments[0]?.content.toString(), '%PDF remote');

  const followed = message();
  followed.AddAttachment(`${web.base}/ok/redirect-on`);
  await followed.Send();
  const off = message();
  off.AddAttachment(`${web.base}/ok/redirect-off`);
  await assert.rejects(off.Send(), code('CDO_E_NO_ACCESS'), 'a redirect off the list is refused');
  assert.ok(!web.hits.includes('/other/secret.txt'));
  const big = message();
  big.AddAttachment(`${web.base}/ok/big.bin`);
  await assert.rejects(big.Send(), code('CDO_E_STRING_TOO_LONG'));
  const slow = message();
  slow.AddAttachment(`${web.base}/ok/slow`);
  await assert.rejects(slow.Send(), code('CDO_E_TIMEOUT'));
  const missing = message();
  missing.AddAttachment(`${web.base}/ok/missing.pdf`);
  await assert.rejects(missing.Send(), code('CDO_E_NOT_FOUND'));

  // CreateMHTMLBody over http: the page and the image it refers to.
  const page = message();
  await page.CreateMHTMLBody(`${web.base}/ok/page.htm`);
  assert.match(page.HTMLBody, /src="cid:/u);
  await page.Send();
  const mhtml = await parseMail(sink.messages.at(-1)?.raw ?? Buffer.alloc(0));
  assert.equal(mhtml.attachments.find((a) => a.contentType === 'image/png')?.content.length, 8);

  // A name that resolves to loopback is refused: only an IP literal in the prefix names a private address.
  configure({ urlAccess: { allow: [`http://localhost:${web.port}/ok/`] } });
  const named = message();
  named.AddAttachment(`http://localhost:${web.port}/ok/invoice.pdf`);
  await assert.rejects(named.Send(), code('CDO_E_NO_ACCESS'));
  assert.throws(() => configure({ urlAccess: { allow: ['ftp://x/'] } }), code('CDO_E_INVALID_PARAMETER'));
});
