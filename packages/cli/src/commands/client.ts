// The operator commands of CONTRACT.md section 2: `mlayer status | apps | hosts | events |
// start | stop | restart | switchover`, talking to the SCS HTTP API at --url / MLAYER_URL.
// Exit codes come from the errors thrown here: MlayerError → 1, ValidationError → 2.

import { type Command, Option } from 'commander';
import { MlayerError, ValidationError } from '@mlayer/common';
import type { ApplicationView, HostView, JournalEvent, StatusView } from '@mlayer/scs';
import { colorWanted, createPalette } from '../client/ansi.js';
import { ApiClient, ApiError, DEFAULT_URL } from '../client/api-client.js';
import { followEvents } from '../client/event-follower.js';
import { applicationsTable, eventLine, hostsTable, statusReport } from '../client/format.js';

/** Where the client commands write, and what they know of the terminal; injected by tests. */
export interface ClientIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly color: boolean;
  readonly now: () => number;
}

export function processIo(): ClientIo {
  let pipeWatched = false;
  return {
    stdout: (text) => {
      if (!pipeWatched) {
        // `mlayer events --follow | head`: a closed pipe ends the command quietly, not with a stack trace.
        pipeWatched = true;
        process.stdout.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EPIPE') throw error;
          process.exit(0);
        });
      }
      process.stdout.write(text);
    },
    stderr: (text) => void process.stderr.write(text),
    color: colorWanted(process.stdout.isTTY === true, process.env),
    now: () => Date.now(),
  };
}

interface ConnectionFlags {
  readonly url: string;
  readonly token?: string;
}

interface ReadFlags extends ConnectionFlags {
  readonly json?: boolean;
}

interface EventsFlags extends ReadFlags {
  readonly since?: string;
  readonly follow?: boolean;
}

const EVENTS_PAGE = 1000;

export function registerClientCommands(program: Command, io: ClientIo = processIo()): void {
  const palette = createPalette(io.color);
  const client = (flags: ConnectionFlags) =>
    new ApiClient({ url: flags.url || DEFAULT_URL, token: flags.token, notice: (message) => io.stderr(`mlayer: ${message}\n`) });
  const print = (lines: readonly string[]) => io.stdout(lines.map((l) => `${l}\n`).join(''));
  const printJson = (body: unknown) => io.stdout(`${JSON.stringify(body, null, 2)}\n`);

  const read = <T>(name: string, description: string, path: string, render: (body: T) => string[]) =>
    withConnection(program.command(name).description(description))
      .option('--json', 'print the API body as JSON')
      .action(async (flags: ReadFlags) => {
        const body = await readOrExplain(client(flags), path);
        if (flags.json === true) printJson(body);
        else print(render(body as T));
      });

  read<StatusView>('status', 'show the SCS role and epoch, the hosts and the applications', '/api/v1/status', (s) =>
    statusReport(s, io.now(), palette));
  read<ApplicationView[]>('apps', 'list the applications', '/api/v1/applications', (apps) => applicationsTable(apps, io.now(), palette));
  read<HostView[]>('hosts', 'list the hosts and their LCA links', '/api/v1/hosts', (hosts) => hostsTable(hosts, io.now(), palette));

  withConnection(program.command('events').description('print journal events; --follow streams new ones'))
    .option('--since <seq>', 'only events after this sequence number')
    .option('--follow', 'keep streaming events as they happen (Ctrl-C ends)')
    .option('--json', 'print events as JSON (one per line with --follow)')
    .action(async (flags: EventsFlags) => {
      const since = flags.since === undefined ? undefined : parseSeq(flags.since);
      const api = client(flags);
      if (flags.follow === true) {
        await followEvents({
          client: api,
          since,
          onEvent: (event) => io.stdout(`${flags.json === true ? JSON.stringify(event) : eventLine(event, palette)}\n`),
          notice: (message) => io.stderr(`mlayer: ${message}\n`),
        });
        return;
      }
      const all: JournalEvent[] = [];
      let after = since ?? 0;
      for (;;) {
        const page = (await readOrExplain(api, `/api/v1/events?since=${after}&limit=${EVENTS_PAGE}`)) as JournalEvent[];
        if (flags.json !== true) print(page.map((event) => eventLine(event, palette)));
        all.push(...page);
        const last = page.at(-1);
        if (page.length < EVENTS_PAGE || last === undefined) break;
        after = last.seq;
      }
      if (flags.json === true) printJson(all);
    });

  const mutate = async (flags: ConnectionFlags, app: string, action: string, query = '') => {
    try {
      await client(flags).post(`/api/v1/applications/${encodeURIComponent(app)}/${action}${query}`);
    } catch (error) {
      if (error instanceof ApiError) throw new MlayerError(error.code, `${action} ${error.status === 409 ? 'refused' : 'failed'}: ${error.message}`);
      throw error;
    }
    io.stdout(`${app}: ${action} accepted\n`);
  };
  withConnection(program.command('start').argument('<app>', 'application name').description('start an application'))
    .action((app: string, flags: ConnectionFlags) => mutate(flags, app, 'start'));
  withConnection(program.command('stop').argument('<app>', 'application name').description('stop an application'))
    .option('--graceful', 'ask the application to finish its work first (suspending), then stop')
    .action((app: string, flags: ConnectionFlags & { graceful?: boolean }) =>
      mutate(flags, app, 'stop', flags.graceful === true ? '?graceful=true' : ''));
  withConnection(program.command('restart').argument('<app>', 'application name').description('restart an application'))
    .action((app: string, flags: ConnectionFlags) => mutate(flags, app, 'restart'));
  withConnection(program.command('switchover').argument('<app>', 'application name').description('make this application the primary of its pair'))
    .action((app: string, flags: ConnectionFlags) => mutate(flags, app, 'switchover'));
}

function withConnection(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the SCS HTTP API').env('MLAYER_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'bearer token for start/stop/restart/switchover').env('MLAYER_TOKEN'));
}

async function readOrExplain(api: ApiClient, path: string): Promise<unknown> {
  try {
    return await api.get<unknown>(path);
  } catch (error) {
    if (error instanceof ApiError) throw new MlayerError(error.code, `the SCS refused ${path}: ${error.message}`);
    throw error;
  }
}

function parseSeq(text: string): number {
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new ValidationError(`--since must be a sequence number, an integer >= 0 (got "${text}")`);
  return value;
}
