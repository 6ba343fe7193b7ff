import { CdoError } from '../errors/cdo-error.js';
import { assertBodyKind, type BodyKind } from './body-kind.js';
import type { BodyEngines } from './body-engines.js';
import { rtfSourceFromBytes } from '../rtf/rtf-source.js';
import type { AlternativesRequest, PreparedAlternatives } from './prepare-alternatives.js';

interface Preparing {
  prepare?(request: AlternativesRequest): Promise<PreparedAlternatives>;
}

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
  #pending = 0;
  #onIdle: (() => void) | undefined;
  #release: Promise<void> | undefined;

  constructor(host: LeaseHost) {
    this.#host = host;
  }

  get released(): boolean {
    return this.#release !== undefined;
  }

  /**
   * Converts `input` from one kind (html | markdown | text | rtf) to another. RTF may be
   * given as bytes (plain or compressed RTF) or as a Latin-1 string; RTF output is ASCII.
   */
  convert(input: string | Uint8Array, from: string, to: string): Promise<string> {
    if (this.#release !== undefined) {
      return Promise.reject(new CdoError('CDO_E_OBJECT_DELETED', 'this converter lease was released'));
    }
    this.#pending++;
    let task: Promise<string>;
    try {
      const output = this.#run(input, from, to);
      task = typeof output === 'string' ? Promise.resolve(output) : output;
    } catch (error) {
      task = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return task.finally(() => {
      if (--this.#pending === 0) this.#onIdle?.();
    });
  }

  /**
   * A MIME body's text and HTML parts, converted and encoded in one go (in a worker for
   * large bodies; reused for a body sent before). undefined when the engines cannot
   * (engines a test supplies): the caller then converts with convert().
   */
  prepare(request: AlternativesRequest): Promise<PreparedAlternatives> | undefined {
    const engines = this.#host.engines as BodyEngines & Preparing;
    if (typeof engines.prepare !== 'function') return undefined;
    if (this.#release !== undefined) {
      return Promise.reject(new CdoError('CDO_E_OBJECT_DELETED', 'this converter lease was released'));
    }
    if (request.input.length > MAX_CONVERT_INPUT_LENGTH) {
      return Promise.reject(new CdoError('CDO_E_STRING_TOO_LONG', `convert: input is longer than ${MAX_CONVERT_INPUT_LENGTH} characters`));
    }
    this.#pending++;
    return engines
      .prepare(request)
      .then(
        (prepared) => {
          this.#host.onConversion();
          return prepared;
        },
        (error: unknown) => {
          throw wrapFailure(error, request.from, 'html');
        },
      )
      .finally(() => {
        if (--this.#pending === 0) this.#onIdle?.();
      });
  }

  /** Gives the lease back. Waits for this lease's own conversions first. */
  release(): Promise<void> {
    // The common case, nothing in flight, stays off the async machinery (the fast path).
    this.#release ??=
      this.#pending === 0
        ? this.#host.onRelease()
        : new Promise<void>((resolve) => (this.#onIdle = resolve)).then(() => this.#host.onRelease());
    return this.#release;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  /** Synchronous when the engines are (inline conversions): no extra turn of the microtask queue. */
  #run(given: string | Uint8Array, fromKind: string, toKind: string): string | Promise<string> {
    const from = assertBodyKind(fromKind, 'convert: from');
    const to = assertBodyKind(toKind, 'convert: to');
    const input = from === 'rtf' && given instanceof Uint8Array ? rtfSourceFromBytes(given) : given;
    if (typeof input !== 'string') {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `convert: input must be a string, got ${typeof input}`);
    }
    if (input.length > MAX_CONVERT_INPUT_LENGTH) {
      throw new CdoError('CDO_E_STRING_TOO_LONG', `convert: input is longer than ${MAX_CONVERT_INPUT_LENGTH} characters`);
    }
    let output: string | Promise<string>;
    try {
      output = this.#host.engines.convert(input, from, to);
    } catch (error) {
      throw wrapFailure(error, from, to);
    }
    if (typeof output === 'string') {
      this.#host.onConversion();
      return output;
    }
    return output.then(
      (text) => {
        this.#host.onConversion();
        return text;
      },
      (error: unknown) => {
        throw wrapFailure(error, from, to);
      },
    );
  }
}

/** A failure inside the engines, as the CdoError the caller gets (built only when one happens). */
function wrapFailure(error: unknown, from: BodyKind, to: BodyKind): CdoError {
  return error instanceof CdoError ? error : new CdoError('CDO_E_CALL_FAILED', `converting ${from} to ${to} failed`, { cause: error });
}
