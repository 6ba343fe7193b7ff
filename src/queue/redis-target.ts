import { CdoError } from '../errors/cdo-error.js';
import { clusterNode, parseClusterUrl, type ClusterNode } from './cluster-url.js';
import { queueName, queuePrefix } from './queue-naming.js';
import { parseRedisUrl } from './redis-url.js';

export type { ClusterNode } from './cluster-url.js';

/** Where the queue lives, resolved from a URL or options; the transport and the worker agree on it. */
export type RedisTarget =
  | {
      readonly kind: 'redis';
      /** ioredis connection options: host/port/db…, or `sentinels` + `name` for Redis Sentinel. */
      readonly connection: Record<string, unknown>;
      readonly queue: string;
      readonly prefix: string;
    }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly ClusterNode[];
      /** ioredis Cluster options; per-node connection options (password, tls…) under `redisOptions`. */
      readonly clusterOptions: Record<string, unknown>;
      readonly queue: string;
      readonly prefix: string;
    };

interface QueueNaming {
  /** The BullMQ queue name. Default "cdonts-mail". */
  readonly queue?: string;
  /** BullMQ's key prefix. Default "bull", or "{cdonts}" for a cluster, where it must hold a {hash tag}. */
  readonly prefix?: string;
}

/** What the queue transport and the worker accept besides a URL. */
export type RedisQueueOptions =
  | (QueueNaming & {
      /** ioredis connection options (host, port, db, password, tls, or sentinels + name). */
      readonly redis: Record<string, unknown>;
    })
  | (QueueNaming & {
      /** Redis Cluster: some of its nodes ({ host, port } or "host:port"); the rest are discovered. */
      readonly cluster: ReadonlyArray<ClusterNode | string>;
      /** ioredis Cluster options (natMap, scaleReads…; password and tls under redisOptions). */
      readonly clusterOptions?: Record<string, unknown>;
    });

export function redisTarget(spec: string | RedisQueueOptions): RedisTarget {
  if (typeof spec === 'string') return /^rediss?\+cluster:/iu.test(spec) ? parseClusterUrl(spec) : parseRedisUrl(spec);
  if (typeof spec !== 'object' || spec === null) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'queue options must be an object');
  if ('cluster' in spec) {
    if (!Array.isArray(spec.cluster) || spec.cluster.length === 0) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'cluster must list at least one node ({ host, port } or "host:port")');
    const options = spec.clusterOptions ?? {};
    if (typeof options !== 'object' || options === null) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'clusterOptions must be ioredis Cluster options');
    return { kind: 'cluster', nodes: spec.cluster.map(clusterNode), clusterOptions: { ...options }, queue: queueName(spec.queue), prefix: queuePrefix(spec.prefix, true) };
  }
  if (typeof spec.redis !== 'object' || spec.redis === null) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'queue options need a redis object (ioredis connection options) or a cluster list');
  return { kind: 'redis', connection: { ...spec.redis }, queue: queueName(spec.queue), prefix: queuePrefix(spec.prefix, false) };
}
