import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { requires } from './requirement.js';

/** Debian's python3 (not a pyenv one), where python3-dkim lives. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Why DKIM tests cannot run here, or false. Under CI=true a missing verifier is a failure, not a skip. */
export function dkimVerifierMissing(): string | false {
  return requires(`python3-dkim for ${DEBIAN_PYTHON}`, existsSync(DEBIAN_PYTHON) && existsSync('/usr/lib/python3/dist-packages/dkim/__init__.py'));
}

export interface TestDkimKey {
  readonly domainName: string;
  readonly keySelector: string;
  readonly privateKey: string;
  /** The TXT record published at keySelector._domainkey.domainName. */
  readonly txt: string;
}

/** A fresh 2048-bit RSA key and its DNS record. */
export function makeDkimKey(domainName: string, keySelector: string): TestDkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { domainName, keySelector, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), txt: `v=DKIM1; k=rsa; p=${p}` };
}

const VERIFY = `
import dkim, json, re, sys
records = json.loads(sys.argv[1])
# A Maildir file has LF line endings; the signed form is CRLF
message = re.sub(rb'\\r?\\n', b'\\r\\n', sys.stdin.buffer.read())
def dnsfunc(name, timeout=5):
    return records.get(name.decode('ascii').rstrip('.'), '').encode('ascii') or None
verifier = dkim.DKIM(message)
count = sum(1 for line in message.split(b'\\r\\n\\r\\n', 1)[0].split(b'\\r\\n') if line.lower().startswith(b'dkim-signature:'))
def verify(i):
    try:
        return bool(verifier.verify(idx=i, dnsfunc=dnsfunc))
    except dkim.DKIMException:
        return False
print(json.dumps([verify(i) for i in range(count)]))
`;

/**
 * Verifies every DKIM-Signature of `message` with python3-dkim (an independent
 * implementation), looking keys up in `keys` instead of DNS. One boolean per signature.
 */
export function verifyDkim(message: Buffer, keys: readonly TestDkimKey[]): Promise<boolean[]> {
  const records = Object.fromEntries(keys.map((k) => [`${k.keySelector}._domainkey.${k.domainName}`, k.txt]));
  return new Promise((resolve, reject) => {
    const child = execFile(DEBIAN_PYTHON, ['-c', VERIFY, JSON.stringify(records)], { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`python3-dkim failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as boolean[]);
    });
    child.stdin?.on('error', () => undefined); // a verifier that died early reports through its exit
    child.stdin?.end(message);
  });
}
