// Frame codec: encoder/decoder round trips, every chunking, size limits, garbage, and fast-check
// properties over random, valid and corrupted streams.

import { expect } from 'chai';
import fc from 'fast-check';
import sinon from 'sinon';
import { MlayerError } from '@mlayer/common';
import {
  DEFAULT_MAX_FRAME_SIZE,
  FrameDecoder,
  FrameFlags,
  FrameType,
  HEADER_SIZE,
  MAGIC,
  PROTOCOL_VERSION,
  ProtocolError,
  decodeJsonPayload,
  encodeFrame,
  encodeJsonFrame,
  type Frame,
} from '@mlayer/addp/internal';

/** A frame as plain data, so chai can compare it and a failure message shows the bytes. */
interface Plain {
  type: number;
  flags: number;
  id: number;
  payload: string;
}

const plain = (frame: Frame): Plain => ({ type: frame.type, flags: frame.flags, id: frame.id, payload: frame.payload.toString('hex') });

interface Outcome {
  frames: Plain[];
  code: string | undefined;
}

/** Feeds `chunks` in order and collects every frame and the first error's code. */
function decodeChunks(chunks: readonly Buffer[], decoder = new FrameDecoder()): Outcome {
  const frames: Plain[] = [];
  let code: string | undefined;
  for (const chunk of chunks) {
    const result = decoder.push(chunk);
    frames.push(...result.frames.map(plain));
    if (result.error && code === undefined) code = result.error.code;
  }
  return { frames, code };
}

function splitAt(buf: Buffer, ...cuts: number[]): Buffer[] {
  const points = [0, ...cuts, buf.length];
  return points.slice(1).map((end, i) => buf.subarray(points[i], end));
}

function bytewise(buf: Buffer): Buffer[] {
  return Array.from(buf, (byte) => Buffer.from([byte]));
}

/** A raw 14-byte header, for headers the encoder would never write. */
function rawHeader(fields: { magic?: number; version?: number; type?: number; flags?: number; id?: number; length?: number }): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  buf.writeUInt16BE(fields.magic ?? MAGIC, 0);
  buf.writeUInt8(fields.version ?? PROTOCOL_VERSION, 2);
  buf.writeUInt8(fields.type ?? FrameType.MESSAGE, 3);
  buf.writeUInt16BE(fields.flags ?? 0, 4);
  buf.writeUInt32BE(fields.id ?? 0, 6);
  buf.writeUInt32BE(fields.length ?? 0, 10);
  return buf;
}

const ALL_TYPES = Object.values(FrameType);
const MESSAGE_FLAG_COMBINATIONS = [0, 1, 2, 3, 4, 5, 6, 7].map(
  (bits) => (bits & 1 ? FrameFlags.REQUEST : 0) | (bits & 2 ? FrameFlags.RESPONSE : 0) | (bits & 4 ? FrameFlags.ERROR : 0),
);

interface Sample {
  name: string;
  bytes: Buffer;
  expected: Plain;
}

function sample(name: string, type: FrameType, flags: number, id: number, payload: Buffer): Sample {
  return { name, bytes: encodeFrame(type, flags, id, payload), expected: { type, flags, id, payload: payload.toString('hex') } };
}

function jsonSample(name: string, type: FrameType, flags: number, id: number, value: unknown): Sample {
  const payload = Buffer.from(JSON.stringify(value));
  return { name, bytes: encodeJsonFrame(type, flags, id, value), expected: { type, flags, id, payload: payload.toString('hex') } };
}

const SAMPLES: Sample[] = [
  jsonSample('HELLO', FrameType.HELLO, 0, 0, { versions: [1], timeoutMs: 3000, remoteTimeoutMs: 3000, trace: 'off', name: 'lca-é' }),
  jsonSample('HELLO_ACK', FrameType.HELLO_ACK, 0, 0, { version: 1, timeoutMs: 3000, remoteTimeoutMs: 0, trace: 'full' }),
  sample('POLL with id 0', FrameType.POLL, 0, 0, Buffer.alloc(0)),
  sample('POLL with id 0xffffffff', FrameType.POLL, 0, 0xffffffff, Buffer.alloc(0)),
  sample('POLL_ACK', FrameType.POLL_ACK, 0, 0xffffffff, Buffer.alloc(0)),
  ...MESSAGE_FLAG_COMBINATIONS.map((flags, i) =>
    jsonSample(`MESSAGE with flags 0x${flags.toString(16)}`, FrameType.MESSAGE, flags, 1000 + i, { op: 'status', app: 'stat-a', i }),
  ),
  sample('MESSAGE with every flag bit and a binary payload', FrameType.MESSAGE, 0xffff, 0x80000000, Buffer.from([0, 0xad, 0xd9, 1, 255, 0])),
  jsonSample('CLOSE', FrameType.CLOSE, 0, 7, { reason: 'shutdown' }),
];

const STREAM = Buffer.concat(SAMPLES.map((s) => s.bytes));
const STREAM_FRAMES = SAMPLES.map((s) => s.expected);

describe('ADDP frame codec', () => {
  describe('round trip', () => {
    for (const s of SAMPLES) {
      it(`decodes ${s.name} to the same type, flags, id and payload bytes`, () => {
        expect(decodeChunks([s.bytes])).to.deep.equal({ frames: [s.expected], code: undefined });
      });
    }

    it('covers every frame type and every MESSAGE flag combination', () => {
      expect(new Set(SAMPLES.map((s) => s.expected.type))).to.deep.equal(new Set(ALL_TYPES));
      const messageFlags = SAMPLES.filter((s) => s.expected.type === FrameType.MESSAGE).map((s) => s.expected.flags);
      expect(messageFlags).to.include.members(MESSAGE_FLAG_COMBINATIONS);
    });

    it('writes the documented 14-byte big-endian header', () => {
      const bytes = encodeFrame(FrameType.MESSAGE, FrameFlags.REQUEST | FrameFlags.RESPONSE, 0x01020304, Buffer.from('hi'));
      expect(bytes.toString('hex')).to.equal('add9' + '01' + '05' + '0003' + '01020304' + '00000002' + '6869');
    });

    it('writes an empty payload when none is given and JSON null for an undefined value', () => {
      expect(encodeFrame(FrameType.POLL, 0, 1)).to.have.length(HEADER_SIZE);
      const [frame] = new FrameDecoder().push(encodeJsonFrame(FrameType.MESSAGE, 0, 1, undefined)).frames;
      expect(frame?.payload.toString()).to.equal('null');
    });

    it('parses a JSON payload back to the same value, counting multi-byte characters as bytes', () => {
      const value = { text: 'naïve €uro ✓', n: [1, 2.5, null], nested: { ok: true } };
      const bytes = encodeJsonFrame(FrameType.MESSAGE, 0, 9, value);
      expect(bytes.readUInt32BE(10)).to.equal(Buffer.byteLength(JSON.stringify(value)));
      const [frame] = new FrameDecoder().push(bytes).frames;
      expect(frame && decodeJsonPayload(frame)).to.deep.equal({ value });
    });

    it('reads an empty payload as no value', () => {
      const [frame] = new FrameDecoder().push(encodeFrame(FrameType.CLOSE, 0, 0)).frames;
      expect(frame && decodeJsonPayload(frame)).to.deep.equal({ value: undefined });
    });
  });

  describe('chunking', () => {
    for (const s of SAMPLES) {
      it(`decodes ${s.name} identically when split at every byte boundary`, () => {
        for (let cut = 0; cut <= s.bytes.length; cut++) {
          expect(decodeChunks(splitAt(s.bytes, cut)), `split at ${cut}`).to.deep.equal({ frames: [s.expected], code: undefined });
        }
        expect(decodeChunks(bytewise(s.bytes)), '1-byte chunks').to.deep.equal({ frames: [s.expected], code: undefined });
      });
    }

    it('decodes a sequence of every sample identically when split at every byte boundary', () => {
      for (let cut = 0; cut <= STREAM.length; cut++) {
        expect(decodeChunks(splitAt(STREAM, cut)), `split at ${cut}`).to.deep.equal({ frames: STREAM_FRAMES, code: undefined });
      }
    });

    it('decodes a sequence split into three pieces at every pair of boundaries in its first frames', () => {
      const head = Buffer.concat(SAMPLES.slice(2, 7).map((s) => s.bytes));
      const expected = SAMPLES.slice(2, 7).map((s) => s.expected);
      for (let a = 0; a <= head.length; a++) {
        for (let b = a; b <= head.length; b++) {
          expect(decodeChunks(splitAt(head, a, b)), `split at ${a}, ${b}`).to.deep.equal({ frames: expected, code: undefined });
        }
      }
    });

    it('decodes a sequence fed one byte at a time, holding nothing once the last byte is in', () => {
      const decoder = new FrameDecoder();
      expect(decodeChunks(bytewise(STREAM), decoder)).to.deep.equal({ frames: STREAM_FRAMES, code: undefined });
      expect(decoder.bufferedBytes).to.equal(0);
    });

    it('returns every frame of a chunk that holds many frames, in order', () => {
      const many = Array.from({ length: 500 }, (_, i) => encodeFrame(FrameType.POLL, 0, i));
      const { frames, error } = new FrameDecoder().push(Buffer.concat(many));
      expect(error).to.equal(undefined);
      expect(frames.map((f) => f.id)).to.deep.equal(Array.from({ length: 500 }, (_, i) => i));
    });

    it('holds only the incomplete tail of a chunk and completes it with the next one', () => {
      const decoder = new FrameDecoder();
      const cut = STREAM.length - 5;
      const first = decoder.push(STREAM.subarray(0, cut));
      expect(first.frames.map(plain)).to.deep.equal(STREAM_FRAMES.slice(0, -1));
      expect(decoder.bufferedBytes).to.equal(SAMPLES.at(-1)!.bytes.length - 5);
      expect(decoder.push(STREAM.subarray(cut)).frames.map(plain)).to.deep.equal(STREAM_FRAMES.slice(-1));
      expect(decoder.bufferedBytes).to.equal(0);
    });

    it('ignores an empty chunk', () => {
      const decoder = new FrameDecoder();
      expect(decoder.push(Buffer.alloc(0))).to.deep.equal({ frames: [] });
      decoder.push(STREAM.subarray(0, 3));
      expect(decoder.push(Buffer.alloc(0))).to.deep.equal({ frames: [] });
      expect(decoder.bufferedBytes).to.equal(3);
    });
  });

  describe('frame size limit', () => {
    afterEach(() => sinon.restore());

    it('rejects a 4 GiB length before buffering any payload', () => {
      const concat = sinon.spy(Buffer, 'concat');
      const decoder = new FrameDecoder();
      const result = decoder.push(rawHeader({ length: 0xffffffff }));
      expect(result.frames).to.deep.equal([]);
      expect(result.error?.code).to.equal('ADDP_FRAME_TOO_LARGE');
      expect(result.error?.message).to.match(/4294967295 bytes exceeds the maximum of 1048576 bytes/);
      expect(decoder.bufferedBytes).to.equal(0);
      expect(concat.called).to.equal(false);
    });

    it('rejects a 4 GiB length the moment the 14th header byte arrives one byte at a time', () => {
      const concat = sinon.spy(Buffer, 'concat');
      const decoder = new FrameDecoder();
      const header = rawHeader({ length: 0xffffffff });
      for (let i = 0; i < HEADER_SIZE - 1; i++) {
        expect(decoder.push(header.subarray(i, i + 1)).error, `byte ${i}`).to.equal(undefined);
        expect(decoder.bufferedBytes).to.equal(i + 1);
      }
      expect(decoder.push(header.subarray(HEADER_SIZE - 1)).error?.code).to.equal('ADDP_FRAME_TOO_LARGE');
      expect(decoder.bufferedBytes).to.equal(0);
      for (const call of concat.getCalls()) expect(call.returnValue.length).to.be.at.most(HEADER_SIZE);
    });

    it('accepts a payload of exactly 1 MiB by default and rejects 1 MiB + 1 at its header', () => {
      const payload = Buffer.alloc(DEFAULT_MAX_FRAME_SIZE, 7);
      const ok = new FrameDecoder().push(encodeFrame(FrameType.MESSAGE, 0, 1, payload));
      expect(ok.error).to.equal(undefined);
      expect(ok.frames[0]?.payload.equals(payload)).to.equal(true);

      const decoder = new FrameDecoder();
      const result = decoder.push(rawHeader({ length: DEFAULT_MAX_FRAME_SIZE + 1 }));
      expect(result.error?.code).to.equal('ADDP_FRAME_TOO_LARGE');
      expect(decoder.bufferedBytes).to.equal(0);
    });

    it('enforces a configured smaller maximum at the header, not after the payload', () => {
      const decoder = new FrameDecoder({ maxFrameSize: 16 });
      expect(decoder.maxFrameSize).to.equal(16);
      const fits = decoder.push(encodeFrame(FrameType.MESSAGE, 0, 1, Buffer.alloc(16)));
      expect(fits.frames).to.have.length(1);
      const tooBig = decoder.push(rawHeader({ length: 17 }));
      expect(tooBig.error?.code).to.equal('ADDP_FRAME_TOO_LARGE');
      expect(tooBig.error?.message).to.match(/17 bytes exceeds the maximum of 16 bytes/);
    });

    it('buffers a large frame as it arrives without allocating its full size up front', () => {
      const header = rawHeader({ length: DEFAULT_MAX_FRAME_SIZE });
      const start = Buffer.from('abc');
      const decoder = new FrameDecoder();
      const alloc = sinon.spy(Buffer, 'alloc');
      const allocUnsafe = sinon.spy(Buffer, 'allocUnsafe');
      const concat = sinon.spy(Buffer, 'concat');
      decoder.push(header);
      decoder.push(start);
      expect(decoder.bufferedBytes).to.equal(HEADER_SIZE + 3);
      expect(alloc.called || allocUnsafe.called || concat.called).to.equal(false);
    });

    it('refuses to encode a payload above the maximum with ADDP_FRAME_TOO_LARGE, as a local error', () => {
      const encodeTooLarge = () => encodeFrame(FrameType.MESSAGE, 0, 1, Buffer.alloc(DEFAULT_MAX_FRAME_SIZE + 1));
      expect(encodeTooLarge).to.throw(MlayerError).with.property('code', 'ADDP_FRAME_TOO_LARGE');
      expect(encodeTooLarge).to.throw(/1048577 bytes exceeds the maximum of 1048576 bytes/);
      try {
        encodeTooLarge();
      } catch (err) {
        expect(err).not.to.be.instanceOf(ProtocolError);
      }
      expect(encodeFrame(FrameType.MESSAGE, 0, 1, Buffer.alloc(8), 8)).to.have.length(HEADER_SIZE + 8);
      expect(() => encodeFrame(FrameType.MESSAGE, 0, 1, Buffer.alloc(9), 8)).to.throw(MlayerError).with.property('code', 'ADDP_FRAME_TOO_LARGE');
    });

    it('refuses to encode JSON whose UTF-8 bytes exceed the maximum even when its characters do not', () => {
      const value = '€'.repeat(5); // 7 characters of JSON, 17 bytes
      expect(() => encodeJsonFrame(FrameType.MESSAGE, 0, 1, value, 16)).to.throw(MlayerError).with.property('code', 'ADDP_FRAME_TOO_LARGE');
      expect(encodeJsonFrame(FrameType.MESSAGE, 0, 1, value, 17)).to.have.length(HEADER_SIZE + 17);
    });
  });

  describe('protocol errors', () => {
    const valid = encodeFrame(FrameType.POLL, 0, 42);

    it('refuses a header with bad magic with ADDP_BAD_MAGIC', () => {
      const { frames, error } = new FrameDecoder().push(rawHeader({ magic: 0x1234 }));
      expect(frames).to.deep.equal([]);
      expect(error).to.be.instanceOf(ProtocolError);
      expect(error?.code).to.equal('ADDP_BAD_MAGIC');
      expect(error?.message).to.match(/bad magic 0x1234/);
    });

    for (const version of [0, 2, 255]) {
      it(`refuses frame version ${version} with ADDP_BAD_VERSION`, () => {
        const { error } = new FrameDecoder().push(rawHeader({ version }));
        expect(error?.code).to.equal('ADDP_BAD_VERSION');
        expect(error?.message).to.contain(`unsupported frame version ${version}`);
      });
    }

    for (const type of [0, 7, 255]) {
      it(`refuses unknown frame type ${type} with ADDP_BAD_TYPE`, () => {
        const { error } = new FrameDecoder().push(rawHeader({ type }));
        expect(error?.code).to.equal('ADDP_BAD_TYPE');
        expect(error?.message).to.contain(`unknown frame type ${type}`);
      });
    }

    it('refuses garbage on its first byte', () => {
      const decoder = new FrameDecoder();
      const { error } = decoder.push(Buffer.from('G'));
      expect(error?.code).to.equal('ADDP_BAD_MAGIC');
      expect(decoder.bufferedBytes).to.equal(0);
    });

    it('refuses an HTTP request on its first byte even when it arrives in one chunk', () => {
      expect(new FrameDecoder().push(Buffer.from('GET / HTTP/1.1\r\n\r\n')).error?.code).to.equal('ADDP_BAD_MAGIC');
    });

    it('refuses a right first magic byte followed by a wrong second one on the second byte', () => {
      const decoder = new FrameDecoder();
      expect(decoder.push(Buffer.from([MAGIC >> 8])).error).to.equal(undefined);
      expect(decoder.push(Buffer.from([0x00])).error?.code).to.equal('ADDP_BAD_MAGIC');
    });

    it('refuses an unknown version on the third byte, before the header is complete', () => {
      const decoder = new FrameDecoder();
      expect(decoder.push(Buffer.from([0xad, 0xd9])).error).to.equal(undefined);
      expect(decoder.push(Buffer.from([2])).error?.code).to.equal('ADDP_BAD_VERSION');
    });

    it('still returns the frames decoded before an error in the same chunk', () => {
      for (const [tail, code] of [
        [rawHeader({ magic: 0xbeef }), 'ADDP_BAD_MAGIC'],
        [Buffer.from([0x00]), 'ADDP_BAD_MAGIC'],
        [Buffer.from([0xad, 0xd9, 9]), 'ADDP_BAD_VERSION'],
        [rawHeader({ type: 99 }), 'ADDP_BAD_TYPE'],
        [rawHeader({ length: 0xffffffff }), 'ADDP_FRAME_TOO_LARGE'],
      ] as const) {
        const decoder = new FrameDecoder();
        const { frames, error } = decoder.push(Buffer.concat([valid, STREAM, tail]));
        expect(frames.map(plain)).to.deep.equal([plain({ type: FrameType.POLL, flags: 0, id: 42, payload: Buffer.alloc(0) }), ...STREAM_FRAMES]);
        expect(error?.code).to.equal(code);
        expect(decoder.bufferedBytes).to.equal(0);
      }
    });

    it('returns the same error and no frames for everything after an error', () => {
      const decoder = new FrameDecoder();
      const first = decoder.push(Buffer.concat([Buffer.from([0xff]), valid]));
      expect(first.frames).to.deep.equal([]);
      const firstError = first.error;
      expect(firstError?.code).to.equal('ADDP_BAD_MAGIC');
      for (const chunk of [valid, STREAM, Buffer.alloc(0), Buffer.from([0xad])]) {
        const again = decoder.push(chunk);
        expect(again.frames).to.deep.equal([]);
        expect(again.error).to.equal(firstError);
      }
      expect(decoder.error).to.equal(firstError);
      expect(decoder.bufferedBytes).to.equal(0);
    });

    it('reports invalid JSON in a payload as ADDP_BAD_PAYLOAD naming the frame', () => {
      const [frame] = new FrameDecoder().push(encodeFrame(FrameType.MESSAGE, 0, 77, Buffer.from('{"op":'))).frames;
      const result = frame && decodeJsonPayload(frame);
      expect(result && 'error' in result).to.equal(true);
      if (result && 'error' in result) {
        expect(result.error).to.be.instanceOf(ProtocolError);
        expect(result.error.code).to.equal('ADDP_BAD_PAYLOAD');
        expect(result.error.message).to.equal('MESSAGE frame 77 carries invalid JSON');
        expect(result.error.cause).to.be.instanceOf(SyntaxError);
      }
    });
  });

  describe('properties (fast-check, fixed seeds)', () => {
    /** Cuts `buf` after each size in turn (cycling), so a short size list still covers a long buffer. */
    function chunked(buf: Buffer, sizes: readonly number[]): Buffer[] {
      if (sizes.length === 0) return [buf];
      const chunks: Buffer[] = [];
      for (let offset = 0, i = 0; offset < buf.length; i++) {
        const size = sizes[i % sizes.length] ?? 1;
        chunks.push(buf.subarray(offset, offset + size));
        offset += size;
      }
      return chunks;
    }

    const sizesArb = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 12 });

    /** Decodes chunk by chunk, checking the decoder's invariants after every push. */
    function decodeChecked(chunks: readonly Buffer[], maxFrameSize: number): Outcome {
      const decoder = new FrameDecoder({ maxFrameSize });
      const out: Outcome = { frames: [], code: undefined };
      for (const chunk of chunks) {
        const result = decoder.push(chunk);
        if (out.code !== undefined) {
          expect(result.frames).to.deep.equal([]);
          expect(result.error?.code).to.equal(out.code);
          continue;
        }
        out.frames.push(...result.frames.map(plain));
        if (result.error) {
          expect(result.error).to.be.instanceOf(ProtocolError);
          out.code = result.error.code;
          expect(decoder.bufferedBytes).to.equal(0);
        }
        expect(decoder.bufferedBytes).to.be.below(HEADER_SIZE + maxFrameSize);
        for (const frame of result.frames) expect(frame.payload.length).to.be.at.most(maxFrameSize);
      }
      return out;
    }

    const frameArb = fc.record({
      type: fc.constantFrom(...ALL_TYPES),
      flags: fc.integer({ min: 0, max: 0xffff }),
      id: fc.integer({ min: 0, max: 0xffffffff }),
      payload: fc.uint8Array({ maxLength: 120 }),
    });
    const framesArb = fc.array(frameArb, { maxLength: 8 });
    const encodeAll = (frames: ReadonlyArray<{ type: FrameType; flags: number; id: number; payload: Uint8Array }>) =>
      Buffer.concat(frames.map((f) => encodeFrame(f.type, f.flags, f.id, Buffer.from(f.payload))));

    it('never throws on random bytes in random chunks, and decodes them the same way under any chunking', () => {
      // Half the inputs start with a valid magic and version, so the parser gets past the first bytes.
      const bytesArb = fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }).map((rest) => Uint8Array.from([0xad, 0xd9, 1, ...rest])),
      );
      fc.assert(
        fc.property(bytesArb, sizesArb, (bytes, sizes) => {
          const buf = Buffer.from(bytes);
          const whole = decodeChecked([buf], 64);
          expect(decodeChecked(chunked(buf, sizes), 64)).to.deep.equal(whole);
        }),
        { seed: 0x5eed0001, numRuns: 5000 },
      );
    });

    it('round-trips random valid frame sequences exactly under random chunking', () => {
      fc.assert(
        fc.property(framesArb, sizesArb, (frames, sizes) => {
          const expected = frames.map((f) => ({ type: f.type, flags: f.flags, id: f.id, payload: Buffer.from(f.payload).toString('hex') }));
          expect(decodeChecked(chunked(encodeAll(frames), sizes), 120)).to.deep.equal({ frames: expected, code: undefined });
        }),
        { seed: 0x5eed0002, numRuns: 3000 },
      );
    });

    it('never throws on a valid stream with random corruption, and keeps every frame before the first corrupt byte', () => {
      const corruptionArb = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 });
      fc.assert(
        fc.property(fc.array(frameArb, { minLength: 1, maxLength: 6 }), corruptionArb, sizesArb, (frames, corruption, sizes) => {
          const buf = Buffer.from(encodeAll(frames));
          let firstChanged = buf.length;
          for (const { at, value } of corruption) {
            const offset = at % buf.length;
            if (buf[offset] !== value) firstChanged = Math.min(firstChanged, offset);
            buf[offset] = value;
          }
          const outcome = decodeChecked(chunked(buf, sizes), 120);
          let end = 0;
          const intact = frames.filter((f) => (end += HEADER_SIZE + f.payload.length) <= firstChanged).length;
          const expected = frames.slice(0, intact).map((f) => ({ type: f.type, flags: f.flags, id: f.id, payload: Buffer.from(f.payload).toString('hex') }));
          expect(outcome.frames.slice(0, intact)).to.deep.equal(expected);
        }),
        { seed: 0x5eed0003, numRuns: 3000 },
      );
    });
  });
});
