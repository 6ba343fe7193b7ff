// Scratch (not in npm run bench): the templates workload, build only, with the converter's
// inline / pool rule varied in one process, interleaved rounds; msg/s and same-round ratios.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Mailer, NewMail, ConverterHost } from '../src/index.js';
import { createPooledEngines, type PooledEnginesOptions } from '../src/converter/pooled-engines.js';
import { median, pool } from './support/stats.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');
const names = readdirSync(resolve(CORPUS, 'html')).filter((n) => /^(postmark|sendgrid|cerberus|leemunroe|govcy)-/u.test(n)).sort();
const templates = names.map((n) => readFileSync(resolve(CORPUS, 'html', n), 'utf8'));
const N = Number(process.env['N'] ?? 400);
const SYN = process.env['SYN'] === '1';
const SYNTHETIC = `<html><body><h1>Your order has shipped</h1>${'<p>Thank you for your order. Your parcel left our warehouse this morning and should <b>arrive within three working days</b>. You can <a href="https://example.com/track">track it here</a> at any time.</p>'.repeat(5)}<ul><li>Widget, blue</li><li>Gadget, large</li><li>Gizmo, spare part</li></ul><p>Questions? <a href="mailto:help@example.com">Write to us</a>.</p></body></html>`;
const transport = process.env['T'] ?? 'stream:';
const configs = JSON.parse(process.env['CONFIGS'] ?? '{"inline":{"threshold":1e12},"pool":{"threshold":0,"queueDepth":1e12},"d1":{"threshold":4096,"queueDepth":1},"d4":{"threshold":4096,"queueDepth":4}}') as Record<string, PooledEnginesOptions>;
const hosts = Object.fromEntries(Object.entries(configs).map(([k, o]) => [k, new ConverterHost({ lingerMs: 600_000, createEngines: () => createPooledEngines(o) })]));
function personalise(html: string, tag: string): string {
  const p = `<p>Dear customer ${tag}, this message was written for you: <a href="https://example.com/u/${tag}">your account</a>.</p>`;
  const at = html.lastIndexOf('</body>');
  return at < 0 ? html + p : html.slice(0, at) + p + html.slice(at);
}
async function round(host: ConverterHost, r: number): Promise<number> {
  const bodies = Array.from({ length: N }, (_, i) => personalise(SYN ? SYNTHETIC : templates[i % templates.length]!, `r${r}-${i}`));
  const mailer = new Mailer({ transport, converter: host });
  const started = performance.now();
  await pool(N, 50, (i) => {
    const mail = new NewMail({ mailer });
    mail.From = 'shop@example.com';
    mail.To = `c${i}@example.org`;
    mail.Subject = `Message ${i}`;
    mail.BodyFormat = 0;
    mail.MailFormat = 0;
    mail.Body = bodies[i]!;
    return mail.Send();
  });
  const ms = performance.now() - started;
  await mailer.close();
  return (N / ms) * 1000;
}
const rates: Record<string, number[]> = {};
for (const h of Object.values(hosts)) await round(h, -1);
for (let r = 0; r < Number(process.env['R'] ?? 5); r++) {
  const order = r % 2 ? Object.entries(hosts).reverse() : Object.entries(hosts);
  for (const [k, h] of order) (rates[k] ??= []).push(await round(h, r));
}
const base = Object.keys(hosts)[0]!;
for (const k of Object.keys(hosts)) console.log(k, median(rates[k]!).toFixed(0), 'msg/s; ÷', base, median(rates[k]!.map((v, i) => v / rates[base]![i]!)).toFixed(2), rates[k]!.map((v) => v.toFixed(0)).join(' '));
for (const h of Object.values(hosts)) await h.close();
