// The inbox page driven in real headless Chromium (Debian's chromium, installed by .ci/run).
// Every request the browser makes is captured and checked; nothing waits a fixed time.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { createInboxServer, type InboxServerOptions } from '../src/inbox/inbox-server.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { tempDir } from './support/temp-dir.js';
import { needsChromium } from './support/requirement.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = needsChromium();
// A name the browser resolves to 127.0.0.1, as a DNS-rebinding attacker's name would.
const REBOUND = 'rebind.example';

async function launch(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`],
  });
  t.after(() => browser.close());
  return browser;
}

interface SeenRequest {
  readonly url: URL;
  /** Why the browser gave up on it (net::ERR_BLOCKED_BY_CSP…); undefined while pending or done. */
  failure?: string;
}

/** Every request the browser context makes (pages, frames, fetches, event streams), with its fate. */
function captureRequests(context: BrowserContext): SeenRequest[] {
  const seen: SeenRequest[] = [];
  const byRequest = new Map<object, SeenRequest>();
  context.on('request', (request) => {
    const entry: SeenRequest = { url: new URL(request.url()) };
    byRequest.set(request, entry);
    seen.push(entry);
  });
  context.on('requestfailed', (request) => {
    const entry = byRequest.get(request);
    if (entry !== undefined) entry.failure = request.failure()?.errorText ?? 'failed';
  });
  return seen;
}

async function startInbox(t: TestContext, options: InboxServerOptions): Promise<{ base: string; port: number; served: string[] }> {
  const served: string[] = [];
  const server = createInboxServer(options);
  server.on('request', (request: { url?: string }) => served.push(request.url ?? ''));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  t.after(() => new Promise<void>((closed) => {
    server.close(() => closed());
    server.closeAllConnections();
  }));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, port, served };
}

interface Letter {
  readonly subject: string;
  readonly from?: string;
  readonly to?: string;
  readonly body: string;
  readonly file?: string;
}

function sender(t: TestContext, pickup: string): (letter: Letter) => Promise<void> {
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  t.after(() => mailer.close());
  return async (letter) => {
    const m = new NewMail({ mailer });
    m.From = letter.from ?? '"Web Site" <web@example.com>';
    m.To = letter.to ?? 'jane@example.com';
    m.Subject = letter.subject;
    m.MailFormat = 0;
    m.BodyFormat = 'html';
    m.Body = letter.body;
    if (letter.file !== undefined) m.AttachFile(letter.file, 'data.bin', 1);
    await m.Send();
  };
}

/** Paths the inbox's own page may ask for. */
const OWN_PATH = /^\/(?:|app\.js|api\/messages|events|message\/pickup\/[\w.-]+\.eml(?:\/(?:html|raw|attachment\/\d+))?)$/u;

test('cdonts inbox in Chromium: live list, search, message view, attachment download, raw view', { skip }, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(join(root, 'files'), { recursive: true });
  const attachment = randomBytes(5000);
  await writeFile(join(root, 'files', 'data.bin'), attachment);
  const send = sender(t, pickup);
  await send({ subject: 'Welcome aboard', body: '<p>Hello <b>Jane</b>, welcome.</p>', file: join(root, 'files', 'data.bin') });
  await send({ subject: 'Invoice 7', from: 'Billing <billing@shop.example>', to: 'carol@example.net', body: '<p>Due.</p>' });
  const { base } = await startInbox(t, { folders: { pickup, drop: join(root, 'drop') } });

  const browser = await launch(t);
  const context = await browser.newContext({ acceptDownloads: true });
  const requests = captureRequests(context);
  const page = await context.newPage();

  await page.goto(base);
  await page.waitForSelector('text=Welcome aboard');
  // A message sent while the page is open appears without a reload (the live channel).
  await send({ subject: 'Sent just now', body: '<p>Fresh</p>' });
  await page.waitForSelector('text=Sent just now', { timeout: 10_000 });
  const subjects = await page.locator('#list tr td:nth-child(4)').allTextContents();
  assert.deepEqual(subjects.slice(0, 3), ['Sent just now', 'Invoice 7', 'Welcome aboard'], 'newest first');

  // Search by subject, sender and recipient, through the page's own form.
  for (const [query, expected] of [['welcome', ['Welcome aboard']], ['billing@shop', ['Invoice 7']], ['carol@example.net', ['Invoice 7']], ['jane@', ['Sent just now', 'Welcome aboard']]] as const) {
    await page.goto(base);
    await page.fill('input[name=q]', query);
    await Promise.all([page.waitForURL((url) => url.searchParams.get('q') === query), page.press('input[name=q]', 'Enter')]);
    assert.deepEqual(await page.locator('#list tr td:nth-child(4)').allTextContents(), expected, query);
  }

  // The message view: HTML in a sandboxed frame, the text part, headers, attachments.
  await page.goto(base);
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

  // The raw view: the stored file, shown as text.
  const viewUrl = page.url();
  await page.click('text=Raw source');
  await page.waitForURL(`${viewUrl}/raw`);
  assert.match((await page.textContent('body')) ?? '', /^Subject: Welcome aboard$/mu);

  const foreign = requests.filter(({ url }) => url.origin !== base || !OWN_PATH.test(url.pathname));
  assert.deepEqual(foreign.map(({ url }) => String(url)), [], 'the page asks only its own server for its own paths');
  assert.ok(requests.some(({ url }) => url.pathname === '/events'), 'the live channel was opened');
});

test('hostile HTML, Subject and From: nothing runs, nothing is fetched, the text shows as text', { skip }, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  const { base, served } = await startInbox(t, { folders: { pickup, drop: join(root, 'drop') } });
  const send = sender(t, pickup);
  const subject = `<img src="${base}/pwned-subject.png" onerror="document.body.dataset.pwned='subject'">"'&amp;`;
  const fromName = `<script>document.body.dataset.pwned='from'</script><b>Boss</b>`;
  await send({
    subject,
    from: `"${fromName}" <boss@example.com>`,
    body: `<p id="p">static</p><script>document.getElementById('p').textContent = 'script ran'; fetch('${base}/pwned-fetch')</script><img src="${base}/pwned-image.png" onerror="document.getElementById('p').textContent='handler ran'"><iframe src="${base}/pwned-frame"></iframe><link rel="stylesheet" href="${base}/pwned-style.css"><a href="javascript:alert(1)" id="js">x</a>`,
  });

  const browser = await launch(t);
  const context = await browser.newContext();
  const requests = captureRequests(context);
  const page = await context.newPage();

  // The list: the hostile Subject and From are text, not markup (server-rendered and live).
  await page.goto(base);
  await page.waitForSelector('#list tr');
  const cells = await page.locator('#list tr td').allTextContents();
  assert.equal(cells[3], subject);
  assert.ok(cells[1]?.includes(fromName), `From shown as text: ${cells[1]}`);
  assert.equal(await page.locator('#list img, #list script, #list b').count(), 0, 'no element made from a header');
  // The live rendering (app.js) of the same list, after a change.
  await send({ subject: 'poke', body: '<p>x</p>' });
  await page.waitForSelector('text=poke');
  assert.equal(await page.locator('#list img, #list script, #list b').count(), 0);

  // The view: the hostile body in the sandboxed frame; wait until that frame has loaded
  // (its load event comes after every subresource was fetched or refused).
  await page.locator('#list a').filter({ hasText: 'pwned-subject' }).click();
  await page.waitForSelector('#html');
  const frame = await (await page.$('#html'))?.contentFrame();
  assert.ok(frame);
  await frame.waitForLoadState('load');
  assert.equal(await page.textContent('#subject'), subject);
  assert.ok((await page.textContent('main p.muted'))?.includes(fromName));
  assert.equal(await page.locator('main img, main script, main b').count(), 0, 'no element made from a header in the view');
  assert.equal(await frame.locator('#p').textContent(), 'static', 'neither script nor handler ran');
  assert.equal(await page.locator('body').getAttribute('data-pwned'), null);

  // What the hostile body asked for, the browser refused itself (the frame's CSP: default-src
  // 'none'); the script never ran, so its fetch was never even asked for.
  const hostile = requests.filter(({ url }) => url.origin !== base || !OWN_PATH.test(url.pathname));
  assert.deepEqual(
    hostile.map(({ url, failure = 'not refused' }) => [url.pathname, /csp/iu.test(failure) ? 'blocked by CSP' : failure]).sort(),
    [['/pwned-image.png', 'blocked by CSP'], ['/pwned-style.css', 'blocked by CSP']],
    'only the body\'s image and style sheet were asked for, and both were blocked by the policy',
  );
  assert.deepEqual(served.filter((url) => url.includes('pwned')), [], 'no request left the sandbox');
});

test('a DNS-rebound name gets 403 and no data in the browser, the live channel included', { skip }, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await sender(t, pickup)({ subject: 'Password reset 5551', body: '<p>code 5551</p>' });
  const { port } = await startInbox(t, { folders: { pickup, drop: join(root, 'drop') } });

  const browser = await launch(t);
  const context = await browser.newContext();
  const page = await context.newPage();
  // The attacker's page, served from a name that now resolves to 127.0.0.1.
  const response = await page.goto(`http://${REBOUND}:${port}/`);
  assert.equal(response?.status(), 403);
  const reads = await page.evaluate(async () => {
    const api = await fetch('/api/messages');
    const events = await fetch('/events');
    return { api: api.status, apiBody: await api.text(), events: events.status, eventsBody: await events.text() };
  });
  assert.deepEqual({ api: reads.api, events: reads.events }, { api: 403, events: 403 });
  assert.doesNotMatch(`${await page.content()}${reads.apiBody}${reads.eventsBody}`, /5551|Password/u);
});

test('with a token: the printed address opens the inbox, the cookie carries it after, the live list works', { skip }, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  const send = sender(t, pickup);
  await send({ subject: 'Behind the token', body: '<p>x</p>' });
  const token = randomBytes(24).toString('base64url');
  const { base } = await startInbox(t, { folders: { pickup, drop: join(root, 'drop') }, token, hosts: ['127.0.0.1'] });

  const browser = await launch(t);
  const stranger = await (await browser.newContext()).newPage();
  assert.equal((await stranger.goto(base))?.status(), 403, 'without the token');

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/?token=${token}`);
  assert.equal(page.url(), `${base}/`, 'the token left the address bar');
  await page.waitForSelector('text=Behind the token');
  await send({ subject: 'Arrived live', body: '<p>y</p>' });
  await page.waitForSelector('text=Arrived live', { timeout: 10_000 });
  await page.click('text=Behind the token');
  await page.waitForSelector('#subject');
  assert.equal(await page.textContent('#subject'), 'Behind the token');
});
