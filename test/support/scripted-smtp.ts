import { createServer, type AddressInfo, type Socket } from 'node:net';

/** How the server answers; change it between sends to make a server recover. */
export interface SmtpScript {
  /** The greeting; null never greets. */
  greeting?: string | null;
  mail?: string;
  rcpt?: string;
  data?: string;
  /** The reply after the final '.'. */
  dataEnd?: string;
  /** Close the connection after the first chunk of message data. */
  dropMidData?: boolean;
  /** Wait this long before every reply. */
  delayMs?: number;
}

export interface ScriptedSmtp {
  readonly port: number;
  script: SmtpScript;
  readonly received: string[];
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A deliberately small SMTP server on 127.0.0.1:0 that misbehaves on request: it speaks
 * just enough of RFC 5321 for nodemailer, and answers from `script`.
 */
export async function startScriptedSmtp(initial: SmtpScript = {}): Promise<ScriptedSmtp> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  let connections = 0;
  const state: { script: SmtpScript } = { script: initial };
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const send = (line: string): void => {
      const delay = state.script.delayMs ?? 0;
      const write = (): void => {
        if (!socket.destroyed) socket.write(`${line}\r\n`);
      };
      if (delay > 0) setTimeout(write, delay);
      else write();
    };
    if (state.script.greeting !== null) send(state.script.greeting ?? '220 scripted ESMTP');
    let buffer = '';
    let inData = false;
    let message = '';
    socket.on('data', (chunk: Buffer) => {
      if (inData) {
        if (state.script.dropMidData === true) {
          socket.destroy();
          return;
        }
        message += chunk.toString('latin1');
        const end = message.indexOf('\r\n.\r\n');
        if (end < 0) return;
        inData = false;
        buffer = message.slice(end + 5);
        received.push(message.slice(0, end + 2));
        message = '';
        send(state.script.dataEnd ?? '250 2.0.0 queued');
      } else {
        buffer += chunk.toString('latin1');
      }
      let newline: number;
      while (!inData && (newline = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.split(/[ :]/u)[0]?.toUpperCase();
        switch (verb) {
          case 'EHLO':
          case 'HELO':
            send('250 scripted');
            break;
          case 'MAIL':
            send(state.script.mail ?? '250 2.1.0 ok');
            break;
          case 'RCPT':
            send(state.script.rcpt ?? '250 2.1.5 ok');
            break;
          case 'DATA': {
            const reply = state.script.data ?? '354 go ahead';
            send(reply);
            if (reply.startsWith('354')) {
              inData = true;
              message = buffer;
              buffer = '';
            }
            break;
          }
          case 'QUIT':
            send('221 bye');
            socket.end();
            break;
          default:
            send('250 ok');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get script() {
      return state.script;
    },
    set script(next: SmtpScript) {
      state.script = next;
    },
    received,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
