import { CdoError } from '../errors/cdo-error.js';

export interface RedisTarget {
  /** ioredis connection options: host/port/db…, or `sentinels` + `name` for Redis Sentinel. */
  readonly connection: Record<string, unknown>;
  readonly queue: string;
}

/** What the queue transport and the worker accept besides a URL. */
export interface RedisQueueOptions {
  /** ioredis connection options (host, port, db, password, tls, or sentinels + name). */
  readonly redis: Record<string, unknown>;
  /** The BullMQ queue name. Default "cdonts-mail". */
  readonly queue?: string;
}

export function redisTarget(spec: string | RedisQueueOptions): RedisTarget {
  if (typeof spec === 'string') return parseRedisUrl(spec);
  if (typeof spec !== 'object' || spec === null || typeof spec.redis !== 'object' || spec.redis === null) {
    throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'queue options need a redis object (ioredis connection options)');
  }
  const queue = spec.queue ?? DEFAULT_QUEUE;
  if (!/^[\w.-]{1,100}$/u.test(queue)) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'queue names are letters, digits, dots, dashes and underscores');
  return { connection: { ...spec.redis }, queue };
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
