import { CdoError } from '../errors/cdo-error.js';
import { primitive } from '../internal/primitive.js';

/** One ADO Field: `Name` and a read/write `Value`. */
export interface Field {
  readonly Name: string;
  Value: unknown;
}

/**
 * An ADO Fields collection as CDOSYS scripts use it: `Fields(name)` and
 * `Fields.Item(name)` are the same Field; `.Value = v` is a pending write until
 * `Update()` commits it (`CancelUpdate()` drops it); `Count`; for…of over the Fields.
 */
export interface Fields {
  (name: string | number): Field;
  Item(name: string | number): Field;
  readonly Count: number;
  Update(): void;
  CancelUpdate(): void;
  Resync(): void;
  Delete(name: string): void;
  [Symbol.iterator](): Iterator<Field>;
}

/** How a Fields collection maps names and stores committed values. */
export interface FieldStore {
  /** The key a name is matched by (e.g. lower case), or throws for a name it refuses. */
  key(name: string): string;
  /** The committed value, or undefined when unset. */
  read(key: string): unknown;
  /** Validates and commits one value (throws a typed error on a bad one). */
  commit(key: string, name: string, value: unknown): void;
  /** Names with committed values, in insertion order. */
  names(): Iterable<string>;
  /** Removes a committed value. */
  remove(key: string): void;
  /** What a read of this key shows (a write-only field shows ""). */
  shown?(key: string, value: unknown): unknown;
}

export function createFields(store: FieldStore): Fields {
  const pending = new Map<string, { name: string; value: unknown }>();
  const nameOf = new Map<string, string>();

  const field = (given: unknown): Field => {
    const raw = primitive(given);
    let name: string;
    if (typeof raw === 'number') {
      // ADO indexes Fields from 0.
      name = [...allNames()][raw] ?? '';
      if (name === '') throw new CdoError('CDO_E_INVALID_PARAMETER', `Fields: no field at index ${raw}`);
    } else if (typeof raw === 'string' && raw !== '') {
      name = raw;
    } else {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `Fields: a field name is a non-empty string, got ${typeof raw}`);
    }
    const key = store.key(name);
    if (!nameOf.has(key)) nameOf.set(key, name);
    return {
      Name: nameOf.get(key) ?? name,
      get Value(): unknown {
        const value = pending.has(key) ? pending.get(key)?.value : store.read(key);
        return store.shown === undefined ? value : store.shown(key, value);
      },
      set Value(value: unknown) {
        pending.set(key, { name, value: primitive(value) });
      },
    };
  };

  function* allNames(): Iterable<string> {
    const seen = new Set<string>();
    for (const name of store.names()) {
      seen.add(store.key(name));
      yield name;
    }
    for (const [key, { name }] of pending) if (!seen.has(key)) yield name;
  }

  const fields = ((name: string | number) => field(name)) as Fields;
  Object.defineProperties(fields, {
    Item: { value: (name: string | number) => field(name) },
    Count: { get: () => [...allNames()].length },
    Update: {
      value: () => {
        // Each write is validated as it is committed; one that fails stays pending.
        for (const [key, { name, value }] of [...pending]) {
          store.commit(key, name, value);
          pending.delete(key);
        }
      },
    },
    CancelUpdate: { value: () => pending.clear() },
    Resync: { value: () => pending.clear() },
    Delete: {
      value: (name: string) => {
        const key = store.key(String(primitive(name)));
        pending.delete(key);
        store.remove(key);
      },
    },
    [Symbol.iterator]: { value: () => [...allNames()].map((name) => field(name))[Symbol.iterator]() },
  });
  return fields;
}
