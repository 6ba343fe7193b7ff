// The benchmarks share their machine (2 cores) with whatever else runs on it. A round
// during which other processes took CPU measures them, not us, and it is never the same
// for two peers. So each timed round first waits for the machine to be quiet, measures
// how much CPU processes other than ours took while it ran ("foreign load", from
// /proc/stat minus our own processes), and is run again when that was too much. Linux
// only: elsewhere the rounds run unguarded and report no foreign load.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** /proc/stat and /proc/PID/stat count in USER_HZ ticks, 100 a second on Linux. */
const TICKS_PER_SECOND = 100;

function machineBusyTicks(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/u).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return undefined;
  }
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, every thread of the process
  } catch {
    return 0;
  }
}

export interface GuardOptions {
  /** Our own processes besides this one (the SMTP sink). */
  readonly pids?: () => readonly number[];
  /** A round is run again when others took more than this many cores on average. */
  readonly maxForeignCores?: number;
  /** How often a round is tried before its last result is kept anyway. */
  readonly attempts?: number;
  /** How long to wait for a quiet machine before a round starts anyway. */
  readonly maxWaitMs?: number;
}

export interface GuardedResult<T> {
  readonly value: T;
  /** Cores' worth of CPU other processes used during the round (NaN: not measurable here). */
  readonly foreignCores: number;
  /** Rounds thrown away before this one because others were busy. */
  readonly discarded: number;
}

/** Waits (up to maxWaitMs) until the machine is nearly idle: under 0.1 core busy over 300 ms. */
export async function waitForQuiet(maxWaitMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = machineBusyTicks();
    const started = Date.now();
    await sleep(300);
    const after = machineBusyTicks();
    if (before === undefined || after === undefined) return;
    const cores = (after - before) / TICKS_PER_SECOND / ((Date.now() - started) / 1000);
    if (cores < 0.1 || Date.now() > deadline) return;
  }
}

/** Runs `round` on a quiet machine, again when others took CPU meanwhile. */
export async function guarded<T>(round: () => Promise<T>, options: GuardOptions = {}): Promise<GuardedResult<T>> {
  const maxForeign = options.maxForeignCores ?? 0.15;
  const attempts = options.attempts ?? 4;
  const own = (): number => [process.pid, ...(options.pids?.() ?? [])].reduce((sum, pid) => sum + processTicks(pid), 0);
  let discarded = 0;
  for (;;) {
    await waitForQuiet(options.maxWaitMs);
    const busyBefore = machineBusyTicks();
    const ownBefore = own();
    const started = performance.now();
    const value = await round();
    const seconds = (performance.now() - started) / 1000;
    const busyAfter = machineBusyTicks();
    const foreignCores = busyBefore === undefined || busyAfter === undefined ? Number.NaN : Math.max(0, busyAfter - busyBefore - (own() - ownBefore)) / TICKS_PER_SECOND / seconds;
    if (!(foreignCores > maxForeign) || discarded + 1 >= attempts) return { value, foreignCores, discarded };
    discarded++;
  }
}
