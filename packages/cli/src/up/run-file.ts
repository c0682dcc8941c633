// The run file (VAR/up.json): which `mlayer up` runs this local solution and which daemons it
// started. A second `mlayer up` refuses while the first is alive; after a run that ended without
// cleaning up (kill -9, a lost terminal), it stops that run's daemons before starting its own.
// That run's applications are left alone: the new LCAs re-adopt them from their state files.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { KnownProcess } from './processes.js';

export interface RunRecord {
  readonly pid: number;
  readonly startTime: string | null;
  readonly config: string;
  readonly daemons: readonly KnownProcess[];
}

function isRecord(value: unknown): value is RunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { pid, daemons } = value as { pid?: unknown; daemons?: unknown };
  return typeof pid === 'number' && Array.isArray(daemons) && daemons.every((d: { pid?: unknown }) => typeof d?.pid === 'number');
}

export class RunFile {
  constructor(readonly file: string) {}

  /** The recorded run; undefined when there is none (or the file is not ours to read). */
  read(): RunRecord | undefined {
    try {
      const value = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      return isRecord(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  write(record: RunRecord): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(tmp, this.file);
  }

  remove(): void {
    rmSync(this.file, { force: true });
  }
}
