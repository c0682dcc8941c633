// What the kernel says about a process (Linux /proc): its CPU time, its resident memory, and the
// open-file limits a benchmark with many sockets has to respect.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat's times (`getconf CLK_TCK`, almost always 100). */
export const CLOCK_TICKS: number = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds the process has used so far (fields 14 and 15 of /proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size in bytes (VmRSS of /proc/PID/status). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

export interface FileLimit {
  readonly soft: number;
  readonly hard: number;
}

/** This process's RLIMIT_NOFILE (children inherit it); Infinity for "unlimited". */
export function openFilesLimit(): FileLimit {
  const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '').replace('Max open files', '').trim().split(/\s+/);
  const value = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text));
  return { soft: value(soft), hard: value(hard) };
}

/**
 * The command and arguments that run `command args` with at least `needed` open files: as is when
 * the inherited soft limit suffices, else through `sh -c 'ulimit -n N; exec …'` (raising the soft
 * limit up to the hard one; the pid stays the same). Throws when even the hard limit is too low.
 */
export function withOpenFiles(needed: number, command: string, args: readonly string[]): { command: string; args: string[]; note: string } {
  const { soft, hard } = openFilesLimit();
  if (soft >= needed) return { command, args: [...args], note: `ulimit -n ${soft} (hard ${hard}) suffices for ${needed}` };
  if (hard < needed) {
    throw new Error(`needs ${needed} open files, but ulimit -n is ${soft} (hard ${hard}): raise the hard limit (e.g. ulimit -Hn ${needed} as root, or LimitNOFILE)`);
  }
  const raised = Number.isFinite(hard) ? hard : needed;
  return { command: '/bin/sh', args: ['-c', `ulimit -n ${raised} && exec "$0" "$@"`, command, ...args], note: `soft ulimit -n ${soft} raised to ${raised} for the child (needs ${needed})` };
}
