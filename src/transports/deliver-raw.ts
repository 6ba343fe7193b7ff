import type Mail from 'nodemailer/lib/mailer';
import { TransportError } from '../errors/transport-error.js';
import { transportErrorFrom } from './transport-error-from.js';

export interface RecipientFailure {
  readonly recipient: string;
  readonly reason: string;
}

/** Where each recipient of one delivery attempt stands. */
export interface DeliveryOutcome {
  readonly accepted: string[];
  /** Refused for good (5xx, or the whole message refused permanently). */
  readonly failed: RecipientFailure[];
  /** Worth another attempt (4xx, or no answer at all). */
  readonly deferred: RecipientFailure[];
  readonly response: string;
}

interface Refusal {
  recipient?: string;
  responseCode?: number;
  response?: string;
}

/**
 * Hands already-composed bytes to an SMTP transporter for `pending`, and sorts every
 * recipient into accepted, failed or deferred — for the relay and the queue worker alike.
 */
export async function deliverRaw(transporter: Mail, from: string, pending: readonly string[], raw: Buffer): Promise<DeliveryOutcome> {
  const sort = (refusals: readonly Refusal[], accepted: string[], response: string): DeliveryOutcome => {
    const failed: RecipientFailure[] = [];
    const deferred: RecipientFailure[] = [];
    for (const recipient of pending.filter((r) => !accepted.includes(r))) {
      const refusal = refusals.find((e) => e.recipient === recipient);
      const entry = { recipient, reason: refusal?.response ?? 'rejected' };
      if ((refusal?.responseCode ?? 500) >= 500) failed.push(entry);
      else deferred.push(entry);
    }
    return { accepted, failed, deferred, response };
  };
  try {
    const info = await transporter.sendMail({ envelope: { from, to: [...pending] }, raw });
    const rejected = new Set((info.rejected ?? []).map(String));
    return sort((info['rejectedErrors'] ?? []) as Refusal[], pending.filter((r) => !rejected.has(r)), info.response ?? '');
  } catch (error) {
    const refusals = (error as { rejectedErrors?: Refusal[] } | null)?.rejectedErrors;
    if (Array.isArray(refusals) && refusals.length > 0) return sort(refusals, [], ''); // every recipient refused
    const typed = transportErrorFrom(error, 'smtp');
    const reason = typed instanceof TransportError ? (typed.response ?? typed.message) : typed.message;
    const everyone = pending.map((recipient) => ({ recipient, reason }));
    const temporary = typed instanceof TransportError && typed.temporary;
    return { accepted: [], failed: temporary ? [] : everyone, deferred: temporary ? everyone : [], response: '' };
  }
}
