// Profiling helper (not in npm run bench): cdonts alone on the templates workload; PROF=1 writes a --cpu-prof style profile of the timed rounds, FLOOR=1 runs the floor, BULK=1 one body for all, T=smtp://… sends over SMTP; prints main-thread and process CPU per message.
// The converter is kept up between rounds, and W untimed rounds (default 3) warm it and the JIT first.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { Mailer, close, converter } from '../src/index.js';
import { bulkTemplate, personalise, templates } from './support/documents.js';
import { html, sendNewMails } from './support/send-new-mails.js';
import { pool } from './support/stats.js';

const N = Number(process.env['N'] ?? 600);
const BULK = process.env['BULK'] === '1';
const transport = process.env['T'] ?? 'stream:';
import nodemailer from 'nodemailer';
import { compile } from 'html-to-text';
const h2t = compile({ wordwrap: 78 });
async function floorRound(r: number): Promise<number> {
  const bodies = Array.from({ length: N }, (_, i) => (BULK ? bulkTemplate : personalise(templates[i % templates.length]!, `r${r}-${i}`)));
  const texts = bodies.map((b) => h2t(b));
  const t = transport === 'stream:' ? nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }) : nodemailer.createTransport({ host: '127.0.0.1', port: Number(new URL(transport).port), pool: true });
  const started = performance.now();
  await pool(N, 50, (i) => t.sendMail({ from: 'shop@example.com', to: `c${i}@example.org`, subject: `Message ${i}`, html: bodies[i]!, text: texts[i]! }));
  const ms = performance.now() - started;
  t.close();
  return ms;
}
async function round(r: number): Promise<number> {
  if (process.env['FLOOR'] === '1') return floorRound(r);
  const bodies = Array.from({ length: N }, (_, i) => (BULK ? bulkTemplate : personalise(templates[i % templates.length]!, `r${r}-${i}`)));
  const mailer = new Mailer({ transport });
  const ms = await sendNewMails(mailer, html(bodies));
  await mailer.close();
  return ms;
}
function mainTicks(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
converter.setLinger(600_000);
for (let w = 0; w < Number(process.env['W'] ?? 3); w++) await round(-1 - w);
const mt = mainTicks();
const session = new Session();
session.connect();
if (process.env['PROF'] === '1') { await session.post('Profiler.enable'); await session.post('Profiler.start'); }
const cpu = process.cpuUsage();
const elu = performance.eventLoopUtilization();
let total = 0;
for (let r = 0; r < 3; r++) total += await round(r);
const used = process.cpuUsage(cpu);
const u = performance.eventLoopUtilization(elu);
if (process.env['PROF'] === '1') { const { profile } = await session.post('Profiler.stop'); writeFileSync(process.env['OUT'] ?? '/tmp/pp/prof.cpuprofile', JSON.stringify(profile)); }
const mainCpu = ((mainTicks() - mt) * 10000) / (3 * N);
console.log(`main-thread CPU ${mainCpu.toFixed(0)} µs/msg; ${((3 * N) / total * 1000).toFixed(0)} msg/s; main-thread ELU ${(u.utilization * 100).toFixed(0)} %, main busy ${(u.active / (3 * N) * 1000).toFixed(0)} µs/msg; process CPU ${((used.user + used.system) / (3 * N)).toFixed(0)} µs/msg`, JSON.stringify(converter.stats().pool));
await close();
