// The send pipeline on whole, real documents: HTML mails with a text alternative, built
// and sent by cdonts and by its peers, in the same run (interleaved rounds; medians of
// same-round ratios). Workloads:
//   templates   the 12 postmark / sendgrid / cerberus / leemunroe / govcy templates of the
//               corpus, whole, each message personalised with one paragraph before </body>
//   bulk        one whole template (postmark-basic-full-receipt) to every recipient
//   synthetic   a 2 KB text-heavy HTML (paragraphs, links, a list), personalised
//   markdown    the corpus README files → HTML + text, personalised with a last line
//   rtf         Outlook RTF bodies: the corpus's HTML-encapsulating ones and RTF made from
//               the templates by our html → rtf, personalised
// Peers: nodemailer + nodemailer-html-to-text (the plugin); for Markdown marked +
// sanitize-html (the library's options) + html-to-text by hand, for RTF rtf-stream-parser
// + html-to-text by hand; and the floor: nodemailer with HTML and text computed before the
// clock starts. Both sides use what a user gets by default: `stream:` / `smtp://host:port`
// on ours, nodemailer's stream transport / `{ host, port, pool: true }` on theirs. The
// build-only variant (stream transport) shows the CPU cost; the SMTP one sends to an
// smtp-server sink in its own process. Concurrency 50. Skips when the corpus is absent.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { htmlToText as htmlToTextPlugin } from 'nodemailer-html-to-text';
import { compile } from 'html-to-text';
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import iconv from 'iconv-lite';
import { Mailer, close, converter } from '../src/index.js';
import { SANITIZE_OPTIONS } from '../src/converter/body-engines.js';
import { encapsulateHtml } from '../src/rtf/encapsulate-rtf.js';
import { encapsulatedKind } from '../src/rtf/encapsulated-kind.js';
import { CORPUS, SYNTHETIC, bulkTemplate, hasCorpus, markdownFiles, personalise, personaliseRtf, rtfFiles, templates } from './support/documents.js';
import { sendNewMails } from './support/send-new-mails.js';
import { startRemoteSink } from './support/sink.js';
import { guarded } from './support/machine-load.js';
import { median, pool, spread, table } from './support/stats.js';

if (!hasCorpus) {
  console.log(`corpus not found at ${CORPUS}; skipping the send pipeline`);
  process.exit(0);
}
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const WARM_MS = Number(process.env['BENCH_WARM_MS'] ?? 4_000);
const SCALE = Number(process.env['BENCH_SCALE'] ?? 1);
const ONLY = process.env['BENCH_ONLY']?.split(',');
const TRANSPORTS = process.env['BENCH_TRANSPORTS']?.split(',') ?? ['build', 'smtp'];
const CONCURRENCY = 50;

const outlookRtf = rtfFiles.filter((rtf) => encapsulatedKind(rtf) === 'html');

/** What one message carries: the body cdonts gets, and how a peer gets HTML + text from it. */
interface Body {
  readonly kind: 'html' | 'markdown' | 'rtf';
  readonly source: string;
}
interface Workload {
  readonly name: string;
  readonly messages: number;
  readonly body: (i: number, round: number) => Body;
  /** The hand-made peer pipeline (source → HTML + text); the plugin's when absent. */
  readonly peer?: { readonly name: string; readonly convert: (source: string) => { html: string; text: string } };
}

// The depth limit keeps html-to-text off a stack overflow on the deepest Outlook body (as ours).
const compiledText = compile({ wordwrap: 78, limits: { maxDepth: 256 } });
const marked = new Marked({ gfm: true, breaks: false, async: false });
const rtfStreamParser = await import('rtf-stream-parser').catch(() => undefined);
const rtfOptions = { decode: (b: Buffer, encoding: string) => iconv.decode(b, encoding), mode: 'html' as const };
/** HTML + text by hand from Markdown or RTF: what the floor precomputes and the peer computes per message. */
function byHand(body: Body): { html: string; text: string } {
  let html = body.source;
  if (body.kind === 'markdown') html = sanitizeHtml(marked.parse(body.source, { async: false }), SANITIZE_OPTIONS);
  else if (body.kind === 'rtf') {
    if (rtfStreamParser === undefined) throw new Error('rtf-stream-parser is not installed');
    html = rtfStreamParser.deEncapsulateSync(Buffer.from(body.source, 'latin1'), rtfOptions).text as string;
  }
  return { html, text: compiledText(html) };
}

const rtfBodies = [...outlookRtf, ...templates.map((t) => encapsulateHtml(t))];
const ALL_WORKLOADS: Workload[] = [
  { name: 'templates', messages: 300, body: (i, r) => ({ kind: 'html', source: personalise(templates[i % templates.length]!, `r${r}-${i}`) }) },
  { name: 'bulk', messages: 600, body: () => ({ kind: 'html', source: bulkTemplate }) },
  { name: 'synthetic 2 KB', messages: 2000, body: (i, r) => ({ kind: 'html', source: personalise(SYNTHETIC, `r${r}-${i}`) }) },
  {
    name: 'markdown',
    messages: 100,
    body: (i, r) => ({ kind: 'markdown', source: `${markdownFiles[i % markdownFiles.length]!}\n\nDear customer r${r}-${i}, this was written for you.\n` }),
    peer: { name: 'marked + sanitize-html + html-to-text', convert: (source) => byHand({ kind: 'markdown', source }) },
  },
  {
    name: 'rtf',
    messages: 90,
    body: (i, r) => ({ kind: 'rtf', source: i % rtfBodies.length < outlookRtf.length ? personaliseRtf(rtfBodies[i % rtfBodies.length]!, `r${r}-${i}`) : encapsulateHtml(personalise(templates[(i % rtfBodies.length) - outlookRtf.length]!, `r${r}-${i}`)) }),
    peer: { name: 'rtf-stream-parser + html-to-text', convert: (source) => byHand({ kind: 'rtf', source }) },
  },
];
const WORKLOADS = ALL_WORKLOADS.filter((w) => ONLY === undefined || ONLY.some((name) => w.name.startsWith(name)));

type TransportKind = 'build' | 'smtp';
/** run() returns the milliseconds the timed part took. */
interface Contender {
  readonly name: string;
  run(transport: TransportKind, workload: Workload, bodies: readonly Body[]): Promise<number>;
}

const sink = TRANSPORTS.includes('smtp') ? await startRemoteSink() : undefined;
const smtpPort = sink === undefined ? 0 : Number(new URL(sink.url).port);
function peerTransport(kind: TransportKind): Mail {
  return kind === 'build' ? nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }) : nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, pool: true });
}
const from = 'shop@example.com';
const recipient = (i: number): string => `customer${i}@example.org`;

const FLOOR = 'floor: nodemailer, HTML + text precomputed';
const PLUGIN = 'nodemailer + nodemailer-html-to-text';
const CDONTS = 'cdonts NewMail';
const contenders = (workload: Workload): Contender[] => [
  {
    name: CDONTS,
    run: async (kind, w, bodies) => {
      const mailer = new Mailer({ transport: kind === 'build' ? 'stream:' : sink!.url });
      const ms = await sendNewMails(mailer, bodies.slice(0, w.messages).map((b) => ({ source: b.source, format: b.kind === 'html' ? 0 : b.kind })), CONCURRENCY);
      await mailer.close();
      return ms;
    },
  },
  workload.peer === undefined
    ? {
        name: PLUGIN,
        run: async (kind, w, bodies) => {
          const transporter = peerTransport(kind);
          transporter.use('compile', htmlToTextPlugin());
          const started = performance.now();
          await pool(w.messages, CONCURRENCY, (i) => transporter.sendMail({ from, to: recipient(i), subject: `Message ${i}`, html: bodies[i]!.source }));
          const ms = performance.now() - started;
          transporter.close();
          return ms;
        },
      }
    : {
        name: workload.peer.name,
        run: async (kind, w, bodies) => {
          const transporter = peerTransport(kind);
          const convert = workload.peer!.convert;
          const started = performance.now();
          await pool(w.messages, CONCURRENCY, (i) => {
            const { html, text } = convert(bodies[i]!.source);
            return transporter.sendMail({ from, to: recipient(i), subject: `Message ${i}`, html, text });
          });
          const ms = performance.now() - started;
          transporter.close();
          return ms;
        },
      },
  {
    name: FLOOR,
    run: async (kind, w, bodies) => {
      // Computed before the clock starts; a bulk body once, as its sender would.
      const memo = new Map<string, { html: string; text: string }>();
      const parts = bodies.map((b) => memo.get(b.source) ?? memo.set(b.source, byHand(b)).get(b.source)!);
      const transporter = peerTransport(kind);
      const started = performance.now();
      await pool(w.messages, CONCURRENCY, (i) => transporter.sendMail({ from, to: recipient(i), subject: `Message ${i}`, html: parts[i]!.html, text: parts[i]!.text }));
      const ms = performance.now() - started;
      transporter.close();
      return ms;
    },
  },
];

// The peers' rounds leave cdonts idle for seconds between its own; a sending application
// would keep the converter busy, so it is kept up between rounds (not restarted cold).
converter.setLinger(10 * 60_000);
const guard = { pids: () => (sink === undefined ? [] : [sink.pid]), maxWaitMs: Number(process.env['BENCH_QUIET_WAIT_MS'] ?? 5_000), attempts: 2 };
const loads: number[] = [];
let discarded = 0;
console.log(
  `send pipeline on whole documents: concurrency ${CONCURRENCY}, untimed warm-up rounds (≥ ${WARM_MS} ms each contender) then ${ROUNDS} interleaved rounds, ${availableParallelism()} cores; ` +
    `${templates.length} templates (${Math.round(Math.min(...templates.map((t) => t.length)) / 1024)}–${Math.round(Math.max(...templates.map((t) => t.length)) / 1024)} KB), ` +
    `${markdownFiles.length} Markdown files, ${outlookRtf.length} Outlook RTF bodies + ${templates.length} made from the templates\n`,
);
const summary: Array<Array<string>> = [];
for (const workload of WORKLOADS) {
  const messages = Math.max(20, Math.round(workload.messages * SCALE));
  const w = { ...workload, messages };
  const list = contenders(w);
  for (const kind of TRANSPORTS as TransportKind[]) {
    const rates = new Map<string, number[]>(list.map((c) => [c.name, []]));
    // Warm-up, the same for every contender: whole rounds, untimed, for at least WARM_MS
    // each, so that each runs at its steady speed (JIT). Ours needs the most: its worker
    // threads compile on their own, and a worker reaches its steady speed only after about
    // a thousand whole templates (bench/README.md). The first round of each is reported.
    const cold = new Map<string, number>();
    for (const c of list) {
      // At least one round, whose rate is the cold figure.
      for (let k = 0, spent = 0; k === 0 || spent < WARM_MS; k++) {
        const ms = await c.run(kind, w, Array.from({ length: messages }, (_, i) => w.body(i, -1 - k)));
        if (k === 0) cold.set(c.name, (messages / ms) * 1000);
        spent += ms;
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      const bodies = Array.from({ length: messages }, (_, i) => w.body(i, round));
      const order = round % 2 === 0 ? list : [...list].reverse();
      for (const c of order) {
        const result = await guarded(() => c.run(kind, w, bodies), guard);
        rates.get(c.name)!.push((messages / result.value) * 1000);
        loads.push(result.foreignCores);
        discarded += result.discarded;
      }
    }
    const ours = rates.get(CDONTS)!;
    console.log(`### ${w.name}, ${kind === 'build' ? 'build only (stream transport)' : 'pooled SMTP to a sink process'}: ${messages} messages a round\n`);
    console.log(`First round of each, cold: ${list.map((c) => `${c.name} ${cold.get(c.name)!.toFixed(0)} msg/s`).join('; ')}.\n`);
    table(
      ['contender', 'msg/s: median (min–max)', 'cdonts ÷ contender, same round: median (min–max)'],
      list.map((c) => {
        const values = rates.get(c.name)!;
        return [c.name, spread(values), c.name === CDONTS ? '—' : spread(values.map((v, i) => ours[i]! / v), 2)];
      }),
    );
    const others = list.filter((c) => c.name !== CDONTS);
    summary.push([
      w.name,
      kind,
      median(ours).toFixed(0),
      ...others.map((c) => `${median(rates.get(c.name)!).toFixed(0)} (${median(rates.get(c.name)!.map((v, i) => ours[i]! / v)).toFixed(2)}×)`),
    ]);
  }
}
console.log('### Summary: msg/s, and cdonts ÷ peer as the median of same-round ratios\n');
table(['workload', 'transport', 'cdonts', 'peer (plugin or by hand)', 'floor'], summary);
const measured = loads.filter((l) => Number.isFinite(l));
console.log(
  `foreign load during the kept rounds: median ${measured.length > 0 ? median(measured).toFixed(2) : 'n/a'} cores, max ${measured.length > 0 ? Math.max(...measured).toFixed(2) : 'n/a'}; ` +
    `${discarded} rounds run again because other processes were busy. Converter pool: ${JSON.stringify(converter.stats().pool)}\n`,
);
if (sink !== undefined) {
  console.log(`${await sink.count()} messages delivered to the sink in all (warm-up included).`);
  await sink.close();
}
converter.setLinger(0);
await close();
