import type Mail from 'nodemailer/lib/mailer';
import { TransportError } from '../errors/transport-error.js';
import { UndeliveredRecipientsError } from '../errors/undelivered-recipients-error.js';
import { transportErrorFrom } from './transport-error-from.js';
import { sortRecipients, type DeliveryOutcome, type Refusal } from './sort-recipients.js';

export type { DeliveryOutcome, RecipientFailure } from './sort-recipients.js';

/**
 * Hands already-composed bytes to an SMTP transporter for `pending`, and sorts every
 * recipient into accepted, failed or deferred — for the relay and the queue worker alike.
 * Over the SMTP transport (a RetryingSmtpPool) the deferred ones have already been tried
 * again in further transactions; what is still deferred is worth a later attempt.
 */
export async function deliverRaw(transporter: Mail, from: string, pending: readonly string[], raw: Buffer): Promise<DeliveryOutcome> {
  try {
    const info = await transporter.sendMail({ envelope: { from, to: [...pending] }, raw });
    const rejected = new Set((info.rejected ?? []).map(String));
    return sortRecipients(pending, pending.filter((r) => !rejected.has(r)), (info['rejectedErrors'] ?? []) as Refusal[], info.response ?? '');
  } catch (error) {
    if (error instanceof UndeliveredRecipientsError) {
      return { accepted: [...error.accepted], failed: [...error.failed], deferred: [...error.deferred], response: '' };
    }
    const refusals = (error as { rejectedErrors?: Refusal[] } | null)?.rejectedErrors;
    if (Array.isArray(refusals) && refusals.length > 0) return sortRecipients(pending, [], refusals, ''); // every recipient refused
    const typed = transportErrorFrom(error, 'smtp');
    const reason = typed instanceof TransportError ? (typed.response ?? typed.message) : typed.message;
    const responseCode = typed instanceof TransportError ? typed.responseCode : undefined;
    const everyone = pending.map((recipient) => ({ recipient, reason, responseCode }));
    const temporary = typed instanceof TransportError && typed.temporary;
    return { accepted: [], failed: temporary ? [] : everyone, deferred: temporary ? everyone : [], response: '' };
  }
}
