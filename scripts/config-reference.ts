// Generates docs/configuration.md from the zod schema of the configuration file
// (packages/common/src/config/schema.ts): every key with its type, default and description, as
// the schema says them. test/docs/config-reference.test.ts fails when the page is out of date.
//
//   npx tsx scripts/config-reference.ts           # print the page
//   npx tsx scripts/config-reference.ts --write   # write docs/configuration.md
//   npx tsx scripts/config-reference.ts --check   # exit 1 when docs/configuration.md differs

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from '@mlayer/common/config';

export const REFERENCE_FILE = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

/** The part of a JSON Schema node this page reads. */
interface Node {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Node[];
  readonly properties?: Readonly<Record<string, Node>>;
  readonly required?: readonly string[];
  readonly items?: Node;
  readonly additionalProperties?: Node | boolean;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** One row of the reference: a key as it is written in the file. */
export interface KeyDoc {
  /** e.g. `scs.addp.timeout`, `applications[].restart.initialDelay`. */
  readonly key: string;
  readonly type: string;
  /** The default in YAML, or `required` / `optional`. */
  readonly default: string;
  readonly description: string;
}

const NAME_REGEX = '^[a-z0-9][a-z0-9-]*$';

function jsonSchema(): Node {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'throw' }) as Node;
}

/** A value as it would be written in YAML (flow style). */
function yaml(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.map(yaml).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${yaml(v)}`).join(', ')} }`;
  }
  if (typeof value === 'string') {
    const plain = /^[\w./:<>-]+$/.test(value) && !/^(true|false|null|~|[-+]?(\d+\.?\d*|\.\d+))$/.test(value);
    return plain ? value : JSON.stringify(value);
  }
  return String(value);
}

/** A default of `{}` on a mapping means "every key of it at its own default". */
function expandDefault(node: Node, value: unknown): unknown {
  if (node.properties === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const given = value as Record<string, unknown>;
  const expanded: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.properties)) {
    if (key in given) expanded[key] = expandDefault(child, given[key]);
    else if (child.default !== undefined) expanded[key] = expandDefault(child, child.default);
  }
  return expanded;
}

function typeOf(node: Node): string {
  if (node.anyOf !== undefined) return node.anyOf.map(typeOf).join(' or ');
  if (Array.isArray(node.type)) return node.type.join(' or ');
  if (node.enum !== undefined) return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  switch (node.type) {
    case 'string': {
      if (node.pattern === NAME_REGEX) return `name (\`[a-z0-9][a-z0-9-]*\`, at most ${node.maxLength ?? 128} characters)`;
      if (node.description?.startsWith('HOST:PORT')) return 'HOST:PORT';
      if (/^(Directory|File|Working directory)\b.*relative to this file/.test(node.description ?? '')) return 'path';
      return 'string';
    }
    case 'integer':
      return node.minimum === undefined ? 'integer' : `integer ≥ ${node.minimum}`;
    case 'number': {
      const unit = /\bseconds?\b/i.test(node.description ?? '') ? 'seconds' : 'number';
      if (node.exclusiveMinimum !== undefined) return `${unit} > ${node.exclusiveMinimum}`;
      if (node.minimum !== undefined) return `${unit} ≥ ${node.minimum}`;
      return unit;
    }
    case 'boolean':
      return '`true` or `false`';
    case 'array':
      return `list${node.minItems ? ` (at least ${node.minItems})` : ''} of ${node.items === undefined ? 'values' : node.items.properties ? 'mappings' : typeOf(node.items)}`;
    case 'object':
      if (node.properties !== undefined) return 'mapping';
      if (typeof node.additionalProperties === 'object') return `mapping of NAME to ${typeOf(node.additionalProperties)}`;
      return 'mapping';
    default:
      return typeof node.type === 'string' ? node.type : 'value';
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Every key of the file, depth first, in schema order. */
export function configKeys(): KeyDoc[] {
  const rows: KeyDoc[] = [];
  const walk = (node: Node, prefix: string): void => {
    const required = new Set(node.required ?? []);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = `${prefix}${name}`;
      const fallback = required.has(name) ? 'required' : 'optional';
      rows.push({
        key,
        type: typeOf(child),
        default: child.default === undefined ? fallback : yaml(expandDefault(child, child.default)),
        description: child.description ?? '',
      });
      if (child.properties !== undefined) walk(child, `${key}.`);
      if (child.type === 'array' && child.items?.properties !== undefined) walk(child.items, `${key}[].`);
    }
  };
  walk(jsonSchema(), '');
  return rows;
}

function table(rows: readonly KeyDoc[]): string[] {
  return [
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${r.default === 'required' || r.default === 'optional' ? r.default : `\`${cell(r.default)}\``} | ${cell(r.description)} |`),
  ];
}

/** A file that sets every key: the test loads it, so the page shows nothing the schema refuses. */
export const FULL_EXAMPLE = `scs:
  id: scs-a
  http: 127.0.0.1:5099
  journal: ./var/scs-a
  tokenFile: ./secrets/api-token
  lcaSecretFile: ./secrets/lca
  addp: { timeout: 3, remoteTimeout: 3, trace: off }
  disconnectSwitchoverTimeout: 0
  startWindow: 10
  peer:
    id: scs-b
    host: host-b
    address: 10.0.0.2:5198
  listenPeer: 0.0.0.0:5198
  host: host-a
  primary: true

hosts:
  - name: host-a
    lca: 10.0.0.1:4999
  - name: host-b
    lca: 10.0.0.2:4999

applications:
  - name: tserver-a
    host: host-a
    command: /opt/tserver/bin/tserver
    args: ["--port", 7001, "--verbose", true]
    cwd: /opt/tserver
    env: { LOG_LEVEL: info, WORKERS: 4 }
    autostart: true
    autoRestart: true
    restart: { initialDelay: 0.5, maxDelay: 30 }
    startTimeout: 10
    stopTimeout: 10
    addp: { timeout: 2 }
    kind: generic
    redundancy: hot-standby
    backup: tserver-b
    requireSync: false
    flapping: { maxSwitchovers: 3, window: 60 }
    switchoverTimeout: 5
  - name: tserver-b
    host: host-b
    command: /opt/tserver/bin/tserver
    args: ["--port", 7001]
    cwd: /opt/tserver
`;

const INTRO = `# Configuration reference

<!-- Generated from packages/common/src/config/schema.ts by scripts/config-reference.ts.
     Do not edit by hand: change the schema's .describe() texts, then run
     \`npx tsx scripts/config-reference.ts --write\`. test/docs/config-reference.test.ts checks it. -->

One YAML file describes a whole solution: the SCS, the hosts (one LCA each) and the
applications. \`mlayer scs --config FILE\` runs it, \`mlayer up FILE\` runs it on one machine,
and \`mlayer validate FILE\` checks it without running anything.

General rules:

- **Durations are seconds**; decimals are allowed (\`0.5\`).
- **Paths are relative to the configuration file**, not to the working directory of the process.
- **Names** (\`scs.id\`, hosts, applications) are \`[a-z0-9][a-z0-9-]*\`, at most 128 characters,
  and unique within their section.
- **Addresses** are \`HOST:PORT\` (\`[v6]:PORT\` for IPv6). For an LCA, a port of 1999 or lower
  means 4999, as in the Genesys model.
- **Unknown keys are errors**, as are wrong types, dangling references and bad addresses. Every
  problem is reported at once as \`FILE:LINE: message\` and the daemon refuses to start (exit 2).
- YAML anchors and merge keys (\`<<: *defaults\`) work, so applications can share settings.
- A key marked *required* must be given; *optional* means it may be left out and has no default
  value (its description says what leaving it out means).
`;

const RULES = `## Rules across keys

These are checked after the types (\`packages/common/src/config/checks.ts\`), and reported the same
way:

- host names and application names are unique; two hosts cannot share an LCA address (after the
  "1999 or lower means 4999" rule);
- \`applications[].host\`, \`scs.host\` and \`scs.peer.host\` name a host of \`hosts\`;
- \`backup\` names another application of the file; a backup belongs to exactly one primary, has no
  backup itself, and has the same \`kind\` as its primary; it may run on the same host or another;
- a primary with \`backup\` needs \`redundancy: warm-standby\` or \`hot-standby\`, and
  \`redundancy\` other than \`none\` needs a \`backup\` — both are set **on the primary only**;
- the pair options \`requireSync\`, \`flapping\` and \`switchoverTimeout\` are set on the primary only;
  \`requireSync\` needs \`redundancy: hot-standby\`;
- \`restart.maxDelay\` is at least \`restart.initialDelay\`;
- with \`scs.peer\`, \`scs.listenPeer\` and \`scs.host\` are required and \`scs.peer.id\` differs from \`scs.id\`.

When the SCS starts (not by \`mlayer validate\`), the files named by \`scs.tokenFile\` and
\`scs.lcaSecretFile\` are read: each must hold at least 16 characters (surrounding whitespace is
ignored). An unreadable or shorter file stops \`mlayer scs\` with exit 2.

## Reloading (SIGHUP)

\`kill -HUP\` the SCS to re-read the file. An invalid file is rejected with the same messages
(journal event \`config-rejected\`) and the running configuration stays. A valid one is applied
without restarting running applications that did not change (journal event \`config-reloaded\`
with one line per change):

- new hosts are connected, removed hosts dropped, a host whose \`lca\` changed is reconnected;
- new applications are started (\`autostart\`), removed ones are stopped gracefully;
- a changed \`command\`, \`args\`, \`cwd\`, \`env\`, timeout or restart policy takes effect at the next
  start of that application (\`mlayer restart APP\` applies it now);
- a pair whose settings or members changed gets a new pair machine, which adopts the member that
  acts as primary — no switchover;
- \`scs.startWindow\` applies at once. \`scs.disconnectSwitchoverTimeout\` applies to hosts
  connected after the reload; hosts already connected keep the old value until the SCS restarts.
  Every other \`scs\` key (\`id\`, \`http\`, \`journal\`, secrets, \`addp\`, the SCS pair) takes effect
  only after an SCS restart; the reload logs which.
`;

const SECTIONS: readonly { readonly prefix: string; readonly title: string; readonly text: string }[] = [
  {
    prefix: 'scs',
    title: '`scs` — the Solution Control Server',
    text: 'The SCS this file configures. For a redundant SCS pair, each SCS has its own file (or the same file with `mlayer scs --id`), and they name each other under `peer`; see [failover.md](failover.md#the-scs-pair).',
  },
  {
    prefix: 'hosts',
    title: '`hosts` — the machines, one LCA each',
    text: 'Every host runs one `mlayer lca`. The SCS connects to each LCA at `lca` and authenticates with `scs.lcaSecretFile`.',
  },
  {
    prefix: 'applications',
    title: '`applications` — what the LCAs run',
    text: 'Each application runs on one host, started by that host\'s LCA with exactly this command, arguments, directory and environment (no shell). A pair is a primary that names its `backup`; the pair takes the primary\'s name and settings.',
  },
];

/** The whole page. */
export function configReference(): string {
  const rows = configKeys();
  const parts = [INTRO];
  for (const section of SECTIONS) {
    const own = rows.filter((r) => r.key === section.prefix || r.key.startsWith(`${section.prefix}.`) || r.key.startsWith(`${section.prefix}[]`));
    parts.push([`## ${section.title}`, '', section.text, '', ...table(own), ''].join('\n'));
  }
  parts.push(RULES);
  parts.push(['## A file with every key', '', 'Every key set, most of them to their defaults (an SCS pair member with a hot-standby pair):', '', '```yaml', FULL_EXAMPLE.trimEnd(), '```', ''].join('\n'));
  return `${parts.join('\n')}`;
}

function main(argv: readonly string[]): number {
  const text = configReference();
  if (argv.includes('--write')) {
    writeFileSync(REFERENCE_FILE, text);
    return 0;
  }
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(REFERENCE_FILE, 'utf8');
    } catch {
      // missing: differs
    }
    if (current === text) return 0;
    process.stderr.write(`${REFERENCE_FILE} is out of date: run npx tsx scripts/config-reference.ts --write\n`);
    return 1;
  }
  process.stdout.write(text);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
