// Processes a benchmark did not spawn itself but must not leave behind: a daemon started by the
// test harness, and the applications that daemon launched (each in its own process group, so
// they outlive it). They are SIGKILLed when their scope ends and, as a last resort, when the
// runner exits or is interrupted (the runner turns SIGINT/SIGTERM/SIGHUP into an exit).

import { installExitCleanup } from './child-processes.js';

interface Tracked {
  /** Kill the whole process group led by `pid` (a detached child), not only the process. */
  readonly group: boolean;
}

/** Every tracked process of every scope: the exit hook kills these. */
const tracked = new Map<number, Tracked>();
let exitHookInstalled = false;

function killNow(pid: number, { group }: Tracked): void {
  // A stopped process would not die before it is continued.
  for (const target of group ? [-pid, pid] : [pid]) {
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(target, signal);
      } catch {
        // already gone
      }
    }
  }
}

function killAllTrackedNow(): void {
  for (const [pid, how] of tracked) killNow(pid, how);
  tracked.clear();
}

/** True while a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The processes of one benchmark scope. */
export class ProcessGroups {
  private readonly pids = new Set<number>();

  constructor() {
    installExitCleanup();
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', killAllTrackedNow);
    }
  }

  /** Tracks a process; `group` when it leads its own process group (a detached child). */
  add(pid: number, options: Tracked): void {
    this.pids.add(pid);
    tracked.set(pid, options);
  }

  /**
   * Stops tracking a process known to have been reaped (its pid may be reused from now on, so
   * killing it later could hit a stranger).
   */
  forget(pid: number): void {
    this.pids.delete(pid);
    tracked.delete(pid);
  }

  /** SIGKILLs every tracked process of this scope that is still there. */
  killAll(): void {
    for (const pid of this.pids) {
      const how = tracked.get(pid);
      if (how !== undefined) killNow(pid, how);
      tracked.delete(pid);
    }
    this.pids.clear();
  }
}
