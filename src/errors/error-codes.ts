/**
 * The catalogue of error codes. CDONTS names (`CdoE_*` in the CDONTS type library) keep
 * their HRESULT; delivery failures, which CDONTS never reported itself, borrow the
 * CDOSYS codes (`cdosyserr.h`) so that `Err.Number` checks ported from CDOSYS work too.
 * The README's error table is checked against this object by a test.
 */
export const errorCodes = {
  CDO_E_CALL_FAILED: {
    hresult: 0x80004005,
    description: 'An internal operation failed; `cause` holds the underlying error.',
  },
  CDO_E_INVALID_PARAMETER: {
    hresult: 0x80070057,
    description:
      'A property or argument was given a value it cannot take (bad address, CR/LF in a header, unknown enum value…).',
  },
  CDO_E_NO_ACCESS: {
    hresult: 0x80070005,
    description: 'A file lies outside `attachmentRoot`, or the process may not read it.',
  },
  CDO_E_NO_SUPPORT: {
    hresult: 0x80040102,
    description: 'The requested conversion or format is not supported.',
  },
  CDO_E_STRING_TOO_LONG: {
    hresult: 0x80040105,
    description: 'An input is larger than the configured limit.',
  },
  CDO_E_INVALID_OBJECT: {
    hresult: 0x80040108,
    description: 'The NewMail was used after a successful Send; create a new one.',
  },
  CDO_E_OBJECT_DELETED: {
    hresult: 0x8004010a,
    description: 'A converter lease was used after it was released.',
  },
  CDO_E_BUSY: {
    hresult: 0x8004010b,
    description: 'The NewMail is being sent; wait for Send to settle.',
  },
  CDO_E_NOT_FOUND: {
    hresult: 0x8004010f,
    description: 'A file named by AttachFile does not exist or is not a regular file.',
  },
  CDO_E_TIMEOUT: {
    hresult: 0x80040401,
    description: 'A conversion ran past its deadline and was stopped (its worker replaced); other senders were not held up.',
  },
  CDO_E_DISK_ERROR: {
    hresult: 0x80040116,
    description: 'Writing the message into the pickup directory failed; nothing was left behind.',
  },
  CDO_E_END_OF_SESSION: {
    hresult: 0x80040200,
    description: 'The Mailer was closed; it takes no more messages.',
  },
  CDO_E_NOT_INITIALIZED: {
    hresult: 0x80040605,
    description: 'A Session member was used before LogonSMTP (or after Logoff).',
  },
  CDO_E_NO_RECIPIENTS: {
    hresult: 0x80040607,
    description: 'Send was called with no To, Cc or Bcc recipient.',
  },
  CDO_E_SMTP_SERVER_REQUIRED: {
    hresult: 0x8004020a,
    description: 'CDO.Message: sendusing is 2 (SMTP) but no `smtpserver` field names the server (a misspelled field name counts as none, KB265527).',
  },
  CDO_E_RECIPIENT_MISSING: {
    hresult: 0x8004020c,
    description: 'CDO.Message.Send found no To, Cc or Bcc recipient.',
  },
  CDO_E_FROM_MISSING: {
    hresult: 0x8004020d,
    description: 'Send was called without a From address.',
  },
  CDO_E_SENDER_REJECTED: {
    hresult: 0x8004020e,
    description: 'The SMTP server rejected the sender (MAIL FROM); see `responseCode`.',
  },
  CDO_E_RECIPIENTS_REJECTED: {
    hresult: 0x8004020f,
    description: 'The SMTP server rejected the recipients (RCPT TO); see `responseCode` and `rejected`.',
  },
  CDO_E_SMTP_SEND_FAILED: {
    hresult: 0x80040211,
    description: 'The SMTP server refused the message or the exchange failed; see `responseCode`.',
  },
  CDO_E_CONNECTION_DROPPED: {
    hresult: 0x80040212,
    description: 'The connection to the SMTP server was lost or timed out during the exchange.',
  },
  CDO_E_FAILED_TO_CONNECT: {
    hresult: 0x80040213,
    description: 'The SMTP server could not be reached, did not greet in time, or TLS failed.',
  },
  CDO_E_AUTHENTICATION_FAILURE: {
    hresult: 0x80040215,
    description: 'The SMTP server refused the credentials (AUTH).',
  },
  CDO_E_INVALID_SEND_OPTION: {
    hresult: 0x80040220,
    description: 'The transport configuration (URL or options) is not valid.',
  },
  CDO_E_NO_PICKUP_DIR: {
    hresult: 0x80040222,
    description: 'The pickup directory cannot be created or is not a directory.',
  },
  CDO_E_INVALID_CONTENT_TYPE: {
    hresult: 0x80040216,
    description: 'CDO.Message.CreateMHTMLBody was given a document that is not HTML.',
  },
  CDO_E_NO_DEFAULT_DROP_DIR: {
    hresult: 0x80040209,
    description: 'CDO.DropDirectory.GetMessages was given no folder and none is configured.',
  },
  CDO_E_INVALID_CHARSET: {
    hresult: 0x8004022b,
    description: 'A CDO.Message body part was given a Charset this library cannot write.',
  },
  CDO_E_INVALID_ENCODING_TYPE: {
    hresult: 0x800cce1d,
    description: 'A CDO.Message body part was given a ContentTransferEncoding that is not 7bit, 8bit, binary, quoted-printable or base64.',
  },
  CDO_E_BAD_DATA: {
    hresult: 0x80040229,
    description: 'Input data are inconsistent or invalid: a compressed RTF stream with a bad header, size or CRC, or RTF that cannot be read.',
  },
} as const satisfies Record<string, { hresult: number; description: string }>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}
