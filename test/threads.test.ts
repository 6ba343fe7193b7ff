// Several worker threads, each importing the built package and sending through one SMTP
// sink at once: every message arrives exactly once, with byte-identical content.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const THREADS = 4;
const PER_THREAD = 100;
const DIST = pathToFileURL(resolve(import.meta.dirname, '..', 'dist', 'index.js')).href;

interface Sent {
  token: string;
  attachmentHash: string;
}

const workerSource = `
import { parentPort, workerData } from 'node:worker_threads';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, close, NewMail } from ${JSON.stringify(DIST)};
configure({ transport: workerData.url + '/?maxConnections=3', converterLingerMs: 0, attachmentRoot: workerData.dir });
const sha = (b) => createHash('sha256').update(b).digest('hex');
const sent = await Promise.all(Array.from({ length: workerData.count }, async (_, i) => {
  const token = randomUUID();
  const bytes = randomBytes(2000 + i);
  const file = join(workerData.dir, token + '.bin');
  writeFileSync(file, bytes);
  const m = new NewMail();
  m.From = 'thread' + workerData.thread + '@example.com';
  m.To = 'sink@example.com';
  m.Subject = token;
  m.BodyFormat = 'markdown';
  m.MailFormat = 0;
  m.Body = '# Thread ' + workerData.thread + '\\n\\nToken **' + token + '** ' + randomBytes(32).toString('hex');
  m.AttachFile(file, 'payload.bin', 1);
  await m.Send();
  return { token, attachmentHash: sha(bytes) };
}));
await close();
parentPort.postMessage(sent);
`;

test(`${THREADS} worker threads × ${PER_THREAD} sends through one sink: each message exactly once, content intact`, async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  const script = join(dir, 'sender.mjs');
  await writeFile(script, workerSource);
  const results = await Promise.all(
    Array.from({ length: THREADS }, (_, thread) =>
      new Promise<Sent[]>((resolvePromise, reject) => {
        const worker = new Worker(script, { workerData: { url: sink.url, dir, count: PER_THREAD, thread } });
        worker.once('message', (sent: Sent[]) => resolvePromise(sent));
        worker.once('error', reject);
        worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
      }),
    ),
  );
  const sent = new Map(results.flat().map((s) => [s.token, s]));
  assert.equal(sent.size, THREADS * PER_THREAD);
  assert.equal(sink.messages.length, THREADS * PER_THREAD, 'exactly as many messages arrived as were sent');
  const seen = new Set<string>();
  for (const message of sink.messages) {
    const parsed = await parseMail(message.raw);
    const token = parsed.subject ?? '';
    assert.ok(sent.has(token), `unknown message ${token}`);
    assert.ok(!seen.has(token), `${token} arrived twice`);
    seen.add(token);
    const attachment = parsed.attachments[0]?.content ?? Buffer.alloc(0);
    assert.equal(createHash('sha256').update(attachment).digest('hex'), sent.get(token)?.attachmentHash, 'attachment is byte-identical');
    assert.match(parsed.text ?? '', new RegExp(`Token ${token}\\s[0-9a-f]{64}`, "u"));
    assert.match(String(parsed.html), new RegExp(`<strong>${token}</strong>`, 'u'));
  }
});
