// Segment files on disk: their names (events-000001.jsonl), listing them in order, splitting
// one into JSON lines and checking each line is a journal event. Pure parsing, no repair:
// recovery.ts decides what a bad line means.

import { join } from 'node:path';
import type { JournalEvent } from '../events.js';
import type { JournalFs } from './fs.js';

const SEGMENT_NAME = /^events-(\d+)\.jsonl$/;
const NEWLINE = 0x0a;

/** What the journal knows about one segment file. The last one in a list is being written. */
export interface SegmentInfo {
  readonly index: number;
  readonly path: string;
  /** Seqs of the first and last event in the file (undefined: no event yet). */
  firstSeq: number | undefined;
  lastSeq: number | undefined;
}

export function segmentName(index: number): string {
  return `events-${String(index).padStart(6, '0')}.jsonl`;
}

/** The segment files of `dir`, oldest first; other files are ignored. */
export async function listSegments(fs: JournalFs, dir: string): Promise<Array<{ index: number; path: string }>> {
  const found: Array<{ index: number; path: string }> = [];
  for (const name of await fs.readdir(dir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match?.[1] !== undefined) found.push({ index: Number(match[1]), path: join(dir, name) });
  }
  return found.sort((a, b) => a.index - b.index);
}

/** One '\n'-terminated line: its byte range (end excludes the '\n') and the event, if valid. */
export interface SegmentLine {
  readonly offset: number;
  readonly end: number;
  readonly event: JournalEvent | undefined;
  /** Why the line is not an event (set when `event` is undefined). */
  readonly problem?: string;
}

export interface ParsedSegment {
  readonly lines: SegmentLine[];
  /** Byte offset of bytes after the last '\n' (a line never terminated), or undefined. */
  readonly unterminatedAt: number | undefined;
}

export function parseSegment(data: Buffer): ParsedSegment {
  const lines: SegmentLine[] = [];
  let offset = 0;
  while (offset < data.length) {
    const end = data.indexOf(NEWLINE, offset);
    if (end === -1) return { lines, unterminatedAt: offset };
    lines.push({ offset, end, ...parseLine(data.subarray(offset, end)) });
    offset = end + 1;
  }
  return { lines, unterminatedAt: undefined };
}

function parseLine(bytes: Buffer): { event: JournalEvent | undefined; problem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { event: undefined, problem: `not JSON (${(error as Error).message})` };
  }
  if (!isJournalEvent(value)) return { event: undefined, problem: 'not a journal event (needs seq, time and type)' };
  return { event: value };
}

function isJournalEvent(value: unknown): value is JournalEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { seq, time, type } = value as Record<string, unknown>;
  return Number.isSafeInteger(seq) && (seq as number) > 0 && typeof time === 'string' && typeof type === 'string';
}

/**
 * The events of one segment file with seq > `after`, in file order, skipping bad lines and an
 * unterminated tail (a write in progress). A file deleted meanwhile reads as empty.
 */
export async function readSegmentEvents(fs: JournalFs, path: string, after: number): Promise<JournalEvent[]> {
  let data: Buffer;
  try {
    data = await fs.readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const events: JournalEvent[] = [];
  let last = after;
  for (const { event } of parseSegment(data).lines) {
    if (event !== undefined && event.seq > last) {
      events.push(event);
      last = event.seq;
    }
  }
  return events;
}
