// 5. Memory: 100,000 sends to a pickup directory. The heap after GC at the end must be
// within 10% of the heap after GC once the first 1,000 were sent (nothing accumulates per
// message); peak RSS is reported. Run with --expose-gc (npm run bench does).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mailer, NewMail, close, converter } from '../src/index.js';
import { pool, table } from './support/stats.js';

const TOTAL = Number(process.env['BENCH_MEMORY_MESSAGES'] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const dir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
const mailer = new Mailer({ transport: `pickup:${dir}` });
const send = (i: number): Promise<unknown> => {
  const mail = new NewMail({ mailer });
  mail.From = 'Shop <shop@example.com>';
  mail.To = `customer${i}@example.com`;
  mail.Subject = `Order ${i} has shipped`;
  mail.BodyFormat = 'html';
  mail.MailFormat = 0;
  mail.Body = `<p>Hello customer ${i},</p><p>your order <b>${i}</b> is on its way. <a href="https://example.com/o/${i}">Track it</a>.</p>`;
  return mail.Send();
};

await pool(1_000, 50, send);
const early = heapAfterGc();
await pool(TOTAL - 1_000, 50, (i) => send(i + 1_000));
const late = heapAfterGc();
await mailer.close();
const stats = converter.stats();
await close();
await rm(dir, { recursive: true, force: true });
const growth = (late - early) / early;
console.log(`memory: ${TOTAL} HTML sends to a pickup directory (converter: ${stats.conversions} conversions, ${stats.starts} start)\n`);
table(['measure', 'value'], [
  ['heap after GC, after the first 1,000', `${(early / 1024 / 1024).toFixed(1)} MiB`],
  [`heap after GC, after all ${TOTAL}`, `${(late / 1024 / 1024).toFixed(1)} MiB`],
  ['growth', `${(growth * 100).toFixed(1)} % (target ≤ 10 %)`],
  ['peak RSS', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`],
]);
