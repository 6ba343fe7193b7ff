// 2. Pickup: mails into a pickup directory against the floor, nodemailer's stream
// transport (CRLF, buffered) + writeFile + rename of the same message. Interleaved
// rounds, the same concurrency for both. The disk makes this noisy: every round starts
// after `sync` (no dirty pages left from the round before) on a quiet machine, and is run
// again when other processes took CPU meanwhile (support/machine-load.ts); the table gives
// median, min and max over the rounds. The same comparison on tmpfs (/dev/shm, when there
// is one) takes the disk out and shows the software path alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { Mailer, NewMail } from '../src/index.js';
import { guarded } from './support/machine-load.js';
import { median, pool, spread, table } from './support/stats.js';

const MESSAGES = Number(process.env['BENCH_PICKUP_MESSAGES'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_PICKUP_ROUNDS'] ?? 5);
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

const writers = { floor, cdonts } as const;

async function compare(parent: string, rounds: number, flush: boolean): Promise<{ floors: number[]; ours: number[]; ratios: number[]; foreign: number[]; discarded: number }> {
  const out = { floors: [] as number[], ours: [] as number[], ratios: [] as number[], foreign: [] as number[], discarded: 0 };
  for (let round = -1; round < rounds; round++) {
    const order: Array<keyof typeof writers> = round % 2 === 0 ? ['floor', 'cdonts'] : ['cdonts', 'floor'];
    const rates: Partial<Record<keyof typeof writers, number>> = {};
    for (const name of order) {
      const dir = await mkdtemp(join(parent, `bench-${name}-`));
      if (flush) spawnSync('sync');
      const result = await guarded(() => writers[name](dir));
      await rm(dir, { recursive: true });
      if (round < 0) continue; // the warm-up round
      rates[name] = result.value;
      out.foreign.push(result.foreignCores);
      out.discarded += result.discarded;
    }
    if (round < 0) continue;
    out.floors.push(rates.floor ?? 0);
    out.ours.push(rates.cdonts ?? 0);
    out.ratios.push((rates.cdonts ?? 0) / (rates.floor ?? 1));
  }
  return out;
}

function report(title: string, r: Awaited<ReturnType<typeof compare>>): void {
  console.log(`${title}\n`);
  table(['writer', 'msg/s: median (min–max)', 'ratio to floor: of medians; per round median (min–max)'], [
    ['nodemailer stream transport + writeFile + rename (floor)', spread(r.floors), '1.00'],
    ['cdonts pickup transport (X-Sender/X-Receiver, temp + rename)', spread(r.ours), `${(median(r.ours) / median(r.floors)).toFixed(2)}; ${spread(r.ratios, 2)}`],
  ]);
  console.log(`foreign load during the kept rounds: median ${median(r.foreign).toFixed(2)} cores, max ${Math.max(...r.foreign).toFixed(2)}; ${r.discarded} rounds run again because other processes were busy.\n`);
}

report(`pickup on disk (${tmpdir()}): ${MESSAGES} text mails, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds after a warm-up, \`sync\` before each`, await compare(tmpdir(), ROUNDS, true));
if (existsSync('/dev/shm')) {
  const tmpfsRounds = 3;
  report(`pickup on tmpfs (/dev/shm, no disk): the same, ${tmpfsRounds} rounds`, await compare('/dev/shm', tmpfsRounds, false));
}
