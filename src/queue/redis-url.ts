import { CdoError } from '../errors/cdo-error.js';
import { queueName, queuePrefix } from './queue-naming.js';
import type { RedisTarget } from './redis-target.js';

/** redis://[user:pass@]host:port/DB?queue=NAME&prefix=P (rediss:// for TLS). */
export function parseRedisUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'not a redis:// URL', { cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new CdoError('CDO_E_INVALID_SEND_OPTION', `expected redis://, rediss:// or redis+cluster://, got ${parsed.protocol}`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new CdoError('CDO_E_INVALID_SEND_OPTION', `the Redis database must be a number, got ${parsed.pathname.slice(1)}`);
  return {
    kind: 'redis',
    connection: {
      host: parsed.hostname || '127.0.0.1',
      port: Number(parsed.port || 6379),
      db,
      ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    queue: queueName(parsed.searchParams.get('queue')),
    prefix: queuePrefix(parsed.searchParams.get('prefix'), false),
  };
}
