// The errors an SCS's link to an LCA raises, each with a stable code the caller can act on.
// Errors the LCA itself answers with stay addp `RemoteError`s (their `remoteCode` is the LCA's).

import { MlayerError } from '@mlayer/common';

/** A command was not sent: the link to that host's LCA is not up (and authenticated). */
export class LcaDownError extends MlayerError {
  declare readonly code: 'ELCADOWN';
  readonly host: string;

  constructor(host: string, address: string) {
    super('ELCADOWN', `the LCA of host ${host} (${address}) is not connected; the command was not sent`);
    this.host = host;
  }
}

/** Authentication with the LCA failed: wrong or missing shared secret on one side. */
export class LcaAuthError extends MlayerError {
  declare readonly code: 'ELCAAUTH';

  constructor(message: string, options?: { cause?: unknown }) {
    super('ELCAAUTH', message, options);
  }
}

/** The LCA sent something outside the SCS <-> LCA protocol; the link is closed. */
export class LcaProtocolError extends MlayerError {
  declare readonly code: 'ELCAPROTOCOL';

  constructor(message: string, options?: { cause?: unknown }) {
    super('ELCAPROTOCOL', message, options);
  }
}
