import { CdoError } from '../errors/cdo-error.js';
import { assertBodyKind } from './body-kind.js';
import type { BodyEngines } from './body-engines.js';

export const MAX_CONVERT_INPUT_LENGTH = 16 * 1024 * 1024;

/** What a lease needs from its host: the engines, and two callbacks. */
export interface LeaseHost {
  readonly engines: BodyEngines;
  onConversion(): void;
  onRelease(): Promise<void>;
}

/**
 * A caller's hold on the process-wide converter. While a lease is live the converter
 * cannot stop. `release()` is idempotent; a released lease refuses to convert.
 */
export class ConverterLease {
  readonly #host: LeaseHost;
  readonly #inFlight = new Set<Promise<unknown>>();
  #release: Promise<void> | undefined;

  constructor(host: LeaseHost) {
    this.#host = host;
  }

  get released(): boolean {
    return this.#release !== undefined;
  }

  /** Converts `input` from one kind (html | markdown | text) to another. */
  convert(input: string, from: string, to: string): Promise<string> {
    if (this.#release !== undefined) {
      return Promise.reject(new CdoError('CDO_E_OBJECT_DELETED', 'this converter lease was released'));
    }
    const task = this.#run(input, from, to);
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task)).catch(() => undefined);
    return task;
  }

  /** Gives the lease back. Waits for this lease's own conversions first. */
  release(): Promise<void> {
    // The common case, nothing in flight, stays off the async machinery (the fast path).
    this.#release ??=
      this.#inFlight.size === 0
        ? this.#host.onRelease()
        : Promise.allSettled([...this.#inFlight]).then(() => this.#host.onRelease());
    return this.#release;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  async #run(input: string, fromKind: string, toKind: string): Promise<string> {
    const from = assertBodyKind(fromKind, 'convert: from');
    const to = assertBodyKind(toKind, 'convert: to');
    if (typeof input !== 'string') {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `convert: input must be a string, got ${typeof input}`);
    }
    if (input.length > MAX_CONVERT_INPUT_LENGTH) {
      throw new CdoError('CDO_E_STRING_TOO_LONG', `convert: input is longer than ${MAX_CONVERT_INPUT_LENGTH} characters`);
    }
    let output: string;
    try {
      output = await this.#host.engines.convert(input, from, to);
    } catch (error) {
      if (error instanceof CdoError) throw error;
      throw new CdoError('CDO_E_CALL_FAILED', `converting ${from} to ${to} failed`, { cause: error });
    }
    this.#host.onConversion();
    return output;
  }
}
