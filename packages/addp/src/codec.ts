// Frame codec: the encoder and the streaming decoder. The header layout is declared once, with
// binary-parser; the decoder never throws on network bytes and never allocates a frame larger
// than the configured maximum.

import { Parser } from 'binary-parser';
import { MlayerError } from '@mlayer/common';
import {
  DEFAULT_MAX_FRAME_SIZE,
  type Frame,
  type FrameType,
  HEADER_SIZE,
  MAGIC,
  SUPPORTED_VERSIONS,
  PROTOCOL_VERSION,
  frameTypeName,
  isFrameType,
} from './frame.js';
import { ProtocolError } from './errors.js';

interface Header {
  magic: number;
  version: number;
  type: number;
  flags: number;
  id: number;
  length: number;
}

const headerParser: Parser<Header> = new Parser()
  .endianness('big')
  .uint16('magic')
  .uint8('version')
  .uint8('type')
  .uint16('flags')
  .uint32('id')
  .uint32('length');

const MAGIC_HI = MAGIC >> 8;
const MAGIC_LO = MAGIC & 0xff;

function writeHeader(buf: Buffer, type: FrameType, flags: number, id: number, length: number): void {
  buf.writeUInt16BE(MAGIC, 0);
  buf.writeUInt8(PROTOCOL_VERSION, 2);
  buf.writeUInt8(type, 3);
  buf.writeUInt16BE(flags & 0xffff, 4);
  buf.writeUInt32BE(id >>> 0, 6);
  buf.writeUInt32BE(length, 10);
}

function tooLarge(length: number, max: number): MlayerError {
  return new MlayerError('ADDP_FRAME_TOO_LARGE', `frame payload of ${length} bytes exceeds the maximum of ${max} bytes`);
}

/** Encodes one frame with a binary payload. Throws (a local error, never a peer's) when it is too large. */
export function encodeFrame(
  type: FrameType,
  flags: number,
  id: number,
  payload: Buffer = Buffer.alloc(0),
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
): Buffer {
  if (payload.length > maxFrameSize) throw tooLarge(payload.length, maxFrameSize);
  const buf = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  writeHeader(buf, type, flags, id, payload.length);
  payload.copy(buf, HEADER_SIZE);
  return buf;
}

/** Encodes one frame whose payload is `value` as JSON, without an intermediate payload buffer. */
export function encodeJsonFrame(
  type: FrameType,
  flags: number,
  id: number,
  value: unknown,
  maxFrameSize = DEFAULT_MAX_FRAME_SIZE,
): Buffer {
  const text = JSON.stringify(value) ?? 'null';
  const length = Buffer.byteLength(text);
  if (length > maxFrameSize) throw tooLarge(length, maxFrameSize);
  const buf = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeader(buf, type, flags, id, length);
  buf.write(text, HEADER_SIZE, 'utf8');
  return buf;
}

/** Parses a frame's JSON payload; a malformed one is the peer's protocol error. */
export function decodeJsonPayload(frame: Frame): { value: unknown } | { error: ProtocolError } {
  if (frame.payload.length === 0) return { value: undefined };
  try {
    return { value: JSON.parse(frame.payload.toString('utf8')) as unknown };
  } catch (cause) {
    return {
      error: new ProtocolError('ADDP_BAD_PAYLOAD', `${frameTypeName(frame.type)} frame ${frame.id} carries invalid JSON`, { cause }),
    };
  }
}

export interface DecodeResult {
  /** Complete frames, in order; frames before an error are still delivered. */
  readonly frames: Frame[];
  /** Set once the stream broke the protocol; the decoder accepts nothing after it. */
  readonly error?: ProtocolError;
}

export interface DecoderOptions {
  /** Largest accepted payload in bytes (default 1 MiB). Checked before the payload is buffered. */
  readonly maxFrameSize?: number;
}

/**
 * Streaming decoder: `push(chunk)` returns the frames completed by that chunk and keeps the
 * rest. Nothing is copied while frames lie within one chunk; when one spans chunks, the held
 * bytes and the chunk that completes it are joined once. A frame's payload is a view into the
 * received chunk: decode it (the Connection parses JSON at once) or copy it before keeping it.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before the next frame can be parsed: a header, or header + payload. */
  private need = HEADER_SIZE;
  private failure: ProtocolError | undefined;

  constructor(options: DecoderOptions = {}) {
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  get error(): ProtocolError | undefined {
    return this.failure;
  }

  push(chunk: Buffer): DecodeResult {
    if (this.failure) return { frames: [], error: this.failure };
    if (chunk.length === 0) return { frames: [] };

    let buf: Buffer;
    if (this.pendingBytes === 0) {
      buf = chunk;
    } else if (this.pendingBytes + chunk.length < this.need) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // While only a header is awaited the held bytes are few, and garbage is refused at once.
      return this.need === HEADER_SIZE ? this.checkPartialHeader() : { frames: [] };
    } else {
      this.pending.push(chunk);
      buf = Buffer.concat(this.pending, this.pendingBytes + chunk.length);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.need = HEADER_SIZE;

    const frames: Frame[] = [];
    let offset = 0;
    while (buf.length - offset >= HEADER_SIZE) {
      const header = headerParser.parse(buf.subarray(offset, offset + HEADER_SIZE));
      const error = this.validate(header);
      if (error) return this.fail(frames, error);
      const end = offset + HEADER_SIZE + header.length;
      if (end > buf.length) {
        this.need = HEADER_SIZE + header.length;
        break;
      }
      frames.push({
        type: header.type as FrameType,
        flags: header.flags,
        id: header.id,
        payload: buf.subarray(offset + HEADER_SIZE, end),
      });
      offset = end;
    }
    if (offset < buf.length) {
      const rest = buf.subarray(offset);
      this.pending = [rest];
      this.pendingBytes = rest.length;
      if (rest.length < HEADER_SIZE) {
        const partial = this.checkPartialHeader();
        if (partial.error) return this.fail(frames, partial.error);
      }
    }
    return { frames };
  }

  private validate(header: Header): ProtocolError | undefined {
    if (header.magic !== MAGIC) {
      return new ProtocolError('ADDP_BAD_MAGIC', `bad magic 0x${header.magic.toString(16).padStart(4, '0')} (not an ADDP peer?)`);
    }
    if (!SUPPORTED_VERSIONS.includes(header.version)) {
      return new ProtocolError('ADDP_BAD_VERSION', `unsupported frame version ${header.version} (supported: ${SUPPORTED_VERSIONS.join(', ')})`);
    }
    if (!isFrameType(header.type)) {
      return new ProtocolError('ADDP_BAD_TYPE', `unknown frame type ${header.type}`);
    }
    if (header.length > this.maxFrameSize) {
      return new ProtocolError(
        'ADDP_FRAME_TOO_LARGE',
        `frame of ${header.length} bytes exceeds the maximum of ${this.maxFrameSize} bytes`,
      );
    }
    return undefined;
  }

  /** Garbage is refused as soon as its first bytes arrive, not once a whole header is in. */
  private checkPartialHeader(): DecodeResult {
    const first = this.pending[0];
    if (first === undefined) return { frames: [] };
    const prefix = this.pending.length === 1 ? first : Buffer.concat(this.pending).subarray(0, 3);
    const byte = (i: number) => prefix[i];
    if ((byte(0) !== undefined && byte(0) !== MAGIC_HI) || (byte(1) !== undefined && byte(1) !== MAGIC_LO)) {
      const seen = prefix.subarray(0, 2).toString('hex');
      return this.fail([], new ProtocolError('ADDP_BAD_MAGIC', `bad magic 0x${seen} (not an ADDP peer?)`));
    }
    const version = byte(2);
    if (version !== undefined && !SUPPORTED_VERSIONS.includes(version)) {
      return this.fail([], new ProtocolError('ADDP_BAD_VERSION', `unsupported frame version ${version} (supported: ${SUPPORTED_VERSIONS.join(', ')})`));
    }
    return { frames: [] };
  }

  private fail(frames: Frame[], error: ProtocolError): DecodeResult {
    this.failure = error;
    this.pending = [];
    this.pendingBytes = 0;
    return { frames, error };
  }
}
