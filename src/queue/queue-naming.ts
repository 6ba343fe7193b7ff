import { CdoError } from '../errors/cdo-error.js';

export const DEFAULT_QUEUE = 'cdonts-mail';
/** BullMQ's own default: a standalone Redis keeps the key names earlier versions used. */
export const DEFAULT_PREFIX = 'bull';
/**
 * In a cluster every key of a queue must hash to one slot (BullMQ's scripts touch several
 * at once): with the braces Redis hashes only "cdonts", whatever follows.
 */
export const DEFAULT_CLUSTER_PREFIX = '{cdonts}';

export function queueName(queue: string | null | undefined): string {
  const name = queue ?? DEFAULT_QUEUE;
  if (!/^[\w.-]{1,100}$/u.test(name)) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'queue names are letters, digits, dots, dashes and underscores');
  return name;
}

/** The key prefix; the transport and the worker must compute the same one, so both come here. */
export function queuePrefix(prefix: string | null | undefined, cluster: boolean): string {
  const value = prefix ?? (cluster ? DEFAULT_CLUSTER_PREFIX : DEFAULT_PREFIX);
  if (!/^[\w.{}-]{1,100}$/u.test(value)) throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'a queue prefix is letters, digits, dots, dashes, underscores and braces');
  // Redis hashes the first {…} of a key; without one BullMQ's multi-key scripts fail with CROSSSLOT.
  if (cluster && !/^[^{]*\{[^}]+\}/u.test(value)) {
    throw new CdoError('CDO_E_INVALID_SEND_OPTION', `in a Redis Cluster the queue prefix needs a hash tag, as in {cdonts}; got ${value}`);
  }
  return value;
}
