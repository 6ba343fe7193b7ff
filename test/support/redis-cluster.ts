import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitForPort } from './redis-server.js';

export interface RedisCluster {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3 */
  readonly url: string;
  /** Sends a signal to the node that serves this key's slot (SIGSTOP: a Redis that stops answering). */
  signalOwnerOf(key: string, signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Redis Cluster of `masters` redis-server processes (no replicas) on free loopback
 * ports, persistence off, node files in a temporary directory. The slots are split evenly
 * with CLUSTER ADDSLOTSRANGE and the nodes introduced with CLUSTER MEET (no redis-cli
 * needed); it returns once every node reports cluster_state:ok.
 */
export async function startRedisCluster(masters = 3, timeoutMs = 20_000): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'cdonts-cluster-'));
  const children: ChildProcess[] = [];
  const nodes: Array<{ host: string; port: number; bus: number }> = [];
  const per = Math.ceil(16384 / masters); // node i serves slots i·per … (i+1)·per − 1
  const stop = async (): Promise<void> => {
    await Promise.all(
      children.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      // The bus port is chosen too (cluster-port): port + 10000 may be taken or out of range.
      const port = await freePort();
      const bus = await freePort();
      const args = ['--port', String(port), '--cluster-port', String(bus), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
      nodes.push({ host: '127.0.0.1', port, bus });
    }
    await Promise.all(nodes.map((n) => waitForPort(n.port)));
    const clients = nodes.map((n) => new Redis({ host: n.host, port: n.port, lazyConnect: true, maxRetriesPerRequest: 1 }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      await Promise.all(clients.map((c, i) => c.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1)))));
      // every node meets every other: faster than waiting for gossip to spread one MEET
      await Promise.all(clients.flatMap((c, i) => nodes.filter((_, j) => j !== i).map((n) => c.call('CLUSTER', 'MEET', n.host, String(n.port), String(n.bus)))));
      const started = Date.now();
      for (;;) {
        const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
        if (infos.every((info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}`))) break;
        if (Date.now() - started > timeoutMs) throw new Error(`the cluster did not converge: ${infos.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      clients.forEach((c) => c.disconnect());
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const owners = new Map<string, number>(); // asked once: a stopped owner could not answer the second time
  return {
    nodes: nodes.map(({ host, port }) => ({ host, port })),
    signalOwnerOf: async (key, signal) => {
      if (!owners.has(key)) {
        const any = new Redis({ host: '127.0.0.1', port: nodes[0]?.port ?? 0, maxRetriesPerRequest: 1 });
        try {
          owners.set(key, Math.floor(Number(await any.call('CLUSTER', 'KEYSLOT', key)) / per));
        } finally {
          any.disconnect();
        }
      }
      children[owners.get(key) ?? -1]?.kill(signal);
    },
    url: `redis+cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    stop,
  };
}
