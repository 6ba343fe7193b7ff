import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MAX_HELD_TURNS, coalesceWrites } from '../src/transports/coalesce-writes.js';

interface Peer {
  readonly client: Socket;
  /** Everything the server side has received so far. */
  readonly received: () => Buffer;
  /** Resolves once the server side has received `length` bytes in all. */
  readonly receivedAtLeast: (length: number) => Promise<Buffer>;
  /** Resolves when the server side sees the client's end. */
  readonly ended: Promise<void>;
}

async function connectedPair(t: TestContext): Promise<Peer> {
  const chunks: Buffer[] = [];
  const waiters: Array<() => void> = [];
  let ended!: () => void;
  const endedPromise = new Promise<void>((resolve) => (ended = resolve));
  const accepted: Socket[] = [];
  const server: Server = createServer((socket) => {
    accepted.push(socket);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      for (const wake of waiters.splice(0)) wake();
    });
    socket.on('end', () => {
      ended();
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of accepted) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  const client = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
  t.after(() => client.destroy());
  coalesceWrites(client);
  const received = (): Buffer => Buffer.concat(chunks);
  const receivedAtLeast = async (length: number): Promise<Buffer> => {
    while (received().length < length) await new Promise<void>((resolve) => waiters.push(resolve));
    return received();
  };
  return { client, received, receivedAtLeast, ended: endedPromise };
}

test('a burst of writes is held together and leaves, in order, once a turn passes without another write', async (t) => {
  const { client, receivedAtLeast } = await connectedPair(t);
  client.write('MAIL FROM:<a@example.com>\r\n');
  client.write(Buffer.from('RCPT TO:<b@example.com>\r\n'));
  client.write('DATA\r\n', 'latin1');
  assert.equal(client.writableCorked, 1, 'the socket is corked');
  assert.equal(client.writableLength, 58, 'nothing has left yet');
  await nextTurn();
  await nextTurn();
  assert.equal(client.writableCorked, 0, 'a quiet turn uncorked it');
  assert.equal(String(await receivedAtLeast(58)), 'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n');
});

test('a lone write (an SMTP command, then the client waits) leaves on the next turn', async (t) => {
  const { client, receivedAtLeast } = await connectedPair(t);
  for (let turn = 0; turn < 5; turn++) {
    client.write(`line ${turn}\r\n`);
    assert.equal(client.writableLength, 8);
    await nextTurn();
    assert.equal(client.writableLength, 0, `turn ${turn}: flushed by the next turn without another write`);
  }
  assert.equal(String(await receivedAtLeast(40)), 'line 0\r\nline 1\r\nline 2\r\nline 3\r\nline 4\r\n');
});

// nodemailer's message stream schedules its next chunk (setImmediate) and then writes this
// one, so its next write comes before the socket's check in the following turn.
test('a writer that writes in every turn is held while it writes, and flushed the turn after it stops', async (t) => {
  const { client, receivedAtLeast } = await connectedPair(t);
  for (let turn = 0; turn < 6; turn++) {
    const next = nextTurn();
    client.write(`chunk ${turn};`);
    await next;
    assert.equal(client.writableLength, 8 * (turn + 1), `turn ${turn}: still gathering`);
  }
  await nextTurn();
  assert.equal(client.writableLength, 0, 'a quiet turn sent the whole burst');
  assert.equal(String(await receivedAtLeast(48)), 'chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;chunk 5;');
});

test(`a steady trickle is never held more than ${MAX_HELD_TURNS} turns`, async (t) => {
  const { client, receivedAtLeast } = await connectedPair(t);
  let mostGathered = 0; // writes waiting together; the first of them has waited one turn less
  let gathered = 0;
  for (let turn = 0; turn < 4 * MAX_HELD_TURNS; turn++) {
    const next = nextTurn();
    client.write('.');
    gathered = client.writableLength === 1 ? 1 : gathered + 1;
    mostGathered = Math.max(mostGathered, gathered);
    await next;
  }
  assert.equal(mostGathered, MAX_HELD_TURNS + 1, 'gathered, and sent once the first byte had waited MAX_HELD_TURNS turns');
  assert.equal((await receivedAtLeast(4 * MAX_HELD_TURNS)).length, 4 * MAX_HELD_TURNS);
});

test('bytes at the high-water mark go out at the next turn even while the writer goes on', async (t) => {
  const { client, receivedAtLeast } = await connectedPair(t);
  client.write(Buffer.alloc(client.writableHighWaterMark, 'x'));
  await nextTurn();
  client.write('y');
  assert.equal(client.writableLength, 1, 'the full buffer left; only the new write waits');
  await nextTurn();
  await nextTurn();
  assert.equal((await receivedAtLeast(client.writableHighWaterMark + 1)).length, client.writableHighWaterMark + 1);
});

test('write callbacks still run, in order, once the bytes are handed to the kernel', async (t) => {
  const { client } = await connectedPair(t);
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    client.write('a', () => order.push('a'));
    client.write('b', 'utf8', () => order.push('b'));
    client.write('c', () => {
      order.push('c');
      resolve();
    });
  });
  assert.deepEqual(order, ['a', 'b', 'c']);
});

test('end() in the same turn as the writes sends them all before the end', async (t) => {
  const peer = await connectedPair(t);
  peer.client.write('QUIT');
  peer.client.end('\r\n');
  await peer.ended;
  assert.equal(String(peer.received()), 'QUIT\r\n');
});

test('a socket destroyed while corked drops its writes quietly; the pending flush is harmless', async (t) => {
  const { client } = await connectedPair(t);
  let errors = 0;
  client.on('error', () => errors++);
  client.write('never sent');
  client.destroy();
  await nextTurn();
  await nextTurn();
  assert.equal(client.destroyed, true);
  assert.equal(errors, 0);
});

test('megabytes written in many turns arrive whole and in order (backpressure still works)', async (t) => {
  const { client, receivedAtLeast } = await connectedPair(t);
  const data = randomBytes(4 * 1024 * 1024);
  let offset = 0;
  let sawBackpressure = false;
  while (offset < data.length) {
    const chunk = data.subarray(offset, offset + 1000 + (offset % 7919));
    offset += chunk.length;
    if (!client.write(chunk)) {
      sawBackpressure = true;
      await new Promise((resolve) => client.once('drain', resolve));
    } else if (offset % 5 === 0) await nextTurn();
  }
  assert.ok(sawBackpressure, 'the writer was asked to wait at least once');
  assert.ok((await receivedAtLeast(data.length)).equals(data));
});
