// The `mlayer` command: daemons (`lca`, later `scs`, `up`) and operator commands.
// Exit codes: 0 ok, 1 the operation failed or was refused, 2 bad usage or bad configuration.

import { Command, CommanderError } from 'commander';
import { MlayerError, ValidationError, errorMessage } from '@mlayer/common';
import { ConfigError } from '@mlayer/common/config';
import { registerClientCommands } from './commands/client.js';
import { registerLcaCommand } from './commands/lca.js';
import { registerScsCommand } from './commands/scs.js';
import { registerUpCommand } from './commands/up.js';
import { registerValidateCommand } from './commands/validate.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('mlayer')
    .description('mlayer: a Management Layer for application redundancy')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerLcaCommand(program);
  registerScsCommand(program);
  registerUpCommand(program);
  registerValidateCommand(program);
  registerClientCommands(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`mlayer: ${errorMessage(error)}\n`);
    if (error instanceof ConfigError) return EXIT.usage;
    if (error instanceof ValidationError || (error instanceof MlayerError && error.code === 'EUSAGE')) return EXIT.usage;
    return EXIT.failed;
  }
}
