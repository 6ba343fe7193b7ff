// The inbox server over raw HTTP: who it answers (Host, token), which files it serves, and
// what the CLI binds to. The page in a real browser is inbox.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { get, type IncomingMessage, type Server } from 'node:http';
import { createInboxServer, type InboxServerOptions } from '../src/inbox/inbox-server.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { rawRequest } from './support/raw-http.js';
import { tempDir } from './support/temp-dir.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');
const TOKEN = 'a-long-enough-test-token-0123456789';

async function mailroot(t: TestContext): Promise<{ root: string; pickup: string; drop: string; id: string }> {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  t.after(() => mailer.close());
  const m = new NewMail({ mailer });
  m.From = '"Web Site" <web@example.com>';
  m.To = 'Jane <jane@example.com>';
  m.Cc = 'bob@example.org';
  m.Subject = 'Secret reset link';
  m.Body = 'Your reset code is 271828.';
  const sent = await m.Send();
  return { root, pickup, drop: join(root, 'drop'), id: `pickup/${(sent.path ?? '').split('/').pop() ?? ''}` };
}

async function listen(t: TestContext, options: InboxServerOptions, host = '127.0.0.1'): Promise<number> {
  const server: Server = createInboxServer(options);
  await new Promise<void>((ready) => server.listen(0, host, ready));
  t.after(() => new Promise<void>((closed) => {
    server.close(() => closed());
    server.closeAllConnections();
  }));
  return (server.address() as AddressInfo).port;
}

test('the inbox answers only requests addressed to its own loopback address and port', async (t) => {
  const { pickup, drop, id } = await mailroot(t);
  const port = await listen(t, { folders: { pickup, drop } });
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    const page = await rawRequest(port, { path: '/', host });
    assert.equal(page.status, 200, host);
    assert.match(page.body, /Secret reset link/u, host);
  }
  const paths = ['/', '/api/messages', '/app.js', '/events', `/message/${id}`, `/message/${id}/raw`, `/message/${id}/html`, '/nonexistent'];
  // A DNS-rebound name, the right name on another port, no port, no Host at all, tricks.
  const forged = ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', 'localhost', `127.0.0.1.evil.example:${port}`, `localhost.:${port}`, `0.0.0.0:${port}`, `127.0.0.2:${port}`, `[::ffff:127.0.0.1]:${port}`, `user@127.0.0.1:${port}`, null];
  for (const host of forged) {
    for (const path of paths) {
      const response = await rawRequest(port, { path, host, until: /Secret|connected/u });
      assert.equal(response.status, 403, `${String(host)} ${path}`);
      assert.doesNotMatch(response.body, /Secret|reset|271828|jane|connected/iu, `${String(host)} ${path}: no data`);
    }
  }
});

test('the live-update channel, too, opens only for its own address', async (t) => {
  const { pickup, drop } = await mailroot(t);
  const port = await listen(t, { folders: { pickup, drop } });
  const own = await rawRequest(port, { path: '/events', until: /: connected/u });
  assert.equal(own.status, 200);
  assert.equal(own.headers['content-type'], 'text/event-stream');
  const forged = await rawRequest(port, { path: '/events', host: `evil.example:${port}`, until: /: connected/u });
  assert.equal(forged.status, 403);
  assert.doesNotMatch(forged.body, /connected/u);
});

test('an inbox started before its folder exists still updates live once the folder appears', async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  const port = await listen(t, { folders: { pickup, drop: join(root, 'drop') } });
  // The stream is open (its headers arrived: the server counts it as a listener) before the
  // first message creates the folder.
  const stream = await new Promise<IncomingMessage>((opened, fail) => get({ host: '127.0.0.1', port, path: '/events' }, opened).on('error', fail));
  t.after(() => stream.destroy());
  stream.setEncoding('utf8');
  let received = '';
  const change = new Promise<void>((changed) => stream.on('data', (chunk: string) => {
    received += chunk;
    if (received.includes('event: change')) changed();
  }));
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  t.after(() => mailer.close());
  const m = new NewMail({ mailer });
  m.From = 'web@example.com';
  m.To = 'jane@example.com';
  m.Body = 'first';
  await m.Send();
  await change;
  assert.equal(stream.statusCode, 200);
});

test('with a token, every request must carry it: ?token= once becomes a cookie; a Bearer header works too', async (t) => {
  const { pickup, drop } = await mailroot(t);
  const port = await listen(t, { folders: { pickup, drop }, token: TOKEN, hosts: ['*'] });
  for (const path of ['/', '/api/messages', '/events', '/app.js']) {
    for (const headers of [{}, { cookie: `cdonts-inbox-${port}=wrong-token-wrong-token-wrong` }, { cookie: `cdonts-inbox-${port + 1}=${TOKEN}` }, { authorization: 'Bearer nope' }, { authorization: TOKEN }]) {
      const response = await rawRequest(port, { path, headers, until: /connected/u });
      assert.equal(response.status, 403, `${path} ${JSON.stringify(headers)}`);
      assert.doesNotMatch(response.body, /Secret|connected/u);
    }
    assert.equal((await rawRequest(port, { path: `${path}?token=${TOKEN.slice(0, -1)}` })).status, 403, 'a token one character short');
  }
  // Any Host (a listener on every address), but still only with the token.
  const visit = await rawRequest(port, { path: `/?q=reset&token=${TOKEN}`, host: `mybox.lan:${port}` });
  assert.equal(visit.status, 303);
  assert.equal(visit.headers.location, '/?q=reset', 'the token leaves the address bar');
  const cookie = (visit.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  assert.equal(cookie, `cdonts-inbox-${port}=${TOKEN}`);
  assert.match(visit.headers['set-cookie'] ?? '', /HttpOnly/u);
  assert.match(visit.headers['set-cookie'] ?? '', /SameSite=Strict/u);
  const page = await rawRequest(port, { path: '/?q=reset', host: `mybox.lan:${port}`, headers: { cookie: `other=1; ${cookie}` } });
  assert.equal(page.status, 200);
  assert.match(page.body, /Secret reset link/u);
  const events = await rawRequest(port, { path: '/events', headers: { cookie }, until: /: connected/u });
  assert.equal(events.status, 200);
  const api = await rawRequest(port, { path: '/api/messages', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(api.status, 200);
  assert.equal((JSON.parse(api.body) as unknown[]).length, 1);
  // The port must still be the one listened on.
  assert.equal((await rawRequest(port, { path: '/', host: `mybox.lan:${port + 1}`, headers: { cookie } })).status, 403);
});

test('a listener for other host names needs a token, and a token must be long', () => {
  assert.throws(() => createInboxServer({ folders: {}, hosts: ['mybox.lan'] }), { code: 'CDO_E_INVALID_PARAMETER' });
  assert.throws(() => createInboxServer({ folders: {}, token: 'short' }), { code: 'CDO_E_INVALID_PARAMETER' });
});

test('the inbox serves only the files it listed: forged paths get 404', async (t) => {
  const { root, pickup, drop, id } = await mailroot(t);
  const name = id.split('/')[1] ?? '';
  // Files an attacker would like: beside the folders, inside them but not listed, elsewhere.
  await writeFile(join(root, 'secret.eml'), 'Subject: outside\r\n\r\nnot for the inbox');
  await writeFile(join(pickup, 'notes.txt'), 'not a message');
  await mkdir(join(pickup, 'sub.eml'));
  const port = await listen(t, { folders: { pickup, drop } });
  const forged = [
    '/message/pickup/../secret.eml', '/message/pickup/..%2fsecret.eml', '/message/pickup/%2e%2e%2fsecret.eml', '/message/pickup/..%5csecret.eml',
    '/message/pickup/%2E%2E/secret.eml', '/message/../secret.eml', '/message/pickup//etc/passwd', '/message/pickup/notes.txt', '/message/pickup/sub.eml',
    '/message/pickup/missing.eml', '/message/drop/secret.eml', '/message/other/secret.eml', `/message/drop/${name}`, '/message/pickup/%00.eml',
    `/message/pickup/${name}/attachment/0`, `/message/pickup/${name}/attachment/99`, `/message/pickup/${name}/../../secret.eml`, `/message/pickup/${name}/nope`,
    '/message/constructor/x.eml', '/message/__proto__/x.eml', '//etc/passwd', '/../secret.eml',
  ];
  for (const path of forged) {
    const response = await rawRequest(port, { path });
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(response.body, /outside|not for the inbox|not a message|root:/u, path);
  }
  assert.equal((await rawRequest(port, { path: `/message/${id}` })).status, 200, 'the listed message itself is served');
});

test('the raw view is the message as stored, served as plain text that no browser renders', async (t) => {
  const { pickup, drop, id } = await mailroot(t);
  const port = await listen(t, { folders: { pickup, drop } });
  const raw = await rawRequest(port, { path: `/message/${id}/raw` });
  assert.equal(raw.status, 200);
  assert.equal(raw.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(raw.headers['x-content-type-options'], 'nosniff');
  assert.equal(raw.body, await readFile(join(pickup, id.split('/')[1] ?? ''), 'utf8'), 'byte for byte');
  assert.match(raw.body, /^Subject: Secret reset link\r$/mu);
});

test('search matches sender, recipient (To and Cc) and subject, case-insensitively', async (t) => {
  const { pickup, drop } = await mailroot(t);
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  t.after(() => mailer.close());
  const m = new NewMail({ mailer });
  m.From = 'Shop <orders@shop.example>';
  m.To = 'carol@example.net';
  m.Subject = 'Order 42';
  m.Body = 'Shipped.';
  await m.Send();
  const port = await listen(t, { folders: { pickup, drop } });
  const search = async (q: string): Promise<string[]> => {
    const response = await rawRequest(port, { path: `/api/messages?q=${encodeURIComponent(q)}` });
    return (JSON.parse(response.body) as Array<{ subject: string }>).map((s) => s.subject).sort();
  };
  assert.deepEqual(await search(''), ['Order 42', 'Secret reset link']);
  assert.deepEqual(await search('WEB@example.com'), ['Secret reset link'], 'sender address');
  assert.deepEqual(await search('web site'), ['Secret reset link'], 'sender name');
  assert.deepEqual(await search('orders@'), ['Order 42']);
  assert.deepEqual(await search('jane@example.com'), ['Secret reset link'], 'To');
  assert.deepEqual(await search('bob@example.org'), ['Secret reset link'], 'Cc');
  assert.deepEqual(await search('carol'), ['Order 42']);
  assert.deepEqual(await search('order 42'), ['Order 42'], 'subject');
  assert.deepEqual(await search('nobody@nowhere'), []);
});

/** Starts `cdonts inbox` and reads the address it prints. */
async function startCli(t: TestContext, args: string[], cwd: string): Promise<URL> {
  const child = spawn(process.execPath, [BIN, 'inbox', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(async () => {
    if (child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (out += chunk));
  // Waits for the one line it prints once listening (or for its exit, which fails below).
  await new Promise<void>((ready) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) ready();
    });
    child.once('exit', () => ready());
  });
  const match = /^cdonts inbox: (http:\S+) /mu.exec(out);
  assert.ok(match?.[1] !== undefined, `cdonts inbox printed: ${out}`);
  return new URL(match[1]);
}

/** Whether anything accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((settle) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      settle(true);
    });
    socket.once('error', () => settle(false));
  });
}

test('cdonts inbox listens on 127.0.0.1 only, without a token', async (t) => {
  const { root } = await mailroot(t);
  const url = await startCli(t, ['pickup', '--port', '0'], root);
  assert.equal(url.hostname, '127.0.0.1');
  assert.equal(url.search, '', 'no token on loopback');
  const port = Number(url.port);
  assert.ok(await accepts('127.0.0.1', port));
  // Another loopback address, and every address of this machine's other interfaces, are refused.
  const others = ['127.0.0.2', ...Object.values(networkInterfaces()).flat().flatMap((i) => (i === undefined || i.internal || i.family !== 'IPv4' ? [] : [i.address]))];
  for (const address of others) assert.equal(await accepts(address, port), false, `${address}:${port} must not be reachable`);
  const page = await rawRequest(port, { path: '/' });
  assert.equal(page.status, 200);
  assert.match(page.body, /Secret reset link/u);
});

test('cdonts inbox --host ADDR requires a token: generated and printed, or given with --token', async (t) => {
  const { root } = await mailroot(t);
  const generated = await startCli(t, ['pickup', '--port', '0', '--host', '127.0.0.2'], root);
  assert.equal(generated.hostname, '127.0.0.2');
  const token = generated.searchParams.get('token') ?? '';
  assert.ok(token.length >= 32, `a generated token: ${generated.href}`);
  const port = Number(generated.port);
  assert.equal(await accepts('127.0.0.1', port), false, 'it listens on the address given, not loopback');
  const request = (path: string, headers: Record<string, string> = {}, host = `127.0.0.2:${port}`) => rawRequest(port, { address: '127.0.0.2', path, headers, host });
  assert.equal((await request('/')).status, 403, 'no token');
  const visit = await request(`/?token=${token}`);
  assert.equal(visit.status, 303);
  const cookie = (visit.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const page = await request('/', { cookie });
  assert.equal(page.status, 200);
  assert.match(page.body, /Secret reset link/u);
  assert.equal((await request('/', { cookie }, `evil.example:${port}`)).status, 403, 'a foreign Host even with the token');

  const given = await startCli(t, ['pickup', '--port', '0', '--host', '127.0.0.2', '--token', TOKEN], root);
  assert.equal(given.searchParams.get('token'), TOKEN);
  const givenPort = Number(given.port);
  assert.equal((await rawRequest(givenPort, { address: '127.0.0.2', path: '/', host: `127.0.0.2:${givenPort}`, headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  assert.equal((await rawRequest(givenPort, { address: '127.0.0.2', path: '/', host: `127.0.0.2:${givenPort}`, headers: { authorization: `Bearer ${token}` } })).status, 403);
});

