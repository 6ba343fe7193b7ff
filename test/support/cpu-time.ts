/**
 * Milliseconds of this process's CPU time (every thread) since `start`. Tests that guard
 * against blow-ups (ReDoS, runaway parsing) bound this, not the wall clock: on a loaded
 * machine other processes stretch the wall clock of linear work past any bound, while a
 * blow-up still burns CPU far beyond it.
 */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
