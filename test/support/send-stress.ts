import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Mailer } from '../../src/mailer.js';
import { NewMail } from '../../src/new-mail.js';
import type { ConverterSource } from '../../src/converter/converter-host.js';
import { parseMail } from './parse-mail.js';
import type { SmtpSink } from './smtp-sink.js';

export interface StressReport {
  readonly sent: number;
  readonly errors: readonly unknown[];
  /** Messages Send reported as sent that never reached the server. */
  readonly missing: number;
  /** Messages that arrived with a wrong or absent text or HTML part. */
  readonly corrupted: number;
  /** Messages that arrived more than once. */
  readonly duplicated: number;
}

/**
 * Sends `count` HTML mails at once through `converter` to a real SMTP sink, then reads
 * every message back and checks that each one arrived exactly once with its own text and
 * HTML parts.
 */
export async function runSendStress(options: {
  count: number;
  converter: ConverterSource;
  sink: SmtpSink;
  jitterMs?: number;
  /** What send `index` waits for before its jitter (e.g. its wave to open). */
  gate?: (index: number) => Promise<void>;
  /** Called when send `index` has succeeded or failed. */
  settled?: (index: number) => void;
}): Promise<StressReport> {
  const { count, converter, sink, jitterMs = 250, gate, settled } = options;
  const mailer = new Mailer({ transport: `${sink.url}/?maxConnections=10&maxMessages=Infinity`, converter });
  const tokens = Array.from({ length: count }, () => randomUUID());
  const before = sink.messages.length;
  const outcomes = await Promise.allSettled(
    tokens.map(async (token, i) => {
      // Staggered starts make the lease count rise and fall, so a linger-0 host starts
      // and stops many times during the run.
      await gate?.(i);
      await delay(Math.random() * jitterMs);
      const mail = new NewMail({ mailer });
      mail.From = 'stress@example.com';
      mail.To = `rcpt${i}@example.com`;
      mail.Subject = `stress ${token}`;
      mail.BodyFormat = 0;
      mail.MailFormat = 0;
      mail.Body = `<h2>Message ${i}</h2><p>Token <b>${token}</b> and <a href="https://example.com/${i}">a link</a>.</p>`;
      try {
        return await mail.Send();
      } finally {
        settled?.(i);
      }
    }),
  );
  await mailer.close();
  const errors = outcomes.filter((o) => o.status === 'rejected').map((o) => (o).reason as unknown);
  const sentTokens = new Set(tokens.filter((_, i) => outcomes[i]?.status === 'fulfilled'));
  const seen = new Map<string, number>();
  let corrupted = 0;
  for (const message of sink.messages.slice(before)) {
    const parsed = await parseMail(message.raw);
    const token = (parsed.subject ?? '').replace(/^stress /u, '');
    seen.set(token, (seen.get(token) ?? 0) + 1);
    const textOk = (parsed.text ?? '').includes(`Token ${token}`);
    const htmlOk = typeof parsed.html === 'string' && parsed.html.includes(`<b>${token}</b>`);
    if (!textOk || !htmlOk) corrupted++;
  }
  let missing = 0;
  for (const token of sentTokens) if (!seen.has(token)) missing++;
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  return { sent: sentTokens.size, errors, missing, corrupted, duplicated };
}
