// Durable storage that lives in memory and crashes like a disk: bytes written but not fsynced are
// lost when the process owning them crashes (or survive only in part: a torn write), and every
// handle of the crashed process goes dead. One MemoryDisk is one machine's disk; it outlives the
// processes that write to it, so a restarted SCS or LCA finds what the crashed one made durable.

import { dirname } from 'node:path';
import type { PersistedState } from '@mlayer/lca/internal';
import { emptyState } from '@mlayer/lca/internal';
import type { EpochStorage, JournalFile, JournalFs } from '@mlayer/scs/internal';

/** A file's bytes in a buffer that grows by doubling (appends must not copy the whole file). */
class StoredFile {
  private bytes = Buffer.alloc(256);
  /** What reads see (the page cache) ends here. */
  length = 0;
  /** What survives a crash: the first `synced` bytes (the journal only appends and truncates). */
  synced = 0;

  get data(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  write(data: Uint8Array, position: number): void {
    const end = position + data.byteLength;
    if (end > this.bytes.length) {
      const grown = Buffer.alloc(Math.max(end, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    if (position > this.length) this.bytes.fill(0, this.length, position);
    this.bytes.set(data, position);
    this.length = Math.max(this.length, end);
    if (position < this.synced) this.synced = position; // rewriting durable bytes: not durable until the next sync
  }

  truncate(length: number): void {
    this.length = Math.min(this.length, length);
    this.synced = Math.min(this.synced, this.length);
  }
}

function ioError(code: string, what: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${what}`), { code });
}

export class MemoryDisk {
  private readonly files = new Map<string, StoredFile>();
  private readonly dirs = new Set<string>();
  /** Handles of an earlier generation belong to a crashed process. */
  private generation = 0;
  /** The LCA's state file and the SCS's epoch, written atomically (temp file + rename + fsync). */
  private lcaState: PersistedState = emptyState();
  private epoch = 0;
  /** A full disk: saving the SCS's epoch fails with ENOSPC (the scenario of a backup that must still take over). */
  full = false;

  /**
   * The writer crashed: unsynced bytes are lost, except that a write in flight may have reached
   * the disk in part (`keep` chooses how many of the unsynced bytes of a file survive).
   */
  crash(keep: (unsynced: number) => number = () => 0): void {
    this.generation += 1;
    for (const file of this.files.values()) {
      const unsynced = file.length - file.synced;
      file.length = file.synced + (unsynced > 0 ? Math.min(unsynced, Math.max(0, keep(unsynced))) : 0);
      file.synced = file.length;
    }
  }

  /** The journal's file system, for the process started now (dead after the next crash). */
  journalFs(): JournalFs {
    const generation = this.generation;
    const check = (what: string) => {
      if (generation !== this.generation) throw ioError('EIO', `${what}: the process that opened it crashed`);
    };
    const file = (path: string): StoredFile => {
      const found = this.files.get(path);
      if (!found) throw ioError('ENOENT', path);
      return found;
    };
    return {
      mkdir: async (dir) => {
        check(dir);
        const created = !this.dirs.has(dir);
        for (let d = dir; d !== dirname(d); d = dirname(d)) this.dirs.add(d);
        return created;
      },
      readdir: async (dir) => {
        check(dir);
        if (!this.dirs.has(dir)) throw ioError('ENOENT', dir);
        return [...this.files.keys()].filter((p) => dirname(p) === dir).map((p) => p.slice(dir.length + 1)).sort();
      },
      readFile: async (path) => {
        check(path);
        return Buffer.from(file(path).data);
      },
      openForWrite: async (path): Promise<JournalFile> => {
        check(path);
        if (!this.dirs.has(dirname(path))) throw ioError('ENOENT', dirname(path));
        if (!this.files.has(path)) this.files.set(path, new StoredFile());
        let open = true;
        const live = () => {
          check(path);
          if (!open) throw ioError('EBADF', path);
          return file(path);
        };
        return {
          write: async (data, position) => {
            live().write(data, position);
          },
          sync: async () => {
            const f = live();
            f.synced = f.length;
          },
          truncate: async (length) => {
            live().truncate(length);
          },
          close: async () => {
            open = false;
          },
        };
      },
      truncate: async (path, length) => {
        check(path);
        const f = file(path);
        f.truncate(length);
        f.synced = f.length;
      },
      unlink: async (path) => {
        check(path);
        file(path);
        this.files.delete(path);
      },
      rename: async (from, to) => {
        check(from);
        const moved = (path: string) => (path === from || path.startsWith(`${from}/`) ? `${to}${path.slice(from.length)}` : undefined);
        if (!this.dirs.has(from) && !this.files.has(from)) throw ioError('ENOENT', from);
        for (const [path, f] of [...this.files]) {
          const target = moved(path);
          if (target === undefined) continue;
          this.files.delete(path);
          this.files.set(target, f);
        }
        for (const dir of [...this.dirs]) {
          const target = moved(dir);
          if (target === undefined) continue;
          this.dirs.delete(dir);
          this.dirs.add(target);
        }
      },
      syncDir: async (dir) => {
        check(dir);
      },
    };
  }

  /** Every event line durable in `dir`'s segments, oldest first (what a crash cannot take back). */
  syncedLines(dir: string): string[] {
    return [...this.files.entries()]
      .filter(([path]) => dirname(path) === dir)
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([, f]) => f.data.subarray(0, f.synced).toString('utf8').split('\n').filter((line) => line.length > 0));
  }

  /** The LCA's state store for the LCA started now. */
  lcaStore(dir: string): { readonly dir: string; load(): PersistedState; save(state: PersistedState | (() => PersistedState)): Promise<void> } {
    const generation = this.generation;
    return {
      dir,
      load: () => structuredClone(this.lcaState),
      save: async (state) => {
        // A save is atomic (rename); one that a crash overtook never happened.
        if (generation === this.generation) this.lcaState = structuredClone(typeof state === 'function' ? state() : state);
      },
    };
  }

  epochStore(): EpochStorage {
    const generation = this.generation;
    return {
      load: async () => this.epoch,
      save: async (epoch) => {
        if (generation !== this.generation) throw ioError('EIO', 'epoch: the process that opened it crashed');
        if (this.full) throw ioError('ENOSPC', 'epoch: no space left on device');
        this.epoch = epoch;
      },
    };
  }
}
