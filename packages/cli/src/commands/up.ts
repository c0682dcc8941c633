// `mlayer up [CONFIG]`: a whole solution on this machine. It starts an `mlayer lca` for every host
// whose LCA address is loopback, then the `mlayer scs`, shows the live status, and on Ctrl-C
// (SIGINT), SIGTERM or SIGHUP stops all of it, applications included, and exits 0. A daemon that
// dies meanwhile is reported and restarted with backoff; a second Ctrl-C stops without waiting.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError, errorMessage } from '@mlayer/common';
import { colorWanted, createPalette } from '../client/ansi.js';
import { ApiClient } from '../client/api-client.js';
import { bannerLines, footerLine } from '../up/banner.js';
import { LocalSolution } from '../up/local-solution.js';
import { StatusMonitor } from '../up/monitor.js';
import { LineScreen, LiveScreen, type StatusScreen } from '../up/screen.js';
import { loadConfigOrExplain } from './scs.js';

const DEFAULT_CONFIG = 'mlayer.yaml';
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** npm forwards the terminal's SIGINT to its script, which got it from the terminal already. */
const SAME_SIGNAL_MS = 1000;

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('run a solution on this machine: an LCA for every host on loopback, then the SCS, with a live status; Ctrl-C stops everything')
    .argument('[config]', `the configuration file (default ./${DEFAULT_CONFIG})`)
    .addHelpText('after', [
      '',
      'Files go under VAR, the parent directory of scs.journal (./var next to examples/local.yaml):',
      '  VAR/lca-HOST/            the state of each LCA (it re-adopts running applications after a restart)',
      '  VAR/log/                 lca-HOST.log and SCS_ID.log; VAR/log/apps/APP.log for the applications',
      '  VAR/up.json              this run: a second `mlayer up` of the same solution refuses while it runs',
      'A missing scs.lcaSecretFile is generated (mode 600). An LCA or the SCS that dies is reported and',
      'restarted with backoff. Ctrl-C, SIGTERM or SIGHUP stop the SCS, then the applications, then the',
      'LCAs, and exit 0; a second Ctrl-C stops without waiting.',
    ].join('\n'))
    .action((file: string | undefined) => up(file));
}

/** Resolves when a stop is asked for; `hurry` aborts on a second, separate request. */
function stopRequests(onFirst: (signal: string) => void, onHurry: () => void) {
  const hurry = new AbortController();
  let first: number | undefined;
  let resolveRequested: () => void = () => undefined;
  const requested = new Promise<void>((resolve) => (resolveRequested = resolve));
  const handler = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (first === undefined) {
      first = now;
      onFirst(signal);
      resolveRequested();
    } else if (now - first > SAME_SIGNAL_MS && !hurry.signal.aborted) {
      hurry.abort();
      onHurry();
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return {
    requested,
    hurry: hurry.signal,
    get asked() {
      return first !== undefined;
    },
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.off(signal, handler);
    },
  };
}

async function up(file: string | undefined): Promise<void> {
  if (file === undefined && !existsSync(DEFAULT_CONFIG)) {
    throw new ValidationError(`no configuration: ./${DEFAULT_CONFIG} does not exist; name the file, e.g. \`mlayer up examples/local.yaml\``);
  }
  const config = loadConfigOrExplain(file ?? DEFAULT_CONFIG);
  const stdout = process.stdout;
  stdout.on('error', () => undefined); // a closed terminal (SIGHUP) must not stop the cleanup
  const tty = stdout.isTTY === true;
  const palette = createPalette(colorWanted(tty, process.env));
  const write = (text: string) => void stdout.write(text);
  let screen: StatusScreen | undefined;
  const notice = (text: string) => (screen ? screen.notice(palette.yellow(text)) : write(`  ${palette.yellow(text)}\n`));

  const stops = stopRequests(
    (signal) => (screen ? screen.notice(`${signal}: stopping`) : write(`${signal}: stopping as soon as the start is done\n`)),
    () => write('stopping without waiting: killing what is left\n'),
  );
  const showCursor = () => tty && stdout.write('\u001b[?25h');
  process.once('exit', showCursor);
  const solution = new LocalSolution(config, { notice });
  let monitor: StatusMonitor | undefined;
  let resized: (() => void) | undefined;
  try {
    await solution.start();
    const scs = solution.scs;
    if (scs === undefined) throw new Error('the SCS was not started');
    const cwd = process.cwd();
    write(`${bannerLines({
      config,
      layout: solution.layout,
      lcas: solution.lcas,
      scs,
      generatedSecret: solution.generatedSecret,
      cwd,
      mlayer: process.env.npm_command === undefined ? 'mlayer' : 'npx mlayer',
      demo: process.env.npm_package_name === 'mlayer' && process.env.npm_lifecycle_event === 'start',
    }, palette).join('\n')}\n`);
    if (!stops.asked) {
      const live = tty ? new LiveScreen({ write, columns: () => stdout.columns ?? 80, rows: () => stdout.rows ?? 24 }, palette, footerLine(solution.layout, cwd)) : undefined;
      if (live) stdout.on('resize', (resized = () => live.resized()));
      screen = live ?? new LineScreen(write, palette);
      monitor = new StatusMonitor({ client: new ApiClient({ url: solution.layout.apiUrl }), screen, onStatus: (s) => solution.noteApplications(s.applications) });
      monitor.start();
    }
    await stops.requested;
  } catch (error) {
    // A failed start has stopped what it started already; anything later must not leave children.
    await solution.stop(stops.hurry).catch(() => undefined);
    stops.dispose();
    throw error;
  } finally {
    monitor?.stop();
    if (resized) stdout.off('resize', resized);
    screen?.close();
    showCursor();
    screen = undefined;
  }
  write(`stopping the SCS, then the applications, then the LCAs${tty ? ' (Ctrl-C again: do not wait)' : ''}\n`);
  try {
    const summary = await solution.stop(stops.hurry);
    const killed = summary.killed.length === 0 ? '' : `; killed after the grace period: ${summary.killed.join(', ')}`;
    write(`stopped: the SCS, ${solution.lcas.length} LCA(s) and ${summary.applications} application process(es)${killed}. Nothing of this solution runs any more.\n`);
  } catch (error) {
    write(`mlayer up: error while stopping: ${errorMessage(error)}\n`);
    throw error;
  } finally {
    stops.dispose();
    process.off('exit', showCursor);
  }
}
