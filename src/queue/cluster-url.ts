import { CdoError } from '../errors/cdo-error.js';
import { queueName, queuePrefix } from './queue-naming.js';
import type { RedisTarget } from './redis-target.js';

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
}

/**
 * redis+cluster://[user:pass@]host:port[,host:port…][/][?queue=NAME&prefix=P]
 * (rediss+cluster:// for TLS) — the form Pomerium and others use. A few nodes are enough:
 * the client asks them for the rest. A cluster has only database 0.
 */
export function parseClusterUrl(url: string): RedisTarget {
  const match = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/iu.exec(url);
  if (match === null) throw invalid('not a redis+cluster:// URL (redis+cluster://host:port,host:port/?queue=NAME)');
  const [, scheme = '', credentials, hosts = '', path = '', search = ''] = match;
  if (path !== '' && path !== '/' && path !== '/0') throw invalid(`a Redis Cluster has only database 0, got ${path.slice(1)}`);
  const query = new URLSearchParams(search);
  const [user = '', password] = (credentials ?? '').split(/:(.*)/su);
  const redisOptions = {
    ...(user === '' ? {} : { username: decodeURIComponent(user) }),
    ...(password === undefined || password === '' ? {} : { password: decodeURIComponent(password) }),
    ...(scheme.toLowerCase() === 'rediss' ? { tls: {} } : {}),
  };
  return {
    kind: 'cluster',
    nodes: hosts.split(',').map(clusterNode),
    clusterOptions: { redisOptions },
    queue: queueName(query.get('queue')),
    prefix: queuePrefix(query.get('prefix'), true),
  };
}

/** "host:port", "[::1]:port" or { host, port }. */
export function clusterNode(node: ClusterNode | string): ClusterNode {
  if (typeof node === 'string') {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/u.exec(node.trim());
    if (match === null) throw invalid(`not a cluster node: ${JSON.stringify(node.slice(0, 100))} (expected host:port)`);
    return clusterNode({ host: match[1] ?? match[2] ?? '', port: Number(match[3] ?? 6379) });
  }
  if (typeof node !== 'object' || node === null || typeof node.host !== 'string' || node.host === '' || !Number.isInteger(node.port) || node.port <= 0 || node.port > 65535) {
    throw invalid(`not a cluster node: ${JSON.stringify(node)} (expected { host, port })`);
  }
  return { host: node.host, port: node.port };
}

function invalid(message: string): CdoError {
  return new CdoError('CDO_E_INVALID_SEND_OPTION', message);
}
