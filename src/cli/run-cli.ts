import { isCdoError } from '../errors/cdo-error.js';
import { close } from '../default-mailer.js';
import { processIo, type CliIo } from './cli-io.js';
import { ExitCode } from './exit-codes.js';
import { sendCommand } from './send-command.js';
import { relayCommand } from './relay-command.js';
import { inboxCommand } from './inbox-command.js';
import { workerCommand } from './worker-command.js';
import { convertCommand } from './convert-command.js';
import { UsageError } from './usage-error.js';

export const USAGE = `Usage: cdonts <command> [options]

Commands:
  send      send one message (cdonts send --help)
  relay     deliver the pickup directory over SMTP (cdonts relay --help)
  inbox     see the mail you sent, in a local web page (cdonts inbox --help)
  worker    deliver what the redis:// (or redis+cluster://) queue transport enqueued (cdonts worker --help)
  convert   convert a body: html, markdown, text, rtf (cdonts convert --help)

Run 'cdonts <command> --help' for a command's options.`;

const DELIVERY_CODES = new Set([
  'CDO_E_SENDER_REJECTED', 'CDO_E_RECIPIENTS_REJECTED', 'CDO_E_SMTP_SEND_FAILED', 'CDO_E_CONNECTION_DROPPED',
  'CDO_E_FAILED_TO_CONNECT', 'CDO_E_AUTHENTICATION_FAILURE', 'CDO_E_DISK_ERROR', 'CDO_E_NO_PICKUP_DIR',
]);

/** Runs the CLI and returns its exit code; errors become one line on stderr, never a stack trace. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'send':
        return await sendCommand(rest, io);
      case 'worker':
        return await workerCommand(rest, io, io === processIo && process.stderr.isTTY === true);
      case 'inbox':
        return await inboxCommand(rest, io);
      case 'convert':
        return await convertCommand(rest, io);
      case 'relay':
        return await relayCommand(rest, io, io === processIo && process.stderr.isTTY === true);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? ExitCode.Usage : ExitCode.Ok;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}; try 'cdonts --help'`);
    }
  } catch (error) {
    return report(error, io);
  } finally {
    await close();
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`cdonts: ${error.message.replace(/\s*\n\s*/gu, ' ')}`); // always one line
    return ExitCode.Usage;
  }
  if (isCdoError(error)) {
    io.err(`cdonts: ${error.code}: ${error.message}`);
    if (DELIVERY_CODES.has(error.code)) return ExitCode.SendFailed;
    return error.code === 'CDO_E_NOT_FOUND' || error.code === 'CDO_E_NO_ACCESS' ? ExitCode.Input : ExitCode.Usage;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    io.err(`cdonts: cannot read input: ${(error as Error).message}`);
    return ExitCode.Input;
  }
  io.err(`cdonts: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  return ExitCode.SendFailed;
}
