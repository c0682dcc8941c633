// The configuration file of CONTRACT.md section 3 as zod schemas: every key, its type, its
// default and its documentation (the configuration reference is generated from these texts).
// The schemas describe the file as written (seconds, relative paths); cross-references are
// checked in checks.ts and the loaded form (milliseconds, absolute paths) is built in normalize.ts.

import { z } from 'zod';
import { parseHostPort } from '../address.js';
import { APP_KINDS, REDUNDANCY_TYPES } from '../domain.js';
import { errorMessage } from '../errors.js';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const ADDP_TRACE_MODES = ['off', 'local', 'remote', 'full'] as const;
export type AddpTraceMode = (typeof ADDP_TRACE_MODES)[number];

/** ADDP timeouts: 0.1 s to 3600 s, or 0 to disable (as in @mlayer/addp). */
export const ADDP_TIMEOUT_RANGE = { min: 0.1, max: 3600 } as const;

const NAME_RULE = 'use lowercase letters, digits and "-", starting with a letter or digit';

function name(description: string) {
  return z
    .string()
    .max(128, { error: 'must be at most 128 characters' })
    .regex(NAME_PATTERN, { error: `is not a valid name: ${NAME_RULE}` })
    .describe(description);
}

/** A reference to a name defined elsewhere in the file; whether it exists is checked in checks.ts. */
function reference(description: string) {
  return z.string().min(1, { error: 'must not be empty' }).describe(description);
}

/** Seconds, decimals allowed; `positive` when 0 makes no sense. Later checks run only on a valid number. */
function seconds(options: { positive?: boolean } = {}) {
  const number = z.number({ error: 'must be a number of seconds (decimals allowed, e.g. 0.5)' });
  return options.positive
    ? number.positive({ error: 'must be more than 0 seconds', abort: true })
    : number.nonnegative({ error: 'must not be negative', abort: true });
}

function addpTimeout() {
  return seconds().refine((s) => s === 0 || (s >= ADDP_TIMEOUT_RANGE.min && s <= ADDP_TIMEOUT_RANGE.max), {
    error: `must be between ${ADDP_TIMEOUT_RANGE.min} and ${ADDP_TIMEOUT_RANGE.max} seconds, or 0 to disable`,
  });
}

/** HOST:PORT. `connect`: someone connects to it, so port 0 ("any free port") makes no sense. */
function address(description: string, options: { lcaPort?: boolean; connect?: boolean } = {}) {
  return z
    .string({ error: 'must be HOST:PORT (e.g. 127.0.0.1:4999)' })
    .superRefine((value, ctx) => {
      try {
        const { port } = parseHostPort(value, 'address', { lcaPort: options.lcaPort ?? false });
        if (options.connect && port === 0) ctx.addIssue({ code: 'custom', message: 'must name the real port (0 cannot be connected to)' });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: errorMessage(error).replace(/^address:? /, '') });
      }
    })
    .describe(description);
}

function path(description: string) {
  return z.string().min(1, { error: 'must not be empty' }).describe(description);
}

/** Arguments and environment values: text; numbers and booleans are taken as their text. */
const text = z
  .union([z.string(), z.number(), z.boolean()], { error: 'must be text, a number or true/false' })
  .describe('Text; a number or true/false is taken as its text.');

const addpScsSchema = z
  .strictObject({
    timeout: addpTimeout().default(3).describe('Seconds of silence from an LCA (or the peer SCS) before this SCS declares it lost; 0.1 to 3600, 0 disables. Default 3.'),
    remoteTimeout: addpTimeout().default(3).describe('Seconds the other side is asked to wait for this SCS before it declares the SCS lost; 0.1 to 3600, 0 disables. Default 3.'),
    trace: z.enum(ADDP_TRACE_MODES).default('off').describe('ADDP trace logging: off, local, remote or full. Default off.'),
  })
  .prefault({})
  .describe('ADDP keep-alive of the links of this SCS to the LCAs and to its peer SCS. Default { timeout: 3, remoteTimeout: 3, trace: off }.');

const peerSchema = z
  .strictObject({
    id: name('Name of the peer SCS, [a-z0-9][a-z0-9-]*; must differ from scs.id. Required.'),
    host: reference('The host (one of hosts) the peer SCS runs on. Required.'),
    address: address("HOST:PORT of the peer SCS's SCS-to-SCS port (its listenPeer). Required.", { connect: true }),
  })
  .optional()
  .describe('The other SCS of an SCS pair (CONTRACT.md section 7). Optional; when set, scs.listenPeer and scs.host are required.');

export const scsSchema = z
  .strictObject({
    id: name('Name of this SCS, [a-z0-9][a-z0-9-]*; it appears in events, metrics and the API. Default "scs".').default('scs'),
    http: address('HOST:PORT of the HTTP API, the event stream and /metrics. Default 127.0.0.1:5099.').default('127.0.0.1:5099'),
    journal: path('Directory for the durable event journal and the role state, relative to this file. Default ./var/<id>.').optional(),
    tokenFile: path('File holding the API token, relative to this file; when set, every mutating API request needs "Authorization: Bearer <token>". Optional.').optional(),
    lcaSecretFile: path('File holding the shared secret that authenticates this SCS to the LCAs (and to its peer SCS), relative to this file. Optional; LCAs without a secret listen on loopback only.').optional(),
    addp: addpScsSchema,
    disconnectSwitchoverTimeout: seconds().default(0).describe('Seconds to wait after losing the link to an LCA before switching over the applications of its host (so that a short network glitch causes no switchover). Default 0: at once.'),
    startWindow: seconds().default(10).describe('Seconds this SCS waits, when it starts, for the configured primary of each pair to come up before it promotes a started backup instead. Default 10.'),
    peer: peerSchema,
    listenPeer: address('HOST:PORT where this SCS accepts its peer SCS. Required when peer is set.').optional(),
    host: reference('The host (one of hosts) this SCS runs on. Required when peer is set.').optional(),
    primary: z.boolean().optional().describe('true on the preferred primary of an SCS pair. Default: the SCS with the lower id is preferred.'),
  })
  .describe('This Solution Control Server. Required.');

export const hostSchema = z
  .strictObject({
    name: name('Name of the host, [a-z0-9][a-z0-9-]*, unique; the LCA of this host runs with --name NAME. Required.'),
    lca: address('HOST:PORT of the LCA of this host; a port of 1999 or lower means 4999 (as in the Genesys model). Required.', {
      lcaPort: true,
      connect: true,
    }),
  })
  .describe('A machine with one LCA.');

const restartSchema = z
  .strictObject({
    initialDelay: seconds({ positive: true })
      .default(0.5)
      .describe('Seconds; the ceiling of the first delay, doubled on every attempt. More than 0. Default 0.5.'),
    maxDelay: seconds().default(30).describe('Seconds; no delay is longer. At least initialDelay. Default 30.'),
  })
  .prefault({})
  .describe('Delays between automatic restarts: exponential backoff with full jitter. Default { initialDelay: 0.5, maxDelay: 30 }.');

const flappingSchema = z
  .strictObject({
    maxSwitchovers: z
      .number({ error: 'must be a whole number' })
      .int({ error: 'must be a whole number', abort: true })
      .min(1, { error: 'must be at least 1' })
      .default(3)
      .describe('Switchovers allowed within the window before the pair counts as flapping. At least 1. Default 3.'),
    window: seconds().default(60).describe('Seconds; 0 turns flapping detection off. Default 60.'),
  })
  .prefault({})
  .describe(
    'Pair option, on the primary: when the pair switches over more than maxSwitchovers times within window seconds, ' +
      'the SCS emits a flapping event and stops restarting the failing application automatically until an operator starts it; ' +
      'switchovers to a healthy peer still happen. Default { maxSwitchovers: 3, window: 60 }.',
  );

export const applicationSchema = z
  .strictObject({
    name: name('Name of the application, [a-z0-9][a-z0-9-]*, unique. Required.'),
    host: reference('The host (one of hosts) the application runs on. Required.'),
    command: path('The program to run: looked up on the PATH of the LCA host, or, when it contains "/", a path relative to this file. Required.'),
    args: z.array(text).default([]).describe('Arguments; numbers and true/false are taken as text. Default [].'),
    cwd: path('Working directory, relative to this file. Default "." (the directory of this file).').default('.'),
    env: z
      .record(z.string().regex(/^[^=\0]+$/, { error: 'environment variable names must not contain "="' }), text)
      .default({})
      .describe('Environment variables added to the LCA environment; numbers and true/false are taken as text. Default {}.'),
    autostart: z.boolean().default(true).describe('Start the application when the SCS starts. Default true.'),
    autoRestart: z.boolean().default(true).describe('Restart the application after an unplanned failure. Default true.'),
    restart: restartSchema,
    startTimeout: seconds().default(10).describe('Seconds from spawn to the first status report before the start counts as failed; 0 disables. Default 10.'),
    stopTimeout: seconds()
      .default(10)
      .describe('Seconds each stop phase waits: a graceful stop asks the application to suspend, sends SIGTERM after stopTimeout and SIGKILL after another; a plain stop starts at SIGTERM. Default 10.'),
    addp: z
      .strictObject({
        timeout: addpTimeout().default(2).describe('Seconds of silence after which the LCA declares the application hung; 0.1 to 3600, 0 disables. Default 2.'),
      })
      .prefault({})
      .describe('ADDP keep-alive between the application and its LCA. Default { timeout: 2 }.'),
    kind: z.enum(APP_KINDS).default('generic').describe('generic, or config-server to turn on the Config Server guard; both applications of a pair have the same kind. Default generic.'),
    redundancy: z.enum(REDUNDANCY_TYPES).default('none').describe('none, warm-standby or hot-standby; set on the primary, together with backup. Default none.'),
    backup: reference('The backup application of this primary, on the same or another host; a backup belongs to exactly one primary and has no backup itself. Optional.').optional(),
    requireSync: z
      .boolean()
      .default(false)
      .describe('Pair option, on a hot-standby primary: promote the backup only while it reports the fact sync = in-sync. Default false.'),
    flapping: flappingSchema,
    switchoverTimeout: seconds({ positive: true })
      .default(5)
      .describe('Pair option, on the primary: seconds the new primary has to acknowledge its role before the switchover counts as failed. More than 0. Default 5.'),
  })
  .describe('An application the SCS manages through the LCA of its host.');

export const configSchema = z
  .strictObject({
    scs: scsSchema,
    hosts: z.array(hostSchema).min(1, { error: 'needs at least one host' }).describe('The hosts, each with one LCA. Required, at least one.'),
    applications: z.array(applicationSchema).describe('The applications. Required (may be an empty list).'),
  })
  .describe('The mlayer configuration file (YAML).');

/** The file with its defaults applied, as the schema returns it (seconds, relative paths). */
export type ConfigFile = z.output<typeof configSchema>;
export type ApplicationEntry = z.output<typeof applicationSchema>;

/** The pair options: allowed on a primary only. */
export const PAIR_OPTIONS = ['requireSync', 'flapping', 'switchoverTimeout'] as const;
