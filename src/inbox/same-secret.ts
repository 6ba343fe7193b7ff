import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in time that does not depend on where they differ, nor on their lengths. */
export function sameSecret(offered: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(offered), digest(expected));
}
