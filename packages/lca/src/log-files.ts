// Application output files, LOG_DIR/<app>.log, rotated by size. The application writes to its
// file directly (O_APPEND), so rotation copies the file aside and truncates it in place
// ("copytruncate"): the process keeps its descriptor and needs no signal. Lines written between
// the copy and the truncation can be lost; that is the price of not holding the app's output.

import { copyFile, rename, stat, truncate, unlink } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, type Logger } from '@mlayer/common';

export interface LogRotation {
  readonly maxBytes: number;
  /** Rotated files kept: app.log.1 (newest) .. app.log.N. */
  readonly keep: number;
}

export const DEFAULT_ROTATION: LogRotation = { maxBytes: 10 * 1024 * 1024, keep: 3 };

export class LogFiles {
  constructor(readonly dir: string, private readonly rotation: LogRotation, private readonly log: Logger) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(app: string): string {
    return join(this.dir, `${app}.log`);
  }

  /** Rotates the file of `app` if it grew past the limit. Errors are logged, never thrown. */
  async rotateIfNeeded(app: string): Promise<boolean> {
    const file = this.pathOf(app);
    try {
      const info = await stat(file).catch(() => undefined);
      if (!info || info.size <= this.rotation.maxBytes) return false;
      await unlink(`${file}.${this.rotation.keep}`).catch(() => undefined);
      for (let i = this.rotation.keep - 1; i >= 1; i--) {
        await rename(`${file}.${i}`, `${file}.${i + 1}`).catch(() => undefined);
      }
      await copyFile(file, `${file}.1`);
      await truncate(file, 0);
      this.log.info('application log rotated', { app, file, bytes: info.size });
      return true;
    } catch (error) {
      this.log.warn('cannot rotate application log', { app, file, error: errorMessage(error) });
      return false;
    }
  }
}
