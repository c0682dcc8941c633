// `mlayer validate CONFIG`: "ok" on stdout, or every problem of the file as FILE:LINE: message on
// stderr followed by one summary line (exit 2, through the ValidationError mapping of index.ts).

import type { Command } from 'commander';
import { ValidationError } from '@mlayer/common';
import { ConfigError, loadConfig } from '@mlayer/common/config';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a configuration file: prints "ok", or every problem as FILE:LINE: message (exit 2)')
    .argument('<config>', 'the configuration file (YAML)')
    .action((file: string) => {
      try {
        loadConfig(file);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(error.problems.map((line) => `${line}\n`).join(''));
        throw new ValidationError(error.message, { cause: error });
      }
      process.stdout.write('ok\n');
    });
}
