// 1. Send pipeline: HTML mails (about 2 KB) with a text alternative, concurrency 100,
// pooled SMTP to an smtp-server sink in its own process. Peers, measured in the same run
// (interleaved rounds, medians): nodemailer + the nodemailer-html-to-text plugin;
// nodemailer calling html-to-text convert() per message; and the floor, nodemailer with
// the text precomputed (no conversion cost at all). Every timed round runs on a quiet
// machine and is repeated when other processes took CPU meanwhile (support/machine-load.ts);
// the tables give the median and the range over the rounds, and the ratio of medians.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { htmlToText as htmlToTextPlugin } from 'nodemailer-html-to-text';
import { convert } from 'html-to-text';
import { Mailer, NewMail, close } from '../src/index.js';
import { startRemoteSink } from './support/sink.js';
import { guarded } from './support/machine-load.js';
import { median, pool, spread, table } from './support/stats.js';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 5_000);
const CONCURRENCY = 100;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 4);
const POOL = '/?pool=true&maxConnections=5&maxMessages=Infinity';

const corpusFile = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'html', 'talon-ms_outlook_2010.html');
const template = existsSync(corpusFile)
  ? readFileSync(corpusFile, 'utf8').slice(0, 2048)
  : `<html><body>${'<p>Dear customer, your order <b>has shipped</b>. <a href="https://example.com/track">Track it</a>.</p>'.repeat(20)}</body></html>`;
// Two workloads: every message personalised (no two bodies alike), and one newsletter
// body sent to every recipient (bulk mail).
const WORKLOADS = {
  personalised: (i: number): string => `${template}<p>Message ${i}: <a href="https://example.com/m/${i}">view</a></p>`,
  'same body (bulk)': (_i: number): string => `${template}<p>Newsletter: <a href="https://example.com/m">view</a></p>`,
} as const;
let htmlFor: (i: number) => string = WORKLOADS.personalised;
const compiled = (await import('html-to-text')).compile({ wordwrap: 78 });

/** run() returns the milliseconds the timed part took. */
type Peer = { name: string; run: (url: string) => Promise<number> };

const peers: Peer[] = [
  {
    name: 'nodemailer, text precomputed (floor)',
    run: async (url) => {
      const texts = Array.from({ length: MESSAGES }, (_, i) => compiled(htmlFor(i))); // computed before the clock starts
      const transporter = nodemailer.createTransport(url + POOL);
      const started = performance.now();
      await pool(MESSAGES, CONCURRENCY, (i) => transporter.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `m${i}`, html: htmlFor(i), text: texts[i] }));
      const ms = performance.now() - started;
      transporter.close();
      return ms;
    },
  },
  {
    name: 'nodemailer + nodemailer-html-to-text plugin',
    run: async (url) => {
      const transporter = nodemailer.createTransport(url + POOL);
      transporter.use('compile', htmlToTextPlugin());
      const started = performance.now();
      await pool(MESSAGES, CONCURRENCY, (i) => transporter.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `m${i}`, html: htmlFor(i) }));
      const ms = performance.now() - started;
      transporter.close();
      return ms;
    },
  },
  {
    name: 'nodemailer + html-to-text convert() per message',
    run: async (url) => {
      const transporter = nodemailer.createTransport(url + POOL);
      const started = performance.now();
      await pool(MESSAGES, CONCURRENCY, (i) => {
        const html = htmlFor(i);
        return transporter.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `m${i}`, html, text: convert(html, { wordwrap: 78 }) });
      });
      const ms = performance.now() - started;
      transporter.close();
      return ms;
    },
  },
  {
    name: 'cdonts NewMail (HTML body, MIME)',
    run: async (url) => {
      const mailer = new Mailer({ transport: url + POOL });
      const started = performance.now();
      await pool(MESSAGES, CONCURRENCY, (i) => {
        const mail = new NewMail({ mailer });
        mail.From = 'a@example.com';
        mail.To = 'b@example.com';
        mail.Subject = `m${i}`;
        mail.BodyFormat = 0;
        mail.MailFormat = 0;
        mail.Body = htmlFor(i);
        return mail.Send();
      });
      const ms = performance.now() - started;
      await mailer.close();
      return ms;
    },
  },
];

const results = new Map<string, number[]>();
const foreign: number[] = [];
let discarded = 0;

const sink = await startRemoteSink();
const guard = { pids: () => [sink.pid] };
console.log(`send pipeline: ${MESSAGES} HTML mails of ${Buffer.byteLength(htmlFor(0))} bytes, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds, sink in its own process, ${availableParallelism()} cores\n`);
// Warm-up: one round each, so module loading and JIT do not land in round 1.
for (const peer of peers) await peer.run(sink.url);
const CDONTS = 'cdonts NewMail (HTML body, MIME)';
for (const [workload, make] of Object.entries(WORKLOADS)) {
  htmlFor = make;
  results.clear();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? peers : [...peers].reverse();
    for (const peer of order) {
      const result = await guarded(() => peer.run(sink.url), guard);
      results.set(peer.name, [...(results.get(peer.name) ?? []), (MESSAGES / result.value) * 1000]);
      foreign.push(result.foreignCores);
      discarded += result.discarded;
    }
  }
  const cdonts = median(results.get(CDONTS) ?? []);
  console.log(`### ${workload}\n`);
  const ours = results.get(CDONTS) ?? [];
  table(
    ['peer', 'msg/s: median (min–max)', 'cdonts ÷ peer: ratio of medians', 'cdonts ÷ peer, same round: median (min–max)'],
    peers.map((p) => {
      const values = results.get(p.name) ?? [];
      return [p.name, spread(values), (cdonts / median(values)).toFixed(2), spread(values.map((v, i) => (ours[i] ?? 0) / v), 2)];
    }),
  );
}
console.log(`foreign load during the kept rounds: median ${median(foreign).toFixed(2)} cores, max ${Math.max(...foreign).toFixed(2)}; ${discarded} rounds run again because other processes were busy.\n`);
const delivered = await sink.count();
await sink.close();
await close();
console.log(`${delivered} messages delivered to the sink in all (warm-up included).`);
