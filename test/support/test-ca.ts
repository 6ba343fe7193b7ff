import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCa {
  /** PEM of the private CA, for `tls: { ca }`. */
  readonly ca: string;
  /** The server's key and certificate (signed by the CA; 127.0.0.1 and localhost). */
  readonly key: string;
  readonly cert: string;
  readonly caPath: string;
  readonly keyPath: string;
  readonly certPath: string;
}

/** A private CA and a server certificate for 127.0.0.1/localhost, made with openssl in `dir`. */
export async function makeTestCa(dir: string): Promise<TestCa> {
  const caKeyPath = join(dir, 'ca.key');
  const caPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'server.key');
  const csrPath = join(dir, 'server.csr');
  const certPath = join(dir, 'server.pem');
  const extPath = join(dir, 'server.ext');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKeyPath, '-out', caPath, '-days', '2', '-subj', '/CN=cdonts test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', '/CN=localhost']);
  await writeFile(extPath, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', csrPath, '-CA', caPath, '-CAkey', caKeyPath, '-CAcreateserial', '-out', certPath, '-days', '2', '-extfile', extPath]);
  const [ca, key, cert] = await Promise.all([readFile(caPath, 'utf8'), readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  return { ca, key, cert, caPath, keyPath, certPath };
}
