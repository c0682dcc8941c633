// The ADDP frame: types, flags and the fixed header layout (see PROTOCOL.md for the byte table).

export const MAGIC = 0xadd9;
export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
export const HEADER_SIZE = 14;
export const DEFAULT_MAX_FRAME_SIZE = 1024 * 1024;
/** The header's length field is a uint32; nothing larger can be framed at all. */
export const ABSOLUTE_MAX_FRAME_SIZE = 0xffffffff;

export const FrameType = {
  HELLO: 1,
  HELLO_ACK: 2,
  POLL: 3,
  POLL_ACK: 4,
  MESSAGE: 5,
  CLOSE: 6,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const FRAME_TYPE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(FrameType).map(([name, value]) => [value, name]),
);

export function frameTypeName(type: number): string {
  return FRAME_TYPE_NAMES[type] ?? `unknown(${type})`;
}

export function isFrameType(type: number): type is FrameType {
  return type in FRAME_TYPE_NAMES;
}

/** Bits of the header's flags field; meaningful on MESSAGE frames. */
export const FrameFlags = {
  NONE: 0,
  /** The sender expects a reply carrying the same id. */
  REQUEST: 0x0001,
  /** This frame answers the request with the same id. */
  RESPONSE: 0x0002,
  /** With RESPONSE: the request failed; the payload is `{ code, message }`. */
  ERROR: 0x0004,
} as const;

export interface Frame {
  readonly type: FrameType;
  readonly flags: number;
  /** Sequence or correlation id (uint32). */
  readonly id: number;
  readonly payload: Buffer;
}
