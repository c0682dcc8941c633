// The journal's file-system layer: the few fs/promises calls it makes, behind an interface so
// tests can count fsyncs and simulate a full disk (ENOSPC) or a failing device (EIO).

import { constants } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';

/** An open segment file, written at explicit positions so a failed write can be redone in place. */
export interface JournalFile {
  /** Writes all of `data` at byte `position`. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** fsync(2). */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface JournalFs {
  /** Creates `dir` and its parents; no error if it exists. True when it did not exist. */
  mkdir(dir: string): Promise<boolean>;
  readdir(dir: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  /** Opens `path` for writing, creating it (empty) if missing and never truncating it. */
  openForWrite(path: string): Promise<JournalFile>;
  /** Cuts `path` to `length` bytes and fsyncs it. */
  truncate(path: string, length: number): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Renames a file or a directory (a diverged journal is set aside whole). */
  rename(from: string, to: string): Promise<void>;
  /** fsyncs the directory itself, so a created or deleted file survives a crash. */
  syncDir(dir: string): Promise<void>;
}

export const nodeJournalFs: JournalFs = {
  async mkdir(dir) {
    return (await mkdir(dir, { recursive: true })) !== undefined;
  },
  readdir: (dir) => readdir(dir),
  readFile: (path) => readFile(path),
  async openForWrite(path) {
    // Not O_APPEND: with it, Linux ignores the position and a retried write would land after
    // the bytes a failed one left behind.
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT, 0o644);
    return {
      async write(data, position) {
        let done = 0;
        while (done < data.byteLength) {
          const { bytesWritten } = await handle.write(data, done, data.byteLength - done, position + done);
          done += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  async truncate(path, length) {
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async unlink(path) {
    await unlink(path);
  },
  async rename(from, to) {
    await rename(from, to);
  },
  async syncDir(dir) {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
