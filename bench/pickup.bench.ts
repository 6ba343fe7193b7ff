// 2. Pickup: mails into a pickup directory against the floor, nodemailer's stream
// transport (CRLF, buffered) + writeFile + rename of the same bytes. Interleaved rounds,
// medians, the same concurrency for both.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { Mailer, NewMail } from '../src/index.js';
import { median, pool, table } from './support/stats.js';

const MESSAGES = Number(process.env['BENCH_PICKUP_MESSAGES'] ?? 10_000);
const ROUNDS = 3;
const CONCURRENCY = 50;
const body = 'Hello,\n\nyour order has shipped and is on its way.\n\nRegards,\nThe shop\n'.repeat(8);

async function floor(dir: string): Promise<number> {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const started = performance.now();
  await pool(MESSAGES, CONCURRENCY, async (i) => {
    const info = await transporter.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: `m${i}`, text: body });
    const temporary = join(dir, `${i}.tmp`);
    await writeFile(temporary, info.message as Buffer, { flag: 'wx' });
    await rename(temporary, join(dir, `${i}.eml`));
  });
  return (MESSAGES / (performance.now() - started)) * 1000;
}

async function cdonts(dir: string): Promise<number> {
  const mailer = new Mailer({ transport: `pickup:${dir}` });
  const started = performance.now();
  await pool(MESSAGES, CONCURRENCY, (i) => {
    const mail = new NewMail({ mailer });
    mail.From = 'a@example.com';
    mail.To = 'b@example.com';
    mail.Subject = `m${i}`;
    mail.MailFormat = 0;
    mail.Body = body;
    return mail.Send();
  });
  const rate = (MESSAGES / (performance.now() - started)) * 1000;
  await mailer.close();
  return rate;
}

const floors: number[] = [];
const ours: number[] = [];
for (let round = -1; round < ROUNDS; round++) {
  const a = await mkdtemp(join(tmpdir(), 'bench-floor-'));
  const b = await mkdtemp(join(tmpdir(), 'bench-cdonts-'));
  const [f, c] = round % 2 === 0 ? [await floor(a), await cdonts(b)] : [await cdonts(b), await floor(a)].reverse();
  if (round >= 0) {
    floors.push(f ?? 0);
    ours.push(c ?? 0);
  }
  await Promise.all([rm(a, { recursive: true }), rm(b, { recursive: true })]);
}
console.log(`pickup: ${MESSAGES} text mails, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds (after a warm-up)\n`);
table(['writer', 'msg/s (median)', 'ratio to floor'], [
  ['nodemailer stream transport + writeFile + rename (floor)', median(floors).toFixed(0), '1.00'],
  ['cdonts pickup transport (X-Sender/X-Receiver, temp + rename)', median(ours).toFixed(0), (median(ours) / median(floors)).toFixed(2)],
]);
