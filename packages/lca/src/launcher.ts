// Starting and signalling application processes. Each application runs in its own process
// group with its output going straight to its log file, so it outlives the LCA: nothing of it
// passes through the LCA's pipes.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { APP_ENV, MlayerError, errorMessage, type AppSpec } from '@mlayer/common';

export interface LaunchedProcess {
  readonly pid: number;
  /** Kernel start time of the process, to tell it from a later process with the same pid. */
  readonly startTime: string | null;
  /** Called once when the process exits (only for processes this LCA started). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
}

/** What the LCA needs from the operating system; tests inject their own. */
export interface ProcessControl {
  launch(spec: AppSpec, env: Readonly<Record<string, string>>, logFile: string): Promise<LaunchedProcess>;
  /** Signals the process group of `pid`; false when no such process exists. */
  signal(pid: number, signal: NodeJS.Signals): boolean;
  isAlive(pid: number, startTime: string | null): boolean;
  /**
   * The processes that carry one of these launch tokens in their environment (one per token: the
   * one that leads its process group, else the oldest). For an LCA that died between saving a
   * token and saving the pid of the process it launched with it.
   */
  findByToken?(tokens: ReadonlySet<string>): Map<string, { readonly pid: number; readonly startTime: string | null }>;
}

/** The fields of /proc/PID/stat after the command name (field 3 onwards), or null. */
function statFields(pid: number, procDir = '/proc'): string[] | null {
  try {
    const stat = readFileSync(`${procDir}/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** Scans /proc for processes whose environment holds `MLAYER_APP_TOKEN=<one of tokens>` (same user: others are unreadable). */
export function findProcessesByToken(tokens: ReadonlySet<string>, procDir = '/proc'): Map<string, { pid: number; startTime: string | null }> {
  const found = new Map<string, { pid: number; startTime: string | null; leader: boolean }>();
  if (tokens.size === 0) return found;
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return found; // not Linux
  }
  const prefix = `${APP_ENV.token}=`;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string;
    try {
      environ = readFileSync(`${procDir}/${entry}/environ`, 'latin1');
    } catch {
      continue;
    }
    const line = environ.split('\0').find((l) => l.startsWith(prefix));
    const token = line?.slice(prefix.length);
    if (token === undefined || !tokens.has(token)) continue;
    const fields = statFields(Number(entry), procDir);
    const candidate = { pid: Number(entry), startTime: fields?.[19] ?? null, leader: fields?.[2] === entry }; // field 5: the process group
    const previous = found.get(token);
    if (previous === undefined || preferred(candidate, previous)) found.set(token, candidate);
  }
  return found;
}

/** Of two processes carrying one token: the launched one leads its process group; else the older. */
function preferred(a: { startTime: string | null; leader: boolean }, b: { startTime: string | null; leader: boolean }): boolean {
  return a.leader !== b.leader ? a.leader : Number(a.startTime) < Number(b.startTime);
}

export const systemProcesses: ProcessControl = {
  async launch(spec, env, logFile) {
    if (spec.cwd !== undefined && !statSync(spec.cwd, { throwIfNoEntry: false })?.isDirectory()) {
      throw new MlayerError('ESPAWN', `cannot start ${spec.name}: working directory ${spec.cwd} does not exist`);
    }
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env, ...env },
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (error) => reject(new MlayerError('ESPAWN', `cannot start ${spec.name} (${spec.command}): ${errorMessage(error)}`, { cause: error })));
      });
      child.unref();
      const pid = child.pid as number;
      return {
        pid,
        startTime: processStartTime(pid),
        onExit(listener) {
          child.once('exit', (code, signal) => listener(code, signal));
        },
      };
    } finally {
      closeSync(fd);
    }
  },

  signal(pid, signal) {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      try {
        process.kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    }
  },

  findByToken: (tokens) => findProcessesByToken(tokens),

  isAlive(pid, startTime) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (startTime === null) return true;
    return processStartTime(pid) === startTime;
  },
};
