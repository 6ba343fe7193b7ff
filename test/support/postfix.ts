import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './redis-server.js';
import { requires } from './requirement.js';

const run = promisify(execFile);
const MASTER = '/usr/lib/postfix/sbin/master';

/**
 * Why a private Postfix cannot run here, or false. Under CI=true a missing Postfix is a
 * failure (the test runs and fails), never a skip.
 */
export function postfixMissing(): string | false {
  return (
    requires('postfix (Debian package postfix)', existsSync('/usr/sbin/postfix') && existsSync(MASTER)) ||
    requires('root (a private Postfix master drops privileges to the postfix user)', process.getuid?.() === 0)
  );
}

export interface PostfixOptions {
  /** smtpd_recipient_limit: RCPT TO beyond this gets `452 4.5.3 Error: too many recipients`. */
  readonly recipientLimit?: number;
  /** PEM files for STARTTLS (smtpd_tls_security_level = may). */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
}

export interface DeliveredMessage {
  /** The Delivered-To address Postfix's virtual agent stamped on this copy. */
  readonly recipient: string;
  readonly raw: Buffer;
}

export interface PrivatePostfix {
  readonly port: number;
  readonly url: string;
  /** The domain it accepts mail for (every address there goes to one Maildir). */
  readonly domain: string;
  readonly directory: string;
  /** Every message in the Maildir (new/), as delivered, one per recipient. */
  maildir(): Promise<DeliveredMessage[]>;
  /** Waits until the Maildir holds at least `count` messages. */
  waitForMessages(count: number, timeoutMs?: number): Promise<DeliveredMessage[]>;
  /** The instance's log (maillog_file), for failure messages. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A private, loopback-only Postfix for one test: its own config_directory, queue and data
 * directories under `root`, smtpd on 127.0.0.1 at a free port, no chroot, every address of
 * `cdonts.test` delivered by the virtual agent into one Maildir (as the postfix user),
 * anything else refused (`default_transport = error`), and strict input rules (bare LF
 * rejected; Bcc/X-Sender/X-Receiver headers rejected), so a leaked envelope line fails.
 * The master runs in the foreground (`master -d`) and is stopped with SIGTERM.
 */
export async function startPostfix(root: string, options: PostfixOptions = {}): Promise<PrivatePostfix> {
  const { stdout: ids } = await run('id', ['-u', 'postfix']);
  const { stdout: gids } = await run('id', ['-g', 'postfix']);
  const uid = Number(ids.trim());
  const gid = Number(gids.trim());
  const config = join(root, 'config');
  const queue = join(root, 'queue');
  const data = join(root, 'data');
  const mail = join(root, 'mail');
  await chmod(root, 0o755); // the postfix user traverses it
  await Promise.all([mkdir(config, { recursive: true }), mkdir(data, { recursive: true }), mkdir(join(mail, 'box'), { recursive: true })]);
  for (const sub of ['pid', 'public', 'private', 'maildrop', 'incoming', 'active', 'deferred', 'defer', 'bounce', 'corrupt', 'hold', 'flush', 'saved', 'trace']) {
    await mkdir(join(queue, sub), { recursive: true });
    if (sub !== 'pid') await chown(join(queue, sub), uid, gid);
  }
  await Promise.all([chown(data, uid, gid), chown(mail, uid, gid), chown(join(mail, 'box'), uid, gid)]);
  const port = await freePort();
  const domain = 'cdonts.test';
  await writeFile(join(config, 'header_checks'), '/^(Bcc|X-Sender|X-Receiver):/ REJECT envelope or blind header in the message\n');
  const main = [
    'compatibility_level = 3.6',
    `queue_directory = ${queue}`,
    `data_directory = ${data}`,
    'mail_owner = postfix',
    'setgid_group = postdrop',
    'myhostname = mx.cdonts.test',
    'mydomain = cdonts.test',
    'myorigin = $mydomain',
    'mydestination =',
    'inet_interfaces = 127.0.0.1',
    'inet_protocols = ipv4',
    'mynetworks = 127.0.0.0/8',
    'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
    'smtpd_peername_lookup = no',
    'relay_domains =',
    'alias_maps =',
    'alias_database =',
    'local_recipient_maps =',
    'default_transport = error:this test Postfix delivers nothing off the machine',
    'relay_transport = error:this test Postfix delivers nothing off the machine',
    `virtual_mailbox_domains = ${domain}`,
    `virtual_mailbox_base = ${mail}`,
    'virtual_mailbox_maps = static:box/',
    `virtual_uid_maps = static:${uid}`,
    `virtual_gid_maps = static:${gid}`,
    'virtual_minimum_uid = 1',
    'message_size_limit = 52428800',
    'virtual_mailbox_limit = 0',
    `smtpd_recipient_limit = ${options.recipientLimit ?? 1000}`,
    'smtpd_forbid_bare_newline = yes',
    `header_checks = regexp:${join(config, 'header_checks')}`,
    `maillog_file = ${join(root, 'maillog')}`,
    `maillog_file_prefixes = ${root}`,
    'biff = no',
    'smtputf8_enable = no',
    ...(options.tls === undefined ? [] : ['smtpd_tls_security_level = may', 'smtpd_tls_loglevel = 1', `smtpd_tls_cert_file = ${options.tls.certPath}`, `smtpd_tls_key_file = ${options.tls.keyPath}`]),
  ];
  const master = [
    `127.0.0.1:${port} inet n - n - - smtpd`,
    'cleanup unix n - n - 0 cleanup',
    'qmgr unix n - n 300 1 qmgr',
    'tlsmgr unix - - n 1000? 1 tlsmgr',
    'rewrite unix - - n - - trivial-rewrite',
    'bounce unix - - n - 0 bounce',
    'defer unix - - n - 0 bounce',
    'trace unix - - n - 0 bounce',
    'verify unix - - n - 1 verify',
    'flush unix n - n 1000? 0 flush',
    'proxymap unix - - n - - proxymap',
    'smtp unix - - n - - smtp',
    'relay unix - - n - - smtp',
    'showq unix n - n - - showq',
    'error unix - - n - - error',
    'retry unix - - n - - error',
    'discard unix - - n - - discard',
    'virtual unix - n n - - virtual',
    'anvil unix - - n - 1 anvil',
    'scache unix - - n - 1 scache',
    'postlog unix-dgram n - n - 1 postlogd',
  ];
  await writeFile(join(config, 'main.cf'), `${main.join('\n')}\n`);
  await writeFile(join(config, 'master.cf'), `${master.join('\n')}\n`);
  const child: ChildProcess = spawn(MASTER, ['-c', config, '-d'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MAIL_CONFIG: config } });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killed);
  };
  try {
    await Promise.race([
      waitForPort(port, 20_000),
      exited.then(() => {
        throw new Error(`postfix master exited at start: ${stderr}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const box = join(mail, 'box', 'new');
  const maildir = async (): Promise<DeliveredMessage[]> => {
    const names = await readdir(box).catch(() => [] as string[]);
    return Promise.all(
      names.sort().map(async (name) => {
        const raw = await readFile(join(box, name));
        const recipient = /^Delivered-To: (.+)$/mu.exec(raw.toString('latin1'))?.[1]?.trim() ?? '';
        return { recipient, raw };
      }),
    );
  };
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    domain,
    directory: root,
    maildir,
    async waitForMessages(count, timeoutMs = 30_000) {
      const started = Date.now();
      for (;;) {
        const messages = await maildir();
        if (messages.length >= count || Date.now() - started > timeoutMs) return messages;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    log: () => readFile(join(root, 'maillog'), 'utf8').catch(() => ''),
    stop,
  };
}
