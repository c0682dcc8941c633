// The segment being written: puts a batch of lines at the end of it and fsyncs, starts a new
// segment once it is full, and deletes the oldest beyond the retention count (fsyncing the
// directory whenever a file is created or deleted). A failed write leaves the durable size
// unchanged, so the retry rewrites the same bytes at the same place.

import { join } from 'node:path';
import { type Logger, errorMessage } from '@mlayer/common';
import type { JournalFile, JournalFs } from './fs.js';
import { type SegmentInfo, segmentName } from './segments.js';

export interface SegmentWriterOptions {
  readonly maxSegmentBytes: number;
  readonly keepSegments: number;
}

export class SegmentWriter {
  private file: JournalFile | undefined;
  /** Bytes of the current segment known to be complete lines (after the last successful write). */
  private size: number;
  /** The current segment is full (or there is none): the next write starts a new one. */
  private rotateDue: boolean;
  /** A file was created: the directory must be fsynced before a write counts as durable. */
  private dirSyncDue = false;
  /** A write failed: bytes may lie beyond `size`; cut them after the next successful write. */
  private tailDirty = false;

  constructor(
    private readonly fs: JournalFs,
    private readonly dir: string,
    private readonly log: Logger,
    private readonly options: SegmentWriterOptions,
    /** Oldest first, shared with the reader: this class appends and removes entries. */
    readonly segments: SegmentInfo[],
    lastSegmentSize: number,
  ) {
    this.size = lastSegmentSize;
    this.rotateDue = segments.length === 0 || lastSegmentSize >= options.maxSegmentBytes;
  }

  get currentPath(): string | undefined {
    return this.segments.at(-1)?.path;
  }

  /** Writes `data` (whole lines holding seqs first..last) and fsyncs; rejects with the fs error. */
  async write(data: Uint8Array, firstSeq: number, lastSeq: number): Promise<void> {
    try {
      if (this.rotateDue) await this.startSegment();
      const segment = this.segments.at(-1);
      if (segment === undefined) throw new Error('journal writer has no segment'); // startSegment made one
      this.file ??= await this.fs.openForWrite(segment.path);
      await this.file.write(data, this.size);
      if (this.tailDirty) await this.file.truncate(this.size + data.byteLength);
      await this.file.sync();
      if (this.dirSyncDue) {
        await this.fs.syncDir(this.dir);
        this.dirSyncDue = false;
      }
      this.size += data.byteLength;
      this.tailDirty = false;
      segment.firstSeq ??= firstSeq;
      segment.lastSeq = lastSeq;
    } catch (error) {
      // Drop the handle: after a failed fsync its state is unknown. The retry reopens the file.
      this.tailDirty = true;
      await this.closeFile();
      throw error;
    }
    if (this.size >= this.options.maxSegmentBytes) this.rotateDue = true;
    await this.deleteOldSegments();
  }

  async close(): Promise<void> {
    await this.closeFile();
  }

  private async startSegment(): Promise<void> {
    const index = (this.segments.at(-1)?.index ?? 0) + 1;
    const path = join(this.dir, segmentName(index));
    const file = await this.fs.openForWrite(path);
    await this.closeFile();
    this.file = file;
    this.segments.push({ index, path, firstSeq: undefined, lastSeq: undefined });
    this.size = 0;
    this.tailDirty = false;
    this.rotateDue = false;
    this.dirSyncDue = true;
    this.log.debug('journal: started a segment', { file: path });
  }

  /**
   * Runs only after a successful write into the newest segment, so the seq high-water mark is
   * always on disk: a crash can never leave only an empty segment behind.
   */
  private async deleteOldSegments(): Promise<void> {
    let deleted = 0;
    while (this.segments.length > this.options.keepSegments) {
      const oldest = this.segments[0];
      if (oldest === undefined) break;
      try {
        await this.fs.unlink(oldest.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.log.warn('journal: cannot delete an old segment; will retry after the next write', {
            file: oldest.path, error: errorMessage(error),
          });
          break;
        }
      }
      this.segments.shift();
      deleted++;
    }
    if (deleted === 0) return;
    try {
      await this.fs.syncDir(this.dir);
    } catch (error) {
      this.log.warn('journal: cannot fsync the directory after deleting old segments', { dir: this.dir, error: errorMessage(error) });
    }
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    try {
      await file?.close();
    } catch (error) {
      this.log.debug('journal: closing a segment failed', { error: errorMessage(error) });
    }
  }
}
