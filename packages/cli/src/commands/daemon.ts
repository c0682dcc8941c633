// What the daemon commands share: run until SIGTERM or SIGINT, then stop cleanly.

import { type Logger, errorMessage } from '@mlayer/common';

/** Resolves once `stop` has finished after the first SIGTERM or SIGINT. */
export function runUntilSignalled(what: string, logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((done) => {
    const shutdown = (signal: string) => {
      logger.info(`${what} shutting down`, { signal });
      stop().then(done, (error: unknown) => {
        logger.error('error during shutdown', { error: errorMessage(error) });
        done();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
