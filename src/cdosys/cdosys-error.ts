import { CdoError } from '../errors/cdo-error.js';
import type { ErrorCode } from '../errors/error-codes.js';

/**
 * Microsoft's message texts (cdosyserr.h, not localized; reference §5.1), so that a
 * ported script's error log reads as it did under IIS.
 */
export const cdosysMessages = {
  CDO_E_SMTP_SERVER_REQUIRED: 'The SMTP server name is required, and was not found in the configuration source.',
  CDO_E_RECIPIENT_MISSING: 'At least one recipient is required, but none were found.',
  CDO_E_FROM_MISSING: 'At least one of the From or Sender fields is required, and neither was found.',
  CDO_E_SENDER_REJECTED: 'The server rejected the sender address.',
  CDO_E_RECIPIENTS_REJECTED: 'The server rejected one or more recipient addresses.',
  CDO_E_SMTP_SEND_FAILED: 'The message could not be sent to the SMTP server.',
  CDO_E_CONNECTION_DROPPED: 'The transport lost its connection to the server.',
  CDO_E_FAILED_TO_CONNECT: 'The transport failed to connect to the server.',
  CDO_E_AUTHENTICATION_FAILURE: 'The server rejected the logon attempt due to authentication failure.',
  CDO_E_INVALID_CONTENT_TYPE: 'The content type was not valid in this context. For example, the root of an MHTML message must be an HTML document.',
  CDO_E_INVALID_SEND_OPTION: 'The "SendUsing" configuration value is invalid.',
  CDO_E_NO_PICKUP_DIR: 'The pickup directory path is required and was not specified.',
  CDO_E_NO_DEFAULT_DROP_DIR: 'No default drop directory has been configured for this server.',
  CDO_E_INVALID_CHARSET: 'The requested character set is not installed on the computer.',
  CDO_E_INVALID_ENCODING_TYPE: 'The content encoding type is invalid.',
} as const satisfies Partial<Record<ErrorCode, string>>;

type CdosysCode = keyof typeof cdosysMessages;

/** A CdoError whose message starts with Microsoft's text for the code, then says what happened. */
export function cdosysError(code: CdosysCode, detail: string, options?: { cause?: unknown }): CdoError {
  return new CdoError(code, detail === '' ? cdosysMessages[code] : `${cdosysMessages[code]} ${detail}`, options);
}

/** Prefixes a delivery error (already typed by the transport layer) with the CDOSYS text. */
export function withCdosysText(error: unknown): unknown {
  if (error instanceof CdoError && Object.hasOwn(cdosysMessages, error.code)) {
    const text = cdosysMessages[error.code as CdosysCode];
    if (!error.message.startsWith(text)) {
      Object.defineProperty(error, 'message', { value: `${text} The server response was: ${error.message}`, configurable: true, writable: true });
    }
  }
  return error;
}
