import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import SMTPPool, { type SMTPPoolOptions, type SMTPPoolSendCallback, type SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import { UndeliveredRecipientsError } from '../errors/undelivered-recipients-error.js';
import { transportErrorFrom } from './transport-error-from.js';
import { quickDataStreams, type PooledConnection } from './quick-data-streams.js';
import { sortRecipients, type DeliveryOutcome, type RecipientFailure, type Refusal } from './sort-recipients.js';

/**
 * nodemailer's pooled SMTP transport that loses no recipient: recipients the server
 * defers (4xx at RCPT TO, e.g. Postfix's `452 4.5.3 Error: too many recipients`) are sent
 * the same message in further transactions on the pool (RFC 5321 §4.5.3.1.10) for as long
 * as each transaction gets someone through. Whoever is still deferred at the end makes
 * the send fail with an UndeliveredRecipientsError naming who got it and who did not; a
 * recipient refused for good (5xx) beside accepted ones stays in `rejected`, as before.
 */
export class RetryingSmtpPool extends SMTPPool {
  constructor(options: SMTPPoolOptions) {
    super(options);
    // Each connection the pool opens is tuned as it is made (nodemailer internals, pinned by
    // test/smtp-transport.test.ts and test/quick-data-streams.test.ts).
    const internals = this as unknown as PoolInternals;
    const create = internals._createConnection?.bind(this);
    if (create === undefined) return;
    internals._createConnection = () => {
      const open = internals._connections?.length ?? 0;
      const resource = create();
      staggerRetirement(resource, open, this.options);
      quickDataStreams(resource);
      return resource;
    };
  }

  override send(mail: MailMessage<SMTPPoolSentMessageInfo>, callback: SMTPPoolSendCallback): boolean {
    this.#sendAll(mail).then(
      (info) => callback(null, info),
      (error: unknown) => callback(error as Error, undefined as unknown as SMTPPoolSentMessageInfo),
    );
    return true;
  }

  async #sendAll(mail: MailMessage<SMTPPoolSentMessageInfo>): Promise<SMTPPoolSentMessageInfo> {
    const envelope = mail.message.getEnvelope();
    const everyone = [...new Set((envelope.to ?? []).map(String))];
    const accepted: string[] = [];
    const failed: RecipientFailure[] = [];
    let pending = everyone;
    let last: Transaction | undefined;
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) mail.message.setEnvelope({ ...envelope, to: pending });
      last = await this.#transaction(mail, pending);
      // A first transaction that failed outright (connection, TLS, AUTH, MAIL FROM): as it was.
      if (round === 0 && last.error !== undefined && last.outcome.accepted.length === 0 && !hasRefusals(last.error)) throw asError(last.error);
      accepted.push(...last.outcome.accepted);
      failed.push(...last.outcome.failed);
      if (last.outcome.accepted.length === 0) break; // no progress: the server will not take more now
      pending = last.outcome.deferred.map((d) => d.recipient);
    }
    mail.message.setEnvelope(envelope);
    const deferred = last?.outcome.deferred ?? [];
    if (deferred.length > 0) {
      throw new UndeliveredRecipientsError('smtp', { accepted, deferred, failed }, { cause: last?.error, code: last?.error === undefined || hasRefusals(last.error) ? 'CDO_E_RECIPIENTS_REJECTED' : transportErrorFrom(last.error, 'smtp').code });
    }
    if (accepted.length === 0) throw asError(last?.error ?? new Error('no recipients'));
    const info = last?.info ?? ({} as SMTPPoolSentMessageInfo);
    return {
      ...info,
      envelope: { from: envelope.from, to: everyone },
      accepted,
      rejected: failed.map((f) => f.recipient),
      rejectedErrors: failed.map((f) => Object.assign(new Error(f.reason), { recipient: f.recipient, responseCode: f.responseCode, response: f.reason })),
      pending: [],
      response: last?.outcome.response ?? info.response,
    };
  }

  #transaction(mail: MailMessage<SMTPPoolSentMessageInfo>, pending: readonly string[]): Promise<Transaction> {
    return new Promise((resolve) => {
      super.send(mail, (error, info) => {
        if ((error !== null && error !== undefined) || info === undefined) {
          error ??= new Error('the SMTP pool gave no result');
          const refusals = (error as { rejectedErrors?: Refusal[] }).rejectedErrors;
          if (Array.isArray(refusals) && refusals.length > 0) {
            resolve({ error, outcome: sortRecipients(pending, [], refusals, '') });
            return;
          }
          // No answer per recipient (dropped, timed out, DATA refused): all of them share the fate.
          const typed = transportErrorFrom(error, 'smtp');
          const responseCode = (error as { responseCode?: number }).responseCode;
          const reason = (error as { response?: string }).response ?? typed.message;
          const entry = pending.map((recipient) => ({ recipient, reason, responseCode }));
          const temporary = responseCode === undefined || (responseCode >= 400 && responseCode < 500);
          resolve({ error, outcome: { accepted: [], failed: temporary ? [] : entry, deferred: temporary ? entry : [], response: '' } });
          return;
        }
        const rejected = new Set((info.rejected ?? []).map(String));
        const refusals = ((info as unknown as { rejectedErrors?: Refusal[] }).rejectedErrors ?? []);
        resolve({ info, outcome: sortRecipients(pending, pending.filter((r) => !rejected.has(r)), refusals, info.response ?? '') });
      });
    });
  }
}

/** What the constructor reaches inside nodemailer's pool. */
interface PoolInternals {
  _connections?: unknown[];
  _createConnection?: () => PooledConnection & { options: SMTPPoolOptions };
}

/**
 * nodemailer replaces a pooled connection after maxMessages messages (100 by default).
 * Connections opened together carry equal shares of a bulk send, so they would all reach
 * that count together and be replaced together: nothing is sent while every new connection
 * waits for its greeting (smtp-server pauses 100 ms before it, Postfix's postscreen
 * seconds; TLS and AUTH come on top). So a connection opened while k others are open
 * (of n = maxConnections) retires after ⌈maxMessages·(n+k+1)/(2n)⌉ messages: 60, 70, 80,
 * 90 and 100 for the defaults. A burst's first connections are then replaced one after
 * another, and their replacements, opened apart, stay apart. Shares from one n-th up
 * (20, 40, …) replaced connections early in bursts too short to need it: 0.85× on rounds
 * of 300 templates, where these shares are even, and 1.10× on 600 bulk messages
 * (bench/README.md). No connection ever sends more than maxMessages.
 */
function staggerRetirement(connection: { options: SMTPPoolOptions }, open: number, poolOptions: SMTPPool['options']): void {
  const { maxConnections, maxMessages } = poolOptions; // nodemailer's constructor set both
  const others = Math.min(open, maxConnections - 1);
  const share = Math.ceil((maxMessages * (maxConnections + others + 1)) / (2 * maxConnections));
  if (share < maxMessages) connection.options = { ...connection.options, maxMessages: share };
}

interface Transaction {
  readonly info?: SMTPPoolSentMessageInfo;
  readonly error?: unknown;
  readonly outcome: DeliveryOutcome;
}

/** nodemailer rejects with Error objects; anything else is wrapped so callers can rely on it. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function hasRefusals(error: unknown): boolean {
  const refusals = (error as { rejectedErrors?: unknown } | null)?.rejectedErrors;
  return Array.isArray(refusals) && refusals.length > 0;
}
