// Processes `mlayer up` did not spawn itself but must stop: the applications the LCAs launched
// (each in its own process group, outliving its LCA by design) and the daemons of an earlier run.
// A pid is only signalled while its kernel start time still matches, so a reused pid is safe.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A process known by pid and kernel start time (null where /proc is not available). */
export interface KnownProcess {
  readonly name: string;
  readonly pid: number;
  readonly startTime: string | null;
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** The fields of /proc/PID/stat after the command name; undefined when there is no such file. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Alive, not a zombie, and (when known) the same process that was recorded. */
export function isAlive(proc: Pick<KnownProcess, 'pid' | 'startTime'>): boolean {
  try {
    process.kill(proc.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = statFields(proc.pid);
  if (fields === undefined) return true; // no /proc: trust kill(0)
  if (fields[0] === 'Z') return false;
  return proc.startTime === null || fields[19] === proc.startTime;
}

/** Signals the process group led by `pid` (applications run as group leaders), else the pid. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // no such group: try the process itself
    }
  }
}

interface StateFile {
  readonly apps?: Readonly<Record<string, { readonly pid?: unknown; readonly startTime?: unknown; readonly status?: unknown }>>;
}

/** The applications an LCA state directory (STATE_DIR/state.json) says are running. */
export function launchedBy(stateDir: string): KnownProcess[] {
  let state: StateFile;
  try {
    state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as StateFile;
  } catch {
    return []; // never written, or being replaced: the snapshot pids cover it
  }
  return Object.entries(state.apps ?? {}).flatMap(([name, app]) =>
    typeof app.pid === 'number' && app.status !== 'stopped'
      ? [{ name, pid: app.pid, startTime: typeof app.startTime === 'string' ? app.startTime : null }]
      : [],
  );
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to every group, up to `graceMs` (cut short when `hurry` aborts) for them to go, then
 * SIGKILL to the rest. Resolves with the processes that had to be killed.
 */
export async function stopProcesses(procs: readonly KnownProcess[], graceMs: number, hurry?: AbortSignal): Promise<KnownProcess[]> {
  let alive = procs.filter(isAlive);
  for (const proc of alive) {
    signalGroup(proc.pid, 'SIGTERM');
    signalGroup(proc.pid, 'SIGCONT'); // a stopped (SIGSTOP) process acts on SIGTERM only once continued
  }
  const deadline = Date.now() + graceMs;
  while (alive.length > 0 && Date.now() < deadline && hurry?.aborted !== true) {
    await sleep(50);
    alive = alive.filter(isAlive);
  }
  for (const proc of alive) signalGroup(proc.pid, 'SIGKILL');
  const killed = alive;
  const until = Date.now() + 2000;
  while (alive.length > 0 && Date.now() < until) {
    await sleep(20);
    alive = alive.filter(isAlive);
  }
  return killed;
}
