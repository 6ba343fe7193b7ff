import { realpathSync, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { CdoError } from './errors/cdo-error.js';
import { primitive } from './internal/primitive.js';

/**
 * Resolves an attachment source to a real path (symlinks followed) and checks that it
 * is a regular file inside `root`, when a root is configured.
 */
export function resolveAttachmentPathSync(source: unknown, root: string | undefined): string {
  const absolute = checkSource(source);
  // Outside the root is refused before the file is even looked at: no existence oracle.
  if (root !== undefined) assertInsideRoot(absolute, resolve(root), absolute);
  let real: string;
  try {
    real = realpathSync(absolute);
    if (!statSync(real).isFile()) throw new Error('not a regular file');
  } catch (error) {
    throw notFound(absolute, error);
  }
  assertInsideRoot(real, root === undefined ? undefined : realRootSync(root), absolute);
  return real;
}

export async function resolveAttachmentPath(source: string, root: string | undefined): Promise<string> {
  const absolute = checkSource(source);
  if (root !== undefined) assertInsideRoot(absolute, resolve(root), absolute);
  let real: string;
  try {
    real = await realpath(absolute);
    if (!(await stat(real)).isFile()) throw new Error('not a regular file');
  } catch (error) {
    throw notFound(absolute, error);
  }
  assertInsideRoot(real, root === undefined ? undefined : await realpath(root).catch(() => resolve(root)), absolute);
  return real;
}

function checkSource(given: unknown): string {
  const source = primitive(given);
  if (typeof source !== 'string' || source === '' || source.includes('\0')) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', 'attachment source must be a non-empty file path');
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//iu.test(source) || source.startsWith('\\\\')) {
    throw new CdoError('CDO_E_NO_ACCESS', `attachment source must be a local file path, got ${JSON.stringify(source.slice(0, 80))}`);
  }
  return resolve(source);
}

function realRootSync(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}

function assertInsideRoot(real: string, root: string | undefined, shown: string): void {
  if (root === undefined) return;
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new CdoError('CDO_E_NO_ACCESS', `${shown} is outside the attachment root`);
  }
}

function notFound(path: string, cause: unknown): CdoError {
  return new CdoError('CDO_E_NOT_FOUND', `${path} does not exist or is not a regular file`, { cause });
}
