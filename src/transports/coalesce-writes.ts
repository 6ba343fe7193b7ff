import type { Socket } from 'node:net';

/** How many turns the first byte of a burst waits at most while the writer keeps writing. */
export const MAX_HELD_TURNS = 16;

/**
 * Makes `socket` send what is written to it in bursts with one system call per burst.
 * nodemailer writes each message as about ten small chunks (the SMTP commands, the
 * headers, every boundary and encoded part, the final dot), spread over several turns of
 * the event loop, and a plain socket makes a write(2) of each: in the send-pipeline profile
 * those calls took a fifth of the main thread's time (bench/README.md).
 *
 * The first write corks the socket; it is uncorked, and everything waiting leaves in one
 * writev(2), as soon as a turn passes without another write — or once the waiting bytes
 * reach the high-water mark, or after MAX_HELD_TURNS turns, so a steady writer is never
 * held long. An SMTP command (one write, then the client waits for the reply) leaves on
 * the next turn; a whole message body leaves in about one call.
 *
 * end() flushes at once and destroy() drops as before. A TLS socket layered on top
 * (STARTTLS) writes to the handle underneath, not through here. Call it once the socket
 * is connected: net.Socket#connect() resets an instance's `write` to the prototype's,
 * which is also why this is not a subclass.
 */
export function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  let wroteSince = false;
  let heldTurns = 0;
  const flushWhenQuiet = (): void => {
    heldTurns++;
    if (wroteSince && heldTurns < MAX_HELD_TURNS && socket.writableLength < socket.writableHighWaterMark) {
      wroteSince = false;
      setImmediate(flushWhenQuiet);
      return;
    }
    corked = false;
    socket.uncork();
  };
  socket.write = (...args: unknown[]): boolean => {
    if (corked) wroteSince = true;
    else {
      corked = true;
      wroteSince = false;
      heldTurns = 0;
      socket.cork();
      setImmediate(flushWhenQuiet);
    }
    return write(...args);
  };
}
