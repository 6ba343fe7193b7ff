// 1. Send pipeline: HTML mails (about 2 KB) with a text alternative, concurrency 100,
// pooled SMTP to an smtp-server sink in its own process. Peers, measured in the same run
// (interleaved rounds, medians): nodemailer + the nodemailer-html-to-text plugin;
// nodemailer calling html-to-text convert() per message; and the floor, nodemailer with
// the text precomputed (no conversion cost at all).
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { htmlToText as htmlToTextPlugin } from 'nodemailer-html-to-text';
import { convert } from 'html-to-text';
import { Mailer, NewMail, close } from '../src/index.js';
import { startRemoteSink } from './support/sink.js';
import { median, pool, table } from './support/stats.js';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 5_000);
const CONCURRENCY = 100;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
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

type Peer = { name: string; run: (url: string) => Promise<void> };

const peers: Peer[] = [
  {
    name: 'nodemailer, text precomputed (floor)',
    run: async (url) => {
      const texts = Array.from({ length: MESSAGES }, (_, i) => compiled(htmlFor(i))); // computed before the clock starts
      const transporter = nodemailer.createTransport(url + POOL);
      const started = performance.now();
      await pool(MESSAGES, CONCURRENCY, (i) => transporter.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `m${i}`, html: htmlFor(i), text: texts[i] }));
      record('nodemailer, text precomputed (floor)', performance.now() - started);
      transporter.close();
    },
  },
  {
    name: 'nodemailer + nodemailer-html-to-text plugin',
    run: async (url) => {
      const transporter = nodemailer.createTransport(url + POOL);
      transporter.use('compile', htmlToTextPlugin());
      const started = performance.now();
      await pool(MESSAGES, CONCURRENCY, (i) => transporter.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `m${i}`, html: htmlFor(i) }));
      record('nodemailer + nodemailer-html-to-text plugin', performance.now() - started);
      transporter.close();
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
      record('nodemailer + html-to-text convert() per message', performance.now() - started);
      transporter.close();
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
      record('cdonts NewMail (HTML body, MIME)', performance.now() - started);
      await mailer.close();
    },
  },
];

const results = new Map<string, number[]>();
function record(name: string, ms: number): void {
  results.set(name, [...(results.get(name) ?? []), (MESSAGES / ms) * 1000]);
}

const sink = await startRemoteSink();
console.log(`send pipeline: ${MESSAGES} HTML mails of ${Buffer.byteLength(htmlFor(0))} bytes, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds, sink in its own process, ${availableParallelism()} cores\n`);
// Warm-up: one round each, so module loading and JIT do not land in round 1.
for (const peer of peers) await peer.run(sink.url);
for (const [workload, make] of Object.entries(WORKLOADS)) {
  htmlFor = make;
  results.clear();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? peers : [...peers].reverse();
    for (const peer of order) await peer.run(sink.url);
  }
  const cdonts = median(results.get('cdonts NewMail (HTML body, MIME)') ?? []);
  console.log(`### ${workload}\n`);
  table(
    ['peer', 'msg/s (median)', 'cdonts ÷ peer'],
    peers.map((p) => {
      const value = median(results.get(p.name) ?? []);
      return [p.name, value.toFixed(0), (cdonts / value).toFixed(2)];
    }),
  );
}
const delivered = await sink.count();
await sink.close();
await close();
console.log(`${delivered} messages delivered to the sink in all (warm-up included).`);
