import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import type { SentMessageInfo, Transport } from 'nodemailer';
import { crlfBytes } from './mail-bytes.js';

export interface StoredMessage {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly messageId: string;
  /** The full message, CRLF, exactly as a pickup file would hold it (without envelope lines). */
  readonly raw: Buffer;
}

/** Keeps messages in memory: for tests and `--dry-run`. */
export class MemoryTransport implements Transport {
  readonly name = 'memory';
  readonly version = '1';
  readonly #messages: StoredMessage[] = [];

  get messages(): readonly StoredMessage[] {
    return this.#messages;
  }

  clear(): void {
    this.#messages.length = 0;
  }

  send(mail: MailMessage, callback: (err: Error | null, info: SentMessageInfo) => void): void {
    const envelope = mail.message.getEnvelope();
    const messageId = mail.message.messageId();
    crlfBytes(mail).then(
      (raw) => {
        this.#messages.push({ envelope: { from: envelope.from === false ? '' : envelope.from, to: [...envelope.to] }, messageId, raw });
        callback(null, { envelope, messageId });
      },
      (error: unknown) => callback(error as Error, undefined as unknown as SentMessageInfo),
    );
  }
}
