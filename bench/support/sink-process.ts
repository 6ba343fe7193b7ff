// An SMTP sink in its own process (as a real server would be), counting what it accepts.
// Prints its port; answers "count" on stdin with the number of messages received.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

let received = 0;
const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  maxClients: 1000,
  closeTimeout: 100,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received++;
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.server.address() as AddressInfo).port}\n`);
});
process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString().trim() === 'count') process.stdout.write(`${received}\n`);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
