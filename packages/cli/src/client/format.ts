// Human output of the client commands: aligned tables (padding measured before colouring),
// relative ages, and one line per journal event.

import type { ApplicationView, HostView, JournalEvent, PairView, ScsView, StatusView } from '@mlayer/scs';
import type { Paint, Palette } from './ansi.js';

export interface Cell {
  readonly text: string;
  readonly paint?: Paint;
}

type CellInput = string | Cell;

/** Columns separated by two spaces; the last column is not padded (no trailing blanks). */
export function formatTable(headers: readonly string[], rows: readonly (readonly CellInput[])[], palette: Palette): string[] {
  const cells = rows.map((row) => row.map((c): Cell => (typeof c === 'string' ? { text: c } : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.text.length ?? 0)));
  const line = (row: readonly Cell[]) =>
    row
      .map((cell, i) => {
        const padded = i === row.length - 1 ? cell.text : cell.text.padEnd(widths[i] ?? 0);
        return cell.paint === undefined ? padded : cell.paint(cell.text) + padded.slice(cell.text.length);
      })
      .join('  ');
  return [line(headers.map((h) => ({ text: h, paint: palette.bold }))), ...cells.map(line)];
}

/** `45s`, `3m12s`, `2h5m`, `3d4h`: how long ago `since` was; `-` when unknown. */
export function formatAge(since: string | null, nowMs: number): string {
  if (since === null) return '-';
  const then = Date.parse(since);
  if (Number.isNaN(then)) return '-';
  const s = Math.max(0, Math.floor((nowMs - then) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function statusPaint(status: string, p: Palette): Paint {
  switch (status) {
    case 'started':
      return p.green;
    case 'hung':
    case 'service-unavailable':
      return p.red;
    case 'start-pending':
    case 'initializing':
    case 'suspending':
    case 'stop-pending':
      return p.yellow;
    default:
      return p.dim;
  }
}

export function scsLine(scs: ScsView, p: Palette): string {
  const role = scs.role === 'primary' ? p.green(scs.role) : p.yellow(scs.role);
  let line = `${p.bold('SCS')} ${scs.id}  role ${role}  epoch ${scs.epoch}`;
  if (scs.peer !== undefined) {
    const link = scs.peer.connected ? p.green('connected') : p.red('disconnected');
    line += `  peer ${scs.peer.id} (${link}${scs.peer.url === undefined ? '' : `, ${scs.peer.url}`})`;
  }
  return line;
}

export function hostsTable(hosts: readonly HostView[], nowMs: number, p: Palette): string[] {
  if (hosts.length === 0) return ['no hosts configured'];
  return formatTable(
    ['HOST', 'LCA', 'CONNECTED', 'SINCE'],
    hosts.map((h) => [h.name, h.lca, h.connected ? { text: 'yes', paint: p.green } : { text: 'no', paint: p.red }, formatAge(h.since, nowMs)]),
    p,
  );
}

/** The acknowledged role, with the desired one when they differ: `backup→primary`. */
export function roleText(app: Pick<ApplicationView, 'role' | 'desiredRole'>): string {
  return app.role === app.desiredRole ? app.role : `${app.role}→${app.desiredRole}`;
}

export function applicationsTable(apps: readonly ApplicationView[], nowMs: number, p: Palette): string[] {
  if (apps.length === 0) return ['no applications configured'];
  return formatTable(
    ['NAME', 'HOST', 'STATUS', 'ROLE', 'PID', 'PAIR', 'RESTARTS', 'SINCE'],
    apps.map((a) => [
      a.name,
      a.host,
      { text: a.status, paint: statusPaint(a.status, p) },
      { text: roleText(a), paint: a.role !== a.desiredRole ? p.yellow : a.role === 'primary' ? p.bold : p.dim },
      a.pid === null ? '-' : String(a.pid),
      a.pair ?? '-',
      a.restarts > 0 ? { text: String(a.restarts), paint: p.yellow } : String(a.restarts),
      formatAge(a.since, nowMs),
    ]),
    p,
  );
}

/** `12s ago, process-failure, 8 ms`; `-` before the first switchover. */
export function switchoverText(last: PairView['lastSwitchover'], nowMs: number): string {
  if (last === null) return '-';
  return `${formatAge(last.at, nowMs)} ago, ${last.reason}${last.ms === null ? '' : `, ${last.ms} ms`}`;
}

/** The pairs with the member acting as primary, the machine state (green: protected) and the last switchover. */
export function pairsTable(pairs: readonly PairView[], nowMs: number, p: Palette): string[] {
  if (pairs.length === 0) return [];
  return formatTable(
    ['PAIR', 'REDUNDANCY', 'ACTIVE', 'STATE', 'LAST SWITCHOVER'],
    pairs.map((pair) => [
      pair.name,
      pair.redundancy,
      pair.active ?? { text: 'none', paint: p.red },
      { text: pair.state, paint: pair.state === 'active' && pair.protected ? p.green : pair.state === 'active' ? p.yellow : p.red },
      switchoverText(pair.lastSwitchover, nowMs),
    ]),
    p,
  );
}

export function statusReport(status: StatusView, nowMs: number, p: Palette): string[] {
  const pairs = pairsTable(status.pairs, nowMs, p);
  return [
    scsLine(status.scs, p), '', ...hostsTable(status.hosts, nowMs, p), '', ...applicationsTable(status.applications, nowMs, p),
    ...(pairs.length > 0 ? ['', ...pairs] : []),
  ];
}

const ALARMING = new Set(['switchover-failed', 'switchover-blocked', 'host-disconnected', 'app-hung', 'split-brain', 'flapping', 'config-rejected']);
const GOOD = new Set(['switchover-completed', 'host-connected', 'config-reloaded']);

/** `seq time type key=value ...`; values with blanks or quotes are JSON-quoted. */
export function eventLine(event: JournalEvent, p: Palette): string {
  const { seq, time, type, ...fields } = event;
  const paint = ALARMING.has(type) ? p.red : GOOD.has(type) ? p.green : p.cyan;
  const pairs = Object.entries(fields).map(([key, value]) => `${key}=${fieldText(value)}`);
  return [String(seq), p.dim(time), paint(type), ...pairs].join(' ');
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'undefined';
}
