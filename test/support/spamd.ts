import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, waitForPort } from './redis-server.js';
import { requires } from './requirement.js';

/** Why SpamAssassin cannot run here, or false. Under CI=true a missing one is a failure, not a skip. */
export function spamassassinMissing(): string | false {
  return requires('spamassassin (Debian packages spamassassin, spamd, spamc)', existsSync('/usr/sbin/spamd') && existsSync('/usr/bin/spamc'));
}

export interface SpamScore {
  readonly score: number;
  /** The rules that fired (names, as in SpamAssassin's report). */
  readonly rules: readonly string[];
}

export interface Spamd {
  score(message: Buffer): Promise<SpamScore>;
  stop(): Promise<void>;
}

/**
 * Debian's spamd on a free 127.0.0.1 port, local tests only (-L: no DNS, no network
 * rules), no user configuration; messages are scored through spamc, a child per core.
 * Loading the rules once makes scoring a corpus take seconds, not minutes.
 */
export async function startSpamd(home: string): Promise<Spamd> {
  const port = await freePort();
  const child = spawn('/usr/sbin/spamd', ['-L', '-x', `--listen=127.0.0.1:${port}`, '--allowed-ips=127.0.0.1', '-m', '2', '--min-spare=2', '--max-spare=2', '-s', 'stderr', `--helper-home-dir=${home}`, '-u', 'nobody'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await Promise.race([waitForPort(port, 90_000), exited.then(() => Promise.reject(new Error(`spamd exited at start: ${stderr}`)))]);
  } catch (error) {
    await stop();
    throw error;
  }
  const score = (message: Buffer): Promise<SpamScore> =>
    new Promise((resolve, reject) => {
      const spamc = execFile('/usr/bin/spamc', ['-d', '127.0.0.1', '-p', String(port), '-R', '-x', '-s', '20000000'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 24 }, (error, stdout) => {
        // spamc -R exits 0 (ham) or 1 (spam); anything else is a failure to score
        if (error !== null && error.code !== 1) {
          reject(new Error(`spamc failed: ${error.message}; spamd: ${stderr}`));
          return;
        }
        const total = /^(-?\d+(?:\.\d+)?)\/\d/u.exec(stdout);
        if (total === null) {
          reject(new Error(`spamc gave no score: ${stdout.slice(0, 500)}`));
          return;
        }
        const rules = [...stdout.matchAll(/^\s*-?\d+(?:\.\d+)?\s+([A-Z][A-Z0-9_]+)\s/gmu)].map((m) => m[1] ?? '');
        resolve({ score: Number(total[1]), rules });
      });
      spamc.stdin?.on('error', () => undefined); // a spamc that died early reports through its exit
      spamc.stdin?.end(message);
    });
  return { score, stop };
}
