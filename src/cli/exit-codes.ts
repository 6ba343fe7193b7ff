/** The CLI's exit codes, documented in the README. */
export const ExitCode = {
  Ok: 0,
  /** Delivery failed: the transport refused or could not be reached. */
  SendFailed: 1,
  /** Bad arguments or an invalid message (bad address, CR/LF in a header…). */
  Usage: 2,
  /** A file named on the command line could not be read. */
  Input: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
