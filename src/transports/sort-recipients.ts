export interface RecipientFailure {
  readonly recipient: string;
  readonly reason: string;
  /** The server's reply code for this recipient, when it answered (452, 550…). */
  readonly responseCode?: number | undefined;
}

/** Where each recipient of one SMTP transaction stands. */
export interface DeliveryOutcome {
  readonly accepted: string[];
  /** Refused for good (5xx, or the whole message refused permanently). */
  readonly failed: RecipientFailure[];
  /** Worth another attempt (4xx, or no answer at all). */
  readonly deferred: RecipientFailure[];
  readonly response: string;
}

export interface Refusal {
  recipient?: string;
  responseCode?: number;
  response?: string;
}

/**
 * Sorts the recipients of one transaction by the server's answers: accepted, refused for
 * good (5xx) or deferred (4xx). A recipient the server never answered counts as refused.
 */
export function sortRecipients(pending: readonly string[], accepted: readonly string[], refusals: readonly Refusal[], response: string): DeliveryOutcome {
  const failed: RecipientFailure[] = [];
  const deferred: RecipientFailure[] = [];
  const taken = new Set(accepted);
  for (const recipient of pending) {
    if (taken.has(recipient)) continue;
    const refusal = refusals.find((e) => e.recipient === recipient);
    const entry = { recipient, reason: refusal?.response ?? 'rejected', responseCode: refusal?.responseCode };
    if ((refusal?.responseCode ?? 500) >= 500) failed.push(entry);
    else deferred.push(entry);
  }
  return { accepted: [...accepted], failed, deferred, response };
}
