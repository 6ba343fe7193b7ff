import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Local delivery, as IIS did for its local domains: one file in the drop folder with the
 * local recipients' envelope lines on top, written under a temporary name and renamed.
 */
export async function writeDropFile(drop: string, name: string, from: string, recipients: readonly string[], message: Buffer): Promise<string> {
  await mkdir(drop, { recursive: true });
  const envelope = `X-Sender: ${from}\r\n${recipients.map((r) => `X-Receiver: ${r}\r\n`).join('')}`;
  const final = join(drop, name);
  const temporary = `${final}.${process.pid.toString(36)}.tmp`;
  await writeFile(temporary, Buffer.concat([Buffer.from(envelope), message]));
  await rename(temporary, final);
  return final;
}

export function isLocal(recipient: string, domains: ReadonlySet<string>): boolean {
  return domains.has(recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase());
}
