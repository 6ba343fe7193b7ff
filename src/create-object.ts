import { CdoError } from './errors/cdo-error.js';
import { NewMail } from './new-mail.js';
import { Session } from './session/session.js';
import { Configuration } from './cdosys/configuration.js';
import { DropDirectory } from './cdosys/drop-directory.js';
import { Message } from './cdosys/message.js';
import { BodyPart } from './cdosys/body-part.js';
import { BodyParts } from './cdosys/body-parts.js';
import { DroppedMessage, DroppedMessages } from './cdosys/drop-directory.js';

/**
 * `Server.CreateObject` for CDONTS: `createObject('CDONTS.NewMail')`, in any case. The
 * object's members are case-insensitive, as in VBScript (`m.to = …`, `m.send()`).
 */
export function createObject(progId: 'CDONTS.NewMail'): NewMail;
export function createObject(progId: 'CDONTS.Session'): Session;
export function createObject(progId: 'CDO.Message'): Message;
export function createObject(progId: 'CDO.Configuration'): Configuration;
export function createObject(progId: 'CDO.DropDirectory'): DropDirectory;
export function createObject(progId: string): NewMail | Session | Message | Configuration | DropDirectory;
export function createObject(progId: string): NewMail | Session | Message | Configuration | DropDirectory {
  const given: unknown = progId;
  const id = typeof given === 'string' || given instanceof String ? String(given).toLowerCase() : '';
  if (id === 'cdonts.newmail') return caseInsensitive(new NewMail());
  if (id === 'cdonts.session') return caseInsensitive(new Session());
  // CDOSYS registers the versioned ProgIDs too (CDO.Message.1 …).
  if (id === 'cdo.message' || id === 'cdo.message.1') return caseInsensitive(new Message());
  if (id === 'cdo.configuration' || id === 'cdo.configuration.1') return caseInsensitive(new Configuration());
  if (id === 'cdo.dropdirectory' || id === 'cdo.dropdirectory.1') return caseInsensitive(new DropDirectory());
  throw new CdoError('CDO_E_INVALID_PARAMETER', `createObject: unknown ProgID ${JSON.stringify(progId)}; expected "CDONTS.NewMail", "CDONTS.Session", "CDO.Message", "CDO.Configuration" or "CDO.DropDirectory"`);
}

const targets = new WeakMap<object, object>();
const proxies = new WeakMap<object, object>();

function nested(value: unknown): unknown {
  if (!(value instanceof BodyPart || value instanceof BodyParts || value instanceof Configuration || value instanceof DroppedMessage || value instanceof DroppedMessages)) return value;
  let proxy = proxies.get(value);
  if (proxy === undefined) {
    proxy = caseInsensitive(value);
    proxies.set(value, proxy);
  }
  return proxy;
}

function unwrap(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (targets.get(value) ?? value) : value;
}

/** True when `name` is a data property holding a function (a method), not an accessor. */
function isMethod(target: object, name: string | symbol): boolean {
  for (let proto: object | null = target; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor !== undefined) return 'value' in descriptor;
  }
  return false;
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
  const proxy = new Proxy(target, {
    get(t, key) {
      const name = canonical(key);
      const value: unknown = Reflect.get(t, name, t);
      // Methods are bound (they use #private state); a getter's callable result (Fields,
      // with its own Item, Update, Count) is returned as it is.
      if (typeof value === 'function' && isMethod(t, name)) return (value as (...args: unknown[]) => unknown).bind(t);
      // Objects of the model reached from this one (msg.bodypart.charset) are case-insensitive too.
      return nested(value);
    },
    set(t, key, value) {
      const name = canonical(key);
      // A Message's Configuration given through createObject is the proxy: hand over the object.
      return Reflect.set(t, name, unwrap(value), t);
    },
    has(t, key) {
      return Reflect.has(t, canonical(key));
    },
  });
  targets.set(proxy, target);
  return proxy;
}
