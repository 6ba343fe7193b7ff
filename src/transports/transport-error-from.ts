import { isCdoError, type CdoError } from '../errors/cdo-error.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { TransportError } from '../errors/transport-error.js';

interface NodemailerErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  rejected?: unknown;
  message?: unknown;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EDNS', 'ETLS', 'EADDRNOTAVAIL']);
const DROPPED_CODES = new Set(['ETIMEDOUT', 'ESOCKET', 'ECONNECTION', 'ECONNRESET', 'EPIPE']);

/** Maps whatever a nodemailer transport rejected with to a typed TransportError. */
export function transportErrorFrom(error: unknown, transport: string): CdoError {
  if (isCdoError(error)) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as NodemailerErrorFields;
  const smtpCode = typeof fields.code === 'string' ? fields.code : undefined;
  const command = typeof fields.command === 'string' ? fields.command : undefined;
  const responseCode = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  const response = typeof fields.response === 'string' ? fields.response : undefined;
  const rejected = Array.isArray(fields.rejected) ? fields.rejected.filter((r): r is string => typeof r === 'string') : undefined;
  const code = classify(smtpCode, command);
  const detail = response ?? (typeof fields.message === 'string' ? fields.message : 'unknown error');
  const message = `${transport}: ${describe(code)}${command === undefined ? '' : ` at ${command}`}: ${detail}`;
  return new TransportError(code, message, { transport, responseCode, response, command, smtpCode, rejected }, { cause: error });
}

function classify(smtpCode: string | undefined, command: string | undefined): ErrorCode {
  if (smtpCode === 'EAUTH' || smtpCode === 'ENOAUTH') return 'CDO_E_AUTHENTICATION_FAILURE';
  if (smtpCode === 'EENVELOPE') {
    return command !== undefined && /^MAIL\b/iu.test(command) ? 'CDO_E_SENDER_REJECTED' : 'CDO_E_RECIPIENTS_REJECTED';
  }
  // nodemailer labels an unexpected close 'CONN' whatever the phase: it is a drop.
  if (smtpCode === 'ECONNECTION') return 'CDO_E_CONNECTION_DROPPED';
  if (command === 'CONN' || (smtpCode !== undefined && CONNECT_CODES.has(smtpCode))) return 'CDO_E_FAILED_TO_CONNECT';
  if (smtpCode !== undefined && DROPPED_CODES.has(smtpCode)) return 'CDO_E_CONNECTION_DROPPED';
  return 'CDO_E_SMTP_SEND_FAILED';
}

function describe(code: ErrorCode): string {
  switch (code) {
    case 'CDO_E_AUTHENTICATION_FAILURE':
      return 'authentication failed';
    case 'CDO_E_SENDER_REJECTED':
      return 'sender rejected';
    case 'CDO_E_RECIPIENTS_REJECTED':
      return 'recipients rejected';
    case 'CDO_E_FAILED_TO_CONNECT':
      return 'could not connect';
    case 'CDO_E_CONNECTION_DROPPED':
      return 'connection lost';
    default:
      return 'send failed';
  }
}
