import type { Socket } from 'node:net';

/**
 * Makes `socket` send everything written to it in one turn of the event loop with one
 * system call. nodemailer writes each message as about ten small chunks (the SMTP
 * commands, the headers, every boundary and encoded part, the final dot), and a plain
 * socket makes a write(2) of each: in the send-pipeline profile those calls took a fifth
 * of the main thread's time (bench/README.md). Corked until the next turn, the chunks of
 * one turn leave together in one writev(2), and in fewer TCP segments.
 *
 * Nothing waits longer than that one turn; end() flushes at once and destroy() drops as
 * before. A TLS socket layered on top (STARTTLS) writes to the handle underneath, not
 * through here. Call it once the socket is connected: net.Socket#connect() resets an
 * instance's `write` to the prototype's, which is also why this is not a subclass.
 */
export function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const flush = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = (...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(flush);
    }
    return write(...args);
  };
}
