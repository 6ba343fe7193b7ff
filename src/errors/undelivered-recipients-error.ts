import type { ErrorCode } from './error-codes.js';
import { TransportError } from './transport-error.js';
import type { RecipientFailure } from '../transports/sort-recipients.js';

/**
 * Some recipients got the message and others did not, even after further transactions
 * (RFC 5321 §4.5.3.1.10): Send rejects with this, so no recipient is lost silently.
 * `accepted` got the message; `undelivered` did not (each with the server's reply);
 * `rejected` lists every recipient that did not get it.
 */
export class UndeliveredRecipientsError extends TransportError {
  override name = 'UndeliveredRecipientsError';
  readonly accepted: readonly string[];
  /** Still deferred (4xx, or the connection failed) when the client gave up. */
  readonly deferred: readonly RecipientFailure[];
  /** Refused for good (5xx). */
  readonly failed: readonly RecipientFailure[];

  constructor(
    transport: string,
    outcome: { readonly accepted: readonly string[]; readonly deferred: readonly RecipientFailure[]; readonly failed: readonly RecipientFailure[] },
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    const [first] = outcome.deferred;
    const missing = [...outcome.deferred, ...outcome.failed];
    const message =
      `${transport}: ${missing.length} of ${missing.length + outcome.accepted.length} recipients did not get the message` +
      ` (${missing.map((m) => `${m.recipient}: ${m.reason}`).join('; ')})` +
      (outcome.accepted.length > 0 ? `; delivered to ${outcome.accepted.join(', ')}` : '');
    super(options?.code ?? 'CDO_E_RECIPIENTS_REJECTED', message, { transport, responseCode: first?.responseCode, response: first?.reason, command: 'RCPT TO', rejected: missing.map((m) => m.recipient) }, { cause: options?.cause });
    this.accepted = [...outcome.accepted];
    this.deferred = [...outcome.deferred];
    this.failed = [...outcome.failed];
  }
}
