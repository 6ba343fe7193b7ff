import { Mutex, type MutexInterface } from 'async-mutex';

/**
 * A real async-mutex that counts who takes it, so a test can see that a code path never
 * did. `inner` is the mutex itself: a test can hold it to show a path does not wait for it.
 */
export class MutexSpy implements MutexInterface {
  readonly inner = new Mutex();
  /** Calls to runExclusive() or acquire(): every way the host can take the lock. */
  entries = 0;

  acquire(priority?: number): Promise<MutexInterface.Releaser> {
    this.entries++;
    return this.inner.acquire(priority);
  }

  runExclusive<T>(callback: MutexInterface.Worker<T>, priority?: number): Promise<T> {
    this.entries++;
    return this.inner.runExclusive(callback, priority);
  }

  waitForUnlock(priority?: number): Promise<void> {
    return this.inner.waitForUnlock(priority);
  }

  isLocked(): boolean {
    return this.inner.isLocked();
  }

  release(): void {
    this.inner.release();
  }

  cancel(): void {
    this.inner.cancel();
  }
}
