import { CdoError } from '../errors/cdo-error.js';

export interface RedisTarget {
  readonly connection: { host: string; port: number; db: number; username?: string; password?: string; tls?: object };
  readonly queue: string;
}

export const DEFAULT_QUEUE = 'cdonts-mail';

/** redis://[user:pass@]host:port/DB?queue=NAME (rediss:// for TLS). */
export function parseRedisUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'not a redis:// URL', { cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new CdoError('CDO_E_INVALID_SEND_OPTION', `expected redis:// or rediss://, got ${parsed.protocol}`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new CdoError('CDO_E_INVALID_SEND_OPTION', `the Redis database must be a number, got ${parsed.pathname.slice(1)}`);
  const queue = parsed.searchParams.get('queue') ?? DEFAULT_QUEUE;
  if (!/^[\w.-]{1,100}$/u.test(queue)) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'queue names are letters, digits, dots, dashes and underscores');
  return {
    connection: {
      host: parsed.hostname || '127.0.0.1',
      port: Number(parsed.port || 6379),
      db,
      ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    queue,
  };
}
