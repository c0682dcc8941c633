// The journal's error: code EJOURNAL, with the file-system error as `cause`.

import { MlayerError } from '@mlayer/common';

export class JournalError extends MlayerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EJOURNAL', message, options);
  }
}
