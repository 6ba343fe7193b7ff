import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` when files in `folder` change. A folder that does not exist yet (the
 * inbox started before the first send) is awaited through its parent, then watched itself.
 * Returns the function that stops watching.
 */
export function watchFolder(folder: string, onChange: () => void): () => void {
  let own: FSWatcher | undefined;
  let parent: FSWatcher | undefined;
  let closed = false;
  const attach = (): boolean => {
    try {
      own = watch(folder, onChange);
      own.on('error', () => undefined);
      return true;
    } catch {
      return false;
    }
  };
  if (!attach()) {
    try {
      parent = watch(dirname(folder), (_event, name) => {
        if (closed || own !== undefined || (name !== null && name !== basename(folder))) return;
        if (attach()) {
          parent?.close();
          parent = undefined;
          onChange();
        }
      });
      parent.on('error', () => undefined);
    } catch {
      // no parent either: the folder stays empty for this viewer
    }
  }
  return () => {
    closed = true;
    own?.close();
    parent?.close();
  };
}
