// Throughput of the ADDP codec on one core: decoding a stream of small MESSAGE frames arriving in
// 64 KiB chunks (with and without JSON.parse of the payloads), and encoding such frames. The
// decoder is compared with a minimal framing loop over the same chunks, the least work any
// decoder must do in JavaScript: read each length, hand out a view of each payload.

import { FrameDecoder, FrameFlags, FrameType, HEADER_SIZE, decodeJsonPayload, encodeFrame, encodeJsonFrame } from '@mlayer/addp';
import type { Measurement } from '../lib/measurement.js';
import { type Throughput, type ThroughputOptions, measureThroughput } from '../lib/throughput.js';
import { CHUNK_BYTES, type FrameStream, frameStream, statusReport } from './workload.js';

/** Frames per decode pass: ~1.3 MB of stream, 20 chunks. */
const FRAMES_PER_PASS = 20_000;
const FRAMES_PER_ENCODE_PASS = 1_000;
const TIMING: ThroughputOptions = { warmupMs: 300, batches: 7, batchMs: 200 };
const DECODE_TARGET_FRAMES_PER_S = 500_000;

function decodePass(stream: FrameStream): number {
  const decoder = new FrameDecoder();
  let frames = 0;
  for (const chunk of stream.chunks) {
    const result = decoder.push(chunk);
    if (result.error) throw result.error;
    frames += result.frames.length;
  }
  return frames;
}

function decodeAndParsePass(stream: FrameStream): number {
  const decoder = new FrameDecoder();
  let frames = 0;
  for (const chunk of stream.chunks) {
    const result = decoder.push(chunk);
    if (result.error) throw result.error;
    for (const frame of result.frames) {
      const decoded = decodeJsonPayload(frame);
      if ('error' in decoded) throw decoded.error;
      frames += 1;
    }
  }
  return frames;
}

/** The reference: framing with nothing but a length read and a payload view per frame. */
function minimalFramingPass(stream: FrameStream): number {
  let frames = 0;
  let rest: Buffer | undefined;
  let sink = 0;
  for (const chunk of stream.chunks) {
    const buf: Buffer = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
    let offset = 0;
    while (buf.length - offset >= HEADER_SIZE) {
      const end = offset + HEADER_SIZE + buf.readUInt32BE(offset + 10);
      if (end > buf.length) break;
      sink += buf.subarray(offset + HEADER_SIZE, end).length;
      frames += 1;
      offset = end;
    }
    rest = offset < buf.length ? buf.subarray(offset) : undefined;
  }
  if (sink === 0) throw new Error('minimal framing saw no payload bytes');
  return frames;
}

function checkDecodes(stream: FrameStream): void {
  const decoder = new FrameDecoder();
  let seq = 0;
  for (const chunk of stream.chunks) {
    const { frames, error } = decoder.push(chunk);
    if (error) throw error;
    for (const frame of frames) {
      const decoded = decodeJsonPayload(frame);
      const value = 'value' in decoded ? (decoded.value as { seq?: unknown }) : undefined;
      if (frame.id !== seq || value?.seq !== 100_000 + seq) throw new Error(`decoder returned a wrong frame at ${seq}`);
      seq += 1;
    }
  }
  if (seq !== stream.frames || minimalFramingPass(stream) !== stream.frames) {
    throw new Error(`decoded ${seq} frames of ${stream.frames}`);
  }
}

function rows(name: string, rate: Throughput, frameBytes: number, extra: Partial<Measurement> = {}): Measurement[] {
  return [
    { name, value: rate.perSecond, unit: 'frames/s', distribution: rate.batches, ...extra },
    { name, value: (rate.perSecond * frameBytes) / 1e6, unit: 'MB/s' },
  ];
}

export function measureCodecThroughput(progress: (message: string) => void): Measurement[] {
  const stream = frameStream(FRAMES_PER_PASS);
  const frameBytes = stream.bytes / stream.frames;
  checkDecodes(stream);
  const chunking = `${FRAMES_PER_PASS} frames of ${frameBytes.toFixed(1)} bytes in ${stream.chunks.length} chunks of ${CHUNK_BYTES / 1024} KiB`;

  const reports = Array.from({ length: FRAMES_PER_ENCODE_PASS }, (_, i) => statusReport(100_000 + i));
  const payloads = reports.map((report) => Buffer.from(JSON.stringify(report)));
  const encodeJsonPass = () => {
    let bytes = 0;
    let id = 0;
    for (const report of reports) bytes += encodeJsonFrame(FrameType.MESSAGE, FrameFlags.NONE, id++, report).length;
    return bytes > 0 ? reports.length : 0;
  };
  const encodeBinaryPass = () => {
    let bytes = 0;
    let id = 0;
    for (const payload of payloads) bytes += encodeFrame(FrameType.MESSAGE, FrameFlags.NONE, id++, payload).length;
    return bytes > 0 ? payloads.length : 0;
  };

  progress(`codec throughput: ${TIMING.batches} rounds of ${TIMING.batchMs} ms batches, 5 workloads taking turns`);
  const { minimal, decode, decodeParse, encodeJson, encodeBinary } = measureThroughput({
    minimal: () => minimalFramingPass(stream),
    decode: () => decodePass(stream),
    decodeParse: () => decodeAndParsePass(stream),
    encodeJson: encodeJsonPass,
    encodeBinary: encodeBinaryPass,
  }, TIMING);

  return [
    ...rows('decode: FrameDecoder.push', decode, frameBytes, {
      target: { of: 'value', op: '>=', threshold: DECODE_TARGET_FRAMES_PER_S },
      limit: { value: minimal.perSecond, source: 'minimal framing loop over the same chunks (length read + payload view per frame)', distribution: minimal.batches },
      note: chunking,
    }),
    { name: 'decode + JSON.parse of payloads', value: decodeParse.perSecond, unit: 'frames/s', distribution: decodeParse.batches },
    ...rows('encode: encodeJsonFrame', encodeJson, frameBytes, { note: 'includes JSON.stringify of the status report' }),
    ...rows('encode: encodeFrame', encodeBinary, frameBytes, { note: 'payload already a Buffer' }),
  ];
}
