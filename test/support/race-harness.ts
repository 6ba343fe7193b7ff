import fc from 'fast-check';
import type { BodyEngines, BodyEnginesFactory } from '../../src/converter/body-engines.js';
import type { ConverterStats } from '../../src/converter/converter-host.js';
import { isCdoError } from '../../src/errors/cdo-error.js';

interface Lease {
  convert(input: string, from: string, to: string): Promise<string>;
  release(): Promise<void>;
}

/** What the harness drives: the real host, or the naive KB Q214685 converter. */
export interface RaceSubject {
  acquire(): Promise<Lease>;
  close(): Promise<void>;
  stats?(): ConverterStats;
}

export interface RaceDeps {
  readonly createEngines: BodyEnginesFactory;
  readonly scheduleLinger: (callback: () => void, ms: number) => () => void;
  readonly lingerMs: number;
}

type Step =
  | { readonly kind: 'caller'; readonly cycles: number; readonly conversions: number; readonly doubleRelease: boolean }
  | { readonly kind: 'close' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('caller' as const),
      cycles: fc.integer({ min: 1, max: 3 }),
      conversions: fc.integer({ min: 0, max: 3 }),
      doubleRelease: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
);

export interface ExploreOptions {
  readonly numRuns: number;
  readonly seed?: number;
  /** Let engine starts fail at random (the real host must retry; the naive one is not asked to). */
  readonly startFailures?: boolean;
}

/**
 * Explores interleavings of acquire, convert, release, linger expiry and close() from
 * many concurrent callers under fast-check's scheduler: every engine start, conversion,
 * engine stop and linger timer is a scheduled task whose order fast-check chooses.
 * Returns the violations of the first failing schedule, or none.
 */
export async function exploreRaces(makeSubject: (deps: RaceDeps) => RaceSubject, options: ExploreOptions): Promise<fc.RunDetails<[fc.Scheduler, Step[], boolean, readonly boolean[]]>> {
  const { numRuns, seed, startFailures: failStarts = true } = options;
  const property = fc.asyncProperty(
    fc.scheduler(),
    fc.array(stepArb, { minLength: 1, maxLength: 8 }),
    fc.boolean(),
    failStarts ? fc.array(fc.boolean(), { maxLength: 4 }) : fc.constant<readonly boolean[]>([]),
    async (s, steps, lingers, startFailures) => {
      const violations: string[] = [];
      let alive = 0;
      let startIndex = 0;
      const createEngines: BodyEnginesFactory = async () => {
        await s.schedule(Promise.resolve(), 'engine start');
        if (startFailures[startIndex++] === true) throw new Error('engine start failed');
        alive++;
        if (alive > 1) violations.push('two engines alive at once (starts - stops > 1)');
        let stopped = false;
        const engines: BodyEngines = {
          convert: async (input) => {
            if (stopped) violations.push('conversion started on a stopped engine');
            await s.schedule(Promise.resolve(), 'conversion');
            if (stopped) violations.push('engine stopped while a conversion ran');
            return input.toUpperCase();
          },
          dispose: async () => {
            stopped = true;
            await s.schedule(Promise.resolve(), 'engine stop');
            alive--;
            if (alive < 0) violations.push('more stops than starts');
          },
        };
        return engines;
      };
      const scheduleLinger = (callback: () => void): (() => void) => {
        let cancelled = false;
        void s.schedule(Promise.resolve(), 'linger expiry').then(() => {
          if (!cancelled) callback();
        });
        return () => {
          cancelled = true;
        };
      };
      const subject = makeSubject({ createEngines, scheduleLinger, lingerMs: lingers ? 1_000 : 0 });
      const live = new Set<Lease>();
      const settled: boolean[] = steps.map(() => false);
      const tasks = steps.map(async (step, i) => {
        try {
          // Each caller arrives at a moment the scheduler picks, not all at once.
          await s.schedule(Promise.resolve(), `arrival ${i}`);
          if (step.kind === 'close') {
            const liveAtClose = [...live];
            await subject.close();
            if (liveAtClose.some((lease) => live.has(lease))) violations.push('close() resolved while a lease was still live');
            return;
          }
          for (let cycle = 0; cycle < step.cycles; cycle++) {
            if (cycle > 0) await s.schedule(Promise.resolve(), `again ${i}`);
            let lease: Lease;
            try {
              lease = await subject.acquire();
            } catch (error) {
              // The only acceptable refusal is a failed engine start, reported typed.
              const cause = isCdoError(error) && error.cause instanceof Error ? error.cause.message : undefined;
              if (cause !== 'engine start failed') violations.push(`acquire rejected: ${error instanceof Error ? error.message : String(error)}`);
              continue;
            }
            live.add(lease);
            for (let c = 0; c < step.conversions; c++) {
              try {
                if ((await lease.convert('x', 'text', 'html')) !== 'X') violations.push('wrong conversion result');
              } catch (error) {
                violations.push(`conversion failed: ${error instanceof Error ? error.message : String(error)}`);
              }
            }
            live.delete(lease);
            await lease.release();
            if (step.doubleRelease) await lease.release();
            const refs = subject.stats?.().refs ?? 0;
            if (refs < 0) violations.push('refs went negative');
          }
        } finally {
          settled[i] = true;
        }
      });
      await s.waitIdle();
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      await s.waitIdle();
      if (settled.includes(false)) violations.push('an acquire, release or close() never settled (deadlock)');
      await Promise.race([Promise.allSettled(tasks), Promise.resolve()]);
      const stats = subject.stats?.();
      if (stats !== undefined && !settled.includes(false)) {
        if (stats.refs !== 0) violations.push(`refs is ${stats.refs} after every lease was released`);
        const running = stats.starts - stats.stops;
        if (running !== 0 && running !== 1) violations.push(`starts - stops = ${running}`);
      }
      if (violations.length > 0) throw new Error([...new Set(violations)].join('; '));
    },
  );
  return fc.check(property, { numRuns, ...(seed === undefined ? {} : { seed }) });
}
