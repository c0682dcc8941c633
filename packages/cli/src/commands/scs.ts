// `mlayer scs --config FILE`: runs the Solution Control Server until SIGTERM/SIGINT; SIGHUP
// re-reads the configuration file.

import type { Command } from 'commander';
import { createLogger, errorMessage, parseLogLevel } from '@mlayer/common';
import { ConfigError, type LoadedConfig, diffConfigs, loadConfig } from '@mlayer/common/config';
import { SolutionControlServer, solutionFromConfig } from '@mlayer/scs';
import { runUntilSignalled } from './daemon.js';
import { readSecret } from './lca.js';

interface ScsFlags {
  config: string;
  id?: string;
  logLevel: string;
}

/** Loads the file or prints every problem as FILE:LINE: message and fails with exit code 2. */
export function loadConfigOrExplain(file: string): LoadedConfig {
  try {
    return loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    }
    throw error;
  }
}

export function readSecrets(config: LoadedConfig): { apiToken?: string; lcaSecret?: string } {
  const { tokenFile, lcaSecretFile } = config.scs;
  return {
    ...(tokenFile === null ? {} : { apiToken: readSecret(tokenFile) }),
    ...(lcaSecretFile === null ? {} : { lcaSecret: readSecret(lcaSecretFile) }),
  };
}

export function registerScsCommand(program: Command): void {
  program
    .command('scs')
    .description('run the Solution Control Server')
    .requiredOption('--config <file>', 'the solution configuration (YAML)')
    .option('--id <scs-id>', 'this SCS\'s id (default: scs.id of the file)')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .action(async (flags: ScsFlags) => {
      const logger = createLogger({ level: parseLogLevel(flags.logLevel), component: 'scs' });
      let config = loadConfigOrExplain(flags.config);
      const overrides = flags.id === undefined ? {} : { id: flags.id };
      const scs = new SolutionControlServer(solutionFromConfig(config, readSecrets(config), overrides), { logger });
      await scs.boot();
      process.on('SIGHUP', () => {
        logger.info('SIGHUP: reloading the configuration', { file: flags.config });
        try {
          const next = loadConfig(flags.config);
          const changes = diffConfigs(config, next);
          const restartOnly = changes.scs.filter((c) => c.restartRequired).map((c) => c.key);
          if (restartOnly.length > 0) logger.warn('these changes apply only after an SCS restart', { keys: restartOnly });
          scs.reload(solutionFromConfig(next, readSecrets(next), overrides), changes.describe());
          config = next;
        } catch (error) {
          scs.rejectReload(error instanceof ConfigError ? error.problems : [errorMessage(error)]);
        }
      });
      await runUntilSignalled('SCS', logger, () => scs.shutdown());
    });
}
