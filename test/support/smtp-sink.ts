import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  readonly from: string;
  readonly to: string[];
  readonly raw: Buffer;
  /** The SMTP session (connection) it arrived on. */
  readonly session: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly url: string;
  readonly messages: ReceivedMessage[];
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Require AUTH with these credentials. */
  readonly auth?: { user: string; pass: string };
  /** Reply to DATA with an error (e.g. 550) instead of accepting. */
  readonly rejectData?: (session: SMTPServerSession) => { code: number; message: string } | undefined;
  /** Reply to RCPT TO with an error for some addresses. */
  readonly rejectRecipient?: (address: string) => { code: number; message: string } | undefined;
  readonly server?: Partial<SMTPServerOptions>;
}

/** A real smtp-server on 127.0.0.1:0 that keeps what it receives. */
export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  const server = new SMTPServer({
    disabledCommands: options.auth === undefined ? ['STARTTLS', 'AUTH'] : ['STARTTLS'],
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    size: 64 * 1024 * 1024,
    maxClients: 1000,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (options.auth !== undefined && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onRcptTo(address, _session, callback) {
      const rejection = options.rejectRecipient?.(address.address);
      if (rejection === undefined) callback();
      else callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const rejection = options.rejectData?.(session);
        if (rejection !== undefined) {
          callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          from: mailFrom === false ? '' : mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          session: session.id,
        });
        callback();
      });
    },
    ...options.server,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const credentials = options.auth === undefined ? '' : `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@`;
  return {
    port,
    url: `smtp://${credentials}127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
