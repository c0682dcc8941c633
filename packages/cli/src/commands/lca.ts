// `mlayer lca`: runs the Local Control Agent of this host until SIGTERM/SIGINT.

import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ValidationError, createLogger, errorMessage, parseHostPort, parseLogLevel } from '@mlayer/common';
import { LocalControlAgent } from '@mlayer/lca';
import { runUntilSignalled } from './daemon.js';

interface LcaFlags {
  listen: string;
  name: string;
  secretFile?: string;
  metrics?: string;
  logLevel: string;
  logDir?: string;
  stateDir?: string;
}

export function readSecret(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read secret file ${file}: ${errorMessage(error)}`);
  }
  const secret = text.trim();
  if (secret.length < 16) throw new ValidationError(`secret file ${file} must hold at least 16 characters (it holds ${secret.length})`);
  return secret;
}

export function registerLcaCommand(program: Command): void {
  program
    .command('lca')
    .description('run the Local Control Agent of this host')
    .option('--listen <host:port>', 'address to listen on for SCSs and applications (a port <= 1999 means 4999)', '0.0.0.0:4999')
    .option('--name <hostname>', 'the host name this LCA reports as', hostname())
    .option('--secret-file <file>', 'shared secret with the SCS; without it the LCA listens on loopback only')
    .option('--metrics <host:port>', 'serve Prometheus metrics on this address')
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .option('--log-dir <dir>', 'directory for application output files (default STATE_DIR/logs)')
    .option('--state-dir <dir>', 'directory for the launch state that lets a restarted LCA re-adopt its applications (default ./var/lca-NAME)')
    .action(async (flags: LcaFlags) => {
      const logger = createLogger({ level: parseLogLevel(flags.logLevel), component: 'lca' });
      const secret = flags.secretFile === undefined ? undefined : readSecret(flags.secretFile);
      if (flags.secretFile !== undefined && (statSync(flags.secretFile).mode & 0o077) !== 0) {
        logger.warn('secret file is readable by group or others; chmod 600 it', { file: flags.secretFile });
      }
      const stateDir = resolve(flags.stateDir ?? `var/lca-${flags.name}`);
      const agent = new LocalControlAgent({
        listen: parseHostPort(flags.listen, '--listen', { lcaPort: true }),
        name: flags.name,
        ...(secret === undefined ? {} : { secret }),
        stateDir,
        ...(flags.logDir === undefined ? {} : { logDir: resolve(flags.logDir) }),
        ...(flags.metrics === undefined ? {} : { metrics: parseHostPort(flags.metrics, '--metrics') }),
        logger,
      });
      await agent.start();
      await runUntilSignalled('LCA', logger, () => agent.stop());
    });
}
