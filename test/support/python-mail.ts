import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PythonPart {
  readonly type: string;
  readonly charset: string | null;
  readonly filename: string | null;
  readonly cid: string | null;
  readonly location: string | null;
  readonly text: string | null;
  readonly size: number;
}

export interface PythonMail {
  readonly headers: Record<string, string>;
  readonly type: string;
  readonly parts: PythonPart[];
  readonly defects: number;
}

const SCRIPT = `
import sys, json, email
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
parts = []
defects = len(msg.defects)
for part in msg.walk():
    defects += len(part.defects)
    if part.is_multipart():
        parts.append({'type': part.get_content_type(), 'charset': None, 'filename': None, 'cid': None, 'location': None, 'text': None, 'size': 0})
        continue
    payload = part.get_payload(decode=True) or b''
    text = part.get_content() if part.get_content_maintype() == 'text' else None
    parts.append({'type': part.get_content_type(), 'charset': part.get_content_charset(), 'filename': part.get_filename(),
                  'cid': part.get('Content-ID'), 'location': part.get('Content-Location'), 'text': text, 'size': len(payload)})
headers = {k.lower(): str(v) for k, v in msg.items()}
print(json.dumps({'headers': headers, 'type': msg.get_content_type(), 'parts': parts, 'defects': defects}))
`;

/** Reads a raw message with Python's `email` package (policy.default), as a second, independent parser. */
export async function pythonMail(raw: Buffer, dir: string): Promise<PythonMail> {
  const path = join(dir, `python-${Date.now()}-${Math.random().toString(36).slice(2)}.eml`);
  await writeFile(path, raw);
  const { stdout } = await run('python3', ['-c', SCRIPT, path]);
  return JSON.parse(stdout) as PythonMail;
}
