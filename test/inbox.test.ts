// The inbox page driven in real headless Chromium (Debian's chromium, installed by .ci/run).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { createInboxServer } from '../src/inbox/inbox-server.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { tempDir } from './support/temp-dir.js';
import { needsChromium } from './support/requirement.js';

const CHROMIUM = '/usr/bin/chromium';

test('cdonts inbox in Chromium: live list, message view, attachment download, hostile HTML contained', { skip: needsChromium() }, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(join(root, 'files'), { recursive: true });
  const attachment = randomBytes(5000);
  await writeFile(join(root, 'files', 'data.bin'), attachment);
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  t.after(() => mailer.close());
  const send = async (subject: string, body: string, file?: string): Promise<void> => {
    const m = new NewMail({ mailer });
    m.From = '"Web Site" <web@example.com>';
    m.To = 'jane@example.com';
    m.Subject = subject;
    m.MailFormat = 0;
    m.BodyFormat = 'html';
    m.Body = body;
    if (file !== undefined) m.AttachFile(file, 'data.bin', 1);
    await m.Send();
  };
  await send('Welcome aboard', '<p>Hello <b>Jane</b>, welcome.</p>', join(root, 'files', 'data.bin'));

  const requests: string[] = [];
  const server = createInboxServer({ folders: { pickup, drop: join(root, 'drop') } });
  server.on('request', (request: { url?: string }) => requests.push(request.url ?? ''));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  t.after(() => new Promise<void>((closed) => {
    server.close(() => closed());
    server.closeAllConnections();
  }));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage({ acceptDownloads: true });

  await page.goto(base);
  await page.waitForSelector('text=Welcome aboard');
  // A message sent while the page is open appears without a reload.
  await send('Sent just now', '<p>Fresh</p>');
  await page.waitForSelector('text=Sent just now', { timeout: 10_000 });
  const subjects = await page.locator('#list tr td:nth-child(4)').allTextContents();
  assert.deepEqual(subjects.slice(0, 2), ['Sent just now', 'Welcome aboard'], 'newest first');

  // Search by subject, sender or recipient.
  await page.goto(`${base}/?q=${encodeURIComponent('welcome')}`);
  assert.deepEqual(await page.locator('#list tr td:nth-child(4)').allTextContents(), ['Welcome aboard']);

  // The message view: HTML in a sandboxed frame, the text part, headers, attachments.
  await page.click('text=Welcome aboard');
  await page.waitForSelector('#subject');
  assert.equal(await page.textContent('#subject'), 'Welcome aboard');
  assert.match((await page.textContent('#text')) ?? '', /Hello Jane, welcome\./u);
  assert.equal(await page.frameLocator('#html').locator('b').textContent(), 'Jane');
  assert.equal(await page.getAttribute('#html', 'sandbox'), '');
  assert.match((await page.textContent('#headers')) ?? '', /jane@example\.com/u);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#attachments a')]);
  assert.equal(download.suggestedFilename(), 'data.bin');
  assert.ok((await readFile((await download.path()) ?? '')).equals(attachment), 'the attachment downloads byte-exact');

  // A hostile HTML body cannot run script or load anything remote.
  await send('Hostile', `<p id="p">static</p><script>document.getElementById('p').textContent = 'script ran'; fetch('${base}/pwned-fetch')</script><img src="${base}/pwned-image.png" onerror="document.title='pwned'"><iframe src="${base}/pwned-frame"></iframe>`);
  await page.goto(base);
  await page.click('text=Hostile');
  await page.waitForSelector('#html');
  await page.waitForTimeout(500);
  assert.equal(await page.frameLocator('#html').locator('#p').textContent(), 'static', 'scripts do not run');
  assert.deepEqual(requests.filter((url) => url.includes('pwned')), [], 'no request left the sandbox');
  assert.notEqual(await page.title(), 'pwned');
});
