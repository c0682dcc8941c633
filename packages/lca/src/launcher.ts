// Starting and signalling application processes. Each application runs in its own process
// group with its output going straight to its log file, so it outlives the LCA: nothing of it
// passes through the LCA's pipes.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { MlayerError, errorMessage, type AppSpec } from '@mlayer/common';

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
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
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
