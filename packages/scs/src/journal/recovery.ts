// Opening an existing journal after a clean stop or a crash: reads every segment in order,
// finds the last seq, skips corrupt lines with a warning, and cuts a torn tail (a write the
// crash interrupted) off the last segment so later appends start on a clean line.

import type { Logger } from '@mlayer/common';
import type { JournalEvent } from '../events.js';
import type { JournalFs } from './fs.js';
import { JournalError } from './errors.js';
import { type SegmentInfo, listSegments, parseSegment } from './segments.js';
import { EventWindow } from './window.js';

export interface RecoveredJournal {
  /** Oldest first; the last one is where appends go (may be empty). */
  readonly segments: SegmentInfo[];
  /** Size in bytes of the last segment after repair (0 when there is none). */
  readonly lastSegmentSize: number;
  readonly lastSeq: number;
  /** The most recent events, for the in-memory window. */
  readonly recent: EventWindow;
}

export async function recoverJournal(fs: JournalFs, dir: string, log: Logger, memoryEvents: number): Promise<RecoveredJournal> {
  const files = await listSegments(fs, dir);
  const segments: SegmentInfo[] = [];
  const recent = new EventWindow(memoryEvents);
  let lastSeq = 0;
  let lastSegmentSize = 0;

  for (const [i, file] of files.entries()) {
    const isLast = i === files.length - 1;
    const data = await fs.readFile(file.path);
    const { lines, unterminatedAt } = parseSegment(data);
    const segment: SegmentInfo = { index: file.index, path: file.path, firstSeq: undefined, lastSeq: undefined };
    const skipped: Array<{ offset: number; problem: string }> = [];
    let validEnd = 0;

    for (const line of lines) {
      const { event } = line;
      if (event === undefined || event.seq <= lastSeq) {
        const problem = event === undefined ? (line.problem ?? 'invalid') : `seq ${event.seq} does not follow ${lastSeq}`;
        skipped.push({ offset: line.offset, problem });
        continue;
      }
      accept(event);
      segment.firstSeq ??= event.seq;
      segment.lastSeq = event.seq;
      validEnd = line.end + 1;
    }

    // In the last segment, whatever follows the last good line is the write a crash cut short
    // (a partial line, or a block of zeros the file system extended the file with).
    const tornAt = isLast && validEnd < data.length ? validEnd : undefined;
    for (const bad of skipped) {
      if (tornAt !== undefined && bad.offset >= tornAt) continue;
      log.warn('journal: skipped a corrupt line', { file: file.path, offset: bad.offset, problem: bad.problem });
    }
    if (!isLast && unterminatedAt !== undefined) {
      log.warn('journal: skipped an unterminated line at the end of a closed segment', { file: file.path, offset: unterminatedAt });
    }
    if (tornAt !== undefined) {
      log.warn('journal: torn last line after a crash; truncating it', {
        file: file.path, offset: tornAt, bytes: data.length - tornAt, lastSeq,
      });
      try {
        await fs.truncate(file.path, tornAt);
      } catch (error) {
        throw new JournalError(`cannot truncate the torn end of journal segment ${file.path} at byte ${tornAt}: check the disk`, { cause: error });
      }
    }
    if (isLast) lastSegmentSize = tornAt ?? data.length;
    segments.push(segment);
  }
  return { segments, lastSegmentSize, lastSeq, recent };

  function accept(event: JournalEvent): void {
    lastSeq = event.seq;
    recent.push(Object.freeze(event));
    recent.trim(lastSeq);
  }
}
