import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import type { SentMessageInfo, Transport } from 'nodemailer';
import { TransportError } from '../errors/transport-error.js';
import { crlfBytes, envelopeLines } from './mail-bytes.js';
import { isProcessAlive } from '../internal/is-process-alive.js';

export const DEFAULT_PICKUP_DIRECTORY = './mailroot/pickup';

/** A temporary file older than this is abandoned whoever wrote it. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export interface PickupTransportOptions {
  readonly directory: string;
  /** fsync each file before it is renamed into place (survives power loss, costs speed). */
  readonly fsync?: boolean;
}

export interface PickupSentMessageInfo extends SentMessageInfo {
  path: string;
}

let sequence = 0;
// Per-message costs kept small (bench/pickup.bench.ts): the time stamp is formatted once
// per millisecond, and the random bits come from a pool refilled every RANDOM_NAMES names.
let stampMs = Number.NaN;
let stampText = '';
const RANDOM_BYTES = 6;
const RANDOM_NAMES = 512;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/**
 * A name that sorts by time (UTC, to the millisecond, then a per-process counter) and
 * never collides (process id and 48 random bits).
 */
export function nextPickupName(now = new Date()): string {
  const ms = now.getTime();
  if (ms !== stampMs) {
    stampMs = ms;
    stampText = now.toISOString().replace(/[-:.]/gu, '');
  }
  sequence = (sequence + 1) % 36 ** 6;
  if (randomOffset + RANDOM_BYTES > randomPool.length) {
    randomPool = randomBytes(RANDOM_BYTES * RANDOM_NAMES);
    randomOffset = 0;
  }
  const random = randomPool.toString('hex', randomOffset, randomOffset + RANDOM_BYTES);
  randomOffset += RANDOM_BYTES;
  return `${stampText}-${sequence.toString(36).padStart(6, '0')}-${process.pid.toString(36)}-${random}`;
}

/**
 * The IIS-style pickup directory as a nodemailer transport: one `.eml` per message,
 * CRLF, `X-Sender`/`X-Receiver` envelope lines on top, no `Bcc:` header. Each file is
 * written under a temporary name and renamed into place, so a reader never sees a
 * partial message; on any failure the temporary file is removed.
 */
export class PickupTransport implements Transport<PickupSentMessageInfo> {
  readonly name = 'pickup';
  readonly version = '1';
  readonly directory: string;
  readonly #fsync: boolean;
  #ready: Promise<void> | undefined;

  constructor(options: PickupTransportOptions) {
    this.directory = resolve(options.directory);
    this.#fsync = options.fsync ?? false;
  }

  send(mail: MailMessage<PickupSentMessageInfo>, callback: (err: Error | null, info: PickupSentMessageInfo) => void): void {
    this.#write(mail).then(
      (info) => callback(null, info),
      (error: unknown) => callback(error as Error, undefined as unknown as PickupSentMessageInfo),
    );
  }

  async #write(mail: MailMessage<PickupSentMessageInfo>): Promise<PickupSentMessageInfo> {
    await this.#ensureDirectory();
    const name = nextPickupName();
    const temporary = join(this.directory, `${name}.tmp`);
    const final = join(this.directory, `${name}.eml`);
    const envelope = mail.message.getEnvelope();
    try {
      const bytes = await crlfBytes(mail, envelopeLines(mail, envelope));
      if (this.#fsync) {
        const handle = await open(temporary, 'wx');
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        await writeFile(temporary, bytes, { flag: 'wx' });
      }
      await rename(temporary, final);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw new TransportError('CDO_E_DISK_ERROR', `writing the message into ${this.directory} failed`, { transport: this.name }, { cause: error });
    }
    return { envelope, messageId: mail.message.messageId(), path: final };
  }

  #ensureDirectory(): Promise<void> {
    this.#ready ??= (async () => {
      try {
        await mkdir(this.directory, { recursive: true });
        if (!(await stat(this.directory)).isDirectory()) throw new Error('not a directory');
        await removeStaleTemporaries(this.directory);
      } catch (error) {
        this.#ready = undefined; // retry next time: the directory may be fixed meanwhile
        throw new TransportError('CDO_E_NO_PICKUP_DIR', `the pickup directory ${this.directory} cannot be used`, { transport: this.name }, { cause: error });
      }
    })();
    return this.#ready;
  }
}

/**
 * Removes the temporary files of writers that died mid-write (kill -9, power loss): the
 * process named in the file name is gone, or the file is older than an hour. A live
 * writer's file is left alone. They were never visible as `.eml`, so nothing is lost.
 */
export async function removeStaleTemporaries(directory: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(directory)) {
    if (!name.endsWith('.tmp')) continue;
    const pid = Number.parseInt(name.split('-')[2] ?? '', 36);
    const path = join(directory, name);
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => undefined);
    if (age === undefined) continue;
    if ((pid !== process.pid && !isProcessAlive(pid)) || age > STALE_TEMP_MS) {
      await unlink(path).then(() => removed++, () => undefined);
    }
  }
  return removed;
}

