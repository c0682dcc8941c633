// @mlayer/addp: the ADDP protocol — frame codec, handshake, keep-alive links over TCP.

export { FrameType, FrameFlags, HEADER_SIZE, MAGIC, PROTOCOL_VERSION, DEFAULT_MAX_FRAME_SIZE, frameTypeName, type Frame } from './frame.js';
export { encodeFrame, encodeJsonFrame, decodeJsonPayload, FrameDecoder, type DecodeResult, type DecoderOptions } from './codec.js';
export { ProtocolError, AddpError, RemoteError, type ProtocolErrorCode, type AddpErrorCode } from './errors.js';
export {
  type AddpSettings,
  type TraceMode,
  type Hello,
  type HelloAck,
  TRACE_MODES,
  TIMEOUT_LIMITS,
  DEFAULT_SETTINGS,
  addpSettings,
  connectTimeoutFor,
  parseAddpTimeout,
  isTraceMode,
} from './settings.js';
export {
  Connection,
  type ConnectionOptions,
  type ConnectionEvents,
  type ConnectionState,
  type LostInfo,
  type LostReason,
  type RequestHandler,
} from './connection.js';
export { type PeerInfo, type AcceptResult, type AcceptHook, type VerifyHook } from './handshake.js';
export { connect, AddpServer, type ConnectOptions, type AddpServerOptions, type LinkOptions } from './endpoint.js';
export { observeLink, type LinkMetrics } from './metrics.js';
