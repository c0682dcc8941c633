// The ADDP benchmark workload: the status report an application sends over its link (a ~60-byte
// JSON payload), and a byte stream of such MESSAGE frames cut into socket-read-sized chunks.

import { FrameFlags, FrameType, encodeJsonFrame } from '@mlayer/addp';

export interface StatusReport {
  readonly type: 'app-status';
  readonly app: string;
  readonly status: string;
  readonly seq: number;
}

export function statusReport(seq: number): StatusReport {
  return { type: 'app-status', app: 'sip-1', status: 'started', seq };
}

/** What a socket read typically hands over under load: 64 KiB. */
export const CHUNK_BYTES = 64 * 1024;

export interface FrameStream {
  readonly frames: number;
  readonly bytes: number;
  /** The stream cut every CHUNK_BYTES, so frames straddle chunk boundaries as on a real socket. */
  readonly chunks: readonly Buffer[];
}

export function frameStream(frames: number, chunkBytes = CHUNK_BYTES): FrameStream {
  const encoded: Buffer[] = [];
  for (let seq = 0; seq < frames; seq += 1) {
    encoded.push(encodeJsonFrame(FrameType.MESSAGE, FrameFlags.NONE, seq, statusReport(100_000 + seq)));
  }
  const stream = Buffer.concat(encoded);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < stream.length; offset += chunkBytes) {
    // Copies, not views: each chunk is its own allocation, as socket reads are.
    chunks.push(Buffer.from(stream.subarray(offset, offset + chunkBytes)));
  }
  return { frames, bytes: stream.length, chunks };
}
