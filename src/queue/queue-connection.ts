import type { ConnectionOptions } from 'bullmq';
import type { RedisTarget } from './redis-target.js';

/** What BullMQ is given, and how to let go of what we opened for it. */
export interface QueueConnection {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
  /** Disconnects an ioredis Cluster we created (BullMQ leaves a client it was handed open). */
  close(): void;
}

/**
 * The connection for one side of the queue. The producer's commands fail at once while
 * Redis is away instead of waiting in memory (a Send must never hang); the worker's
 * blocking reads need `maxRetriesPerRequest: null`, as BullMQ requires. A cluster is an
 * ioredis `Cluster` created lazily (BullMQ connects it, and duplicates it for the
 * worker's blocking connection) with the hash-tagged prefix, so every key of the queue
 * lands in one slot.
 */
export async function queueConnection(target: RedisTarget, role: 'producer' | 'worker', timeoutMs: number): Promise<QueueConnection> {
  const perRequest = role === 'producer' ? { maxRetriesPerRequest: 1, connectTimeout: timeoutMs } : { maxRetriesPerRequest: null };
  if (target.kind === 'redis') {
    const connection = { ...target.connection, ...perRequest, ...(role === 'producer' ? { enableOfflineQueue: false, lazyConnect: false } : {}) };
    return { connection, prefix: target.prefix, close: () => undefined };
  }
  const { Cluster } = await import('ioredis');
  const { redisOptions, ...clusterOptions } = target.clusterOptions as { redisOptions?: Record<string, unknown> };
  const cluster = new Cluster(
    target.nodes.map((n) => ({ ...n })),
    {
      ...clusterOptions,
      lazyConnect: true,
      ...(role === 'producer' ? { enableOfflineQueue: false } : {}),
      redisOptions: { ...redisOptions, ...perRequest },
    },
  );
  cluster.on('error', () => undefined); // reported through the commands that fail; ioredis reconnects
  return { connection: cluster, prefix: target.prefix, close: () => cluster.disconnect() };
}
