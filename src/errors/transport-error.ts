import { CdoError } from './cdo-error.js';
import type { ErrorCode } from './error-codes.js';

export interface TransportErrorDetails {
  /** Transport name: 'smtp', 'pickup', 'memory', … */
  readonly transport: string;
  /** SMTP reply code (550, 421…) when the server answered. */
  readonly responseCode?: number | undefined;
  /** The server's full reply line(s). */
  readonly response?: string | undefined;
  /** The SMTP command that failed (CONN, AUTH PLAIN, MAIL FROM, RCPT TO, DATA…). */
  readonly command?: string | undefined;
  /** nodemailer's own code (EAUTH, EENVELOPE, ETIMEDOUT…), for callers that branch on it. */
  readonly smtpCode?: string | undefined;
  /** Recipients the server refused, when it refused some. */
  readonly rejected?: readonly string[] | undefined;
}

/** A delivery failure. The message was not handed over; the NewMail stays usable. */
export class TransportError extends CdoError {
  override name = 'TransportError';
  readonly transport: string;
  readonly responseCode: number | undefined;
  readonly response: string | undefined;
  readonly command: string | undefined;
  readonly smtpCode: string | undefined;
  readonly rejected: readonly string[];

  constructor(code: ErrorCode, message: string, details: TransportErrorDetails, options?: { cause?: unknown }) {
    super(code, message, options);
    this.transport = details.transport;
    this.responseCode = details.responseCode;
    this.response = details.response;
    this.command = details.command;
    this.smtpCode = details.smtpCode;
    this.rejected = details.rejected ?? [];
  }

  /**
   * True when trying again later may succeed: a 4xx reply, or no reply at all (the
   * connection failed, dropped or timed out). False for 5xx and authentication failures.
   */
  get temporary(): boolean {
    if (this.code === 'CDO_E_AUTHENTICATION_FAILURE' || this.code === 'CDO_E_DISK_ERROR' || this.code === 'CDO_E_NO_PICKUP_DIR') return false;
    if (this.responseCode !== undefined) return this.responseCode >= 400 && this.responseCode < 500;
    return true;
  }
}
