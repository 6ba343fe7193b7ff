import { performance } from 'node:perf_hooks';
import { NewMail, type Mailer } from '../../src/index.js';
import { pool } from './stats.js';

/** A body as NewMail takes it: its source and its BodyFormat (0: HTML). */
export interface NewMailBody {
  readonly source: string;
  readonly format: 0 | 'markdown' | 'rtf';
}

/**
 * Sends one MIME NewMail per body through `mailer`, `concurrency` at a time, each to its
 * own recipient, and returns the milliseconds that took (the mailer is not closed).
 */
export async function sendNewMails(mailer: Mailer, bodies: readonly NewMailBody[], concurrency = 50): Promise<number> {
  const started = performance.now();
  await pool(bodies.length, concurrency, (i) => {
    const body = bodies[i]!;
    const mail = new NewMail({ mailer });
    mail.From = 'shop@example.com';
    mail.To = `customer${i}@example.org`;
    mail.Subject = `Message ${i}`;
    mail.BodyFormat = body.format;
    mail.MailFormat = 0;
    mail.Body = body.source;
    return mail.Send();
  });
  return performance.now() - started;
}

/** HTML bodies as NewMail bodies. */
export const html = (sources: readonly string[]): NewMailBody[] => sources.map((source) => ({ source, format: 0 }));
