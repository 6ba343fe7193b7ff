import { CdoError } from '../errors/cdo-error.js';

export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/**
 * One state field and its transition table. An illegal transition is a bug in this
 * library, never a user error, so it throws loudly instead of being ignored.
 */
export class StateMachine<S extends string> {
  #state: S;
  readonly #table: TransitionTable<S>;
  readonly #what: string;

  constructor(initial: S, table: TransitionTable<S>, what: string) {
    this.#state = initial;
    this.#table = table;
    this.#what = what;
  }

  get state(): S {
    return this.#state;
  }

  to(next: S): void {
    if (!this.#table[this.#state].includes(next)) {
      throw new CdoError('CDO_E_CALL_FAILED', `${this.#what}: illegal transition ${this.#state} -> ${next}`);
    }
    this.#state = next;
  }
}
