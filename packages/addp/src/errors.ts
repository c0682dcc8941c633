// ADDP errors. A ProtocolError is a peer's fault and closes only that connection.

import { MlayerError } from '@mlayer/common';

export type ProtocolErrorCode =
  | 'ADDP_BAD_MAGIC'
  | 'ADDP_BAD_VERSION'
  | 'ADDP_BAD_TYPE'
  | 'ADDP_FRAME_TOO_LARGE'
  | 'ADDP_BAD_PAYLOAD'
  | 'ADDP_UNEXPECTED_FRAME'
  | 'ADDP_HANDSHAKE_FAILED';

/** The peer sent bytes that break the protocol. */
export class ProtocolError extends MlayerError {
  declare readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export type AddpErrorCode =
  | 'ADDP_CONNECTION_LOST'
  | 'ADDP_REQUEST_TIMEOUT'
  | 'ADDP_WRITE_QUEUE_FULL'
  | 'ADDP_REMOTE_ERROR'
  | 'ADDP_NOT_OPEN';

/** A local failure of an ADDP operation (lost connection, request timeout, full write queue). */
export class AddpError extends MlayerError {
  declare readonly code: AddpErrorCode;
  constructor(code: AddpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The peer's request handler failed; `remoteCode` is the code it gave. */
export class RemoteError extends AddpError {
  readonly remoteCode: string;
  constructor(remoteCode: string, message: string) {
    super('ADDP_REMOTE_ERROR', message);
    this.remoteCode = remoteCode;
  }
}
