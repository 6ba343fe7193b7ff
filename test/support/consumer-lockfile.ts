// A lockfile for a fresh project that installs our tarball, cut from our own lockfile: the
// same versions, so `npm ci --offline` finds every package in the cache our `npm ci` filled.
// Our lockfile omits registry addresses; `npm ci --offline` needs them to find tarballs
// without asking the registry for metadata, so each entry gets the registry's usual one.

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Lockfile {
  readonly packages: Record<string, LockEntry>;
}

export interface ConsumerLockInput {
  /** Our package-lock.json. */
  readonly lock: Lockfile;
  /** Our package.json's name, version, dependencies, bin and engines (npm ci links bins from the lockfile). */
  readonly self: { readonly name: string; readonly version: string; readonly dependencies: Record<string, string>; readonly bin?: Record<string, string>; readonly engines?: Record<string, string> };
  /** The tarball, relative to the consumer project (e.g. "../cdonts-0.1.0.tgz"). */
  readonly tarball: string;
  /** More of our own (dev) packages the consumer installs beside it, by name. */
  readonly extra: readonly string[];
  /** `npm config get registry`. */
  readonly registry: string;
}

/** Where Node's resolution finds `name` required from the package installed at `from`. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

export function consumerLockfile(input: ConsumerLockInput): { packageJson: object; lockfile: object } {
  const { lock, self, tarball, extra } = input;
  const registry = input.registry.endsWith('/') ? input.registry : `${input.registry}/`;
  const ours = lock.packages;
  const pinned = (name: string): string => {
    const version = ours[`node_modules/${name}`]?.version;
    if (version === undefined) throw new Error(`${name} is not in our lockfile`);
    return version;
  };
  const dependencies = { [self.name]: `file:${tarball}`, ...Object.fromEntries(extra.map((name) => [name, pinned(name)])) };
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', version: '1.0.0', dependencies },
    [`node_modules/${self.name}`]: { version: self.version, resolved: `file:${tarball}`, dependencies: self.dependencies, bin: self.bin, engines: self.engines },
  };
  // Everything our dependencies and the extras reach, at the same paths as in our tree.
  const pending: Array<[string, string]> = [...Object.keys(self.dependencies), ...extra].map((name) => ['', name]);
  while (pending.length > 0) {
    const [from, name] = pending.pop() ?? ['', ''];
    const path = locate(ours, from, name);
    if (path === undefined || packages[path] !== undefined) continue;
    const entry: LockEntry = { ...ours[path] };
    delete entry.dev;
    delete entry.devOptional;
    if (entry.resolved === undefined && entry.link !== true) {
      const packageName = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      entry.resolved = `${registry}${packageName}/-/${packageName.split('/').pop() ?? ''}-${entry.version ?? ''}.tgz`;
    }
    packages[path] = entry;
    for (const next of [entry.dependencies, entry.optionalDependencies, entry.peerDependencies]) {
      for (const dependency of Object.keys(next ?? {})) pending.push([path, dependency]);
    }
  }
  return {
    packageJson: { name: 'consumer', version: '1.0.0', private: true, dependencies },
    lockfile: { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages },
  };
}
