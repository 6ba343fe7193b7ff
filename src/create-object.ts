import { CdoError } from './errors/cdo-error.js';
import { NewMail } from './new-mail.js';
import { Session } from './session/session.js';

/**
 * `Server.CreateObject` for CDONTS: `createObject('CDONTS.NewMail')`, in any case. The
 * object's members are case-insensitive, as in VBScript (`m.to = …`, `m.send()`).
 */
export function createObject(progId: 'CDONTS.NewMail'): NewMail;
export function createObject(progId: 'CDONTS.Session'): Session;
export function createObject(progId: string): NewMail | Session;
export function createObject(progId: string): NewMail | Session {
  const id = typeof progId === 'string' ? progId.toLowerCase() : '';
  if (id === 'cdonts.newmail') return caseInsensitive(new NewMail());
  if (id === 'cdonts.session') return caseInsensitive(new Session());
  throw new CdoError('CDO_E_INVALID_PARAMETER', `createObject: unknown ProgID ${JSON.stringify(progId)}; expected "CDONTS.NewMail" or "CDONTS.Session"`);
}

/** Maps every spelling of a member name to its canonical one. */
function caseInsensitive<T extends object>(target: T): T {
  const names = new Map<string, string | symbol>();
  for (let proto: object | null = Object.getPrototypeOf(target) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key !== 'constructor' && !names.has(key.toLowerCase())) names.set(key.toLowerCase(), key);
    }
  }
  const canonical = (key: string | symbol): string | symbol => (typeof key === 'string' ? (names.get(key.toLowerCase()) ?? key) : key);
  return new Proxy(target, {
    get(t, key) {
      const value: unknown = Reflect.get(t, canonical(key), t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
    set(t, key, value) {
      return Reflect.set(t, canonical(key), value, t);
    },
    has(t, key) {
      return Reflect.has(t, canonical(key));
    },
  });
}
