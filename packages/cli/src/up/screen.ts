// What `mlayer up` shows while the solution runs. On a terminal: one block redrawn in place (the
// SCS and its hosts, the applications, the pairs with their last switchover, the latest events
// when there is room), with notices printed above it. Anywhere else (a pipe, a file): one line
// per change, so a log of `mlayer up` reads like a history.

import type { ApplicationView, HostView, JournalEvent, PairView, StatusView } from '@mlayer/scs';
import type { Palette } from '../client/ansi.js';
import { applicationsTable, eventLine, formatAge, pairsTable, roleText, scsLine } from '../client/format.js';

export interface ScreenView {
  /** The last status the SCS served (undefined: none yet). */
  readonly status: StatusView | undefined;
  /** Why the latest refresh failed; undefined when `status` is current. */
  readonly error: string | undefined;
  /** The latest journal events, oldest first. */
  readonly events: readonly JournalEvent[];
  readonly nowMs: number;
}

export interface StatusScreen {
  show(view: ScreenView): void;
  /** A line for the user, above the live block (or in the stream of lines). */
  notice(text: string): void;
  /** Leaves the last block on the screen and the cursor below it. */
  close(): void;
}

export interface Terminal {
  write(text: string): void;
  readonly columns: () => number;
  readonly rows: () => number;
}

const ESC = '\u001b[';

export function hostsLine(hosts: readonly HostView[], nowMs: number, p: Palette): string {
  const host = (h: HostView) => `${h.name} ${h.connected ? p.green('connected') : p.red('disconnected')} ${p.dim(formatAge(h.since, nowMs))}`;
  return `${p.bold('HOSTS')}  ${hosts.length === 0 ? 'none' : hosts.map(host).join('  ·  ')}`;
}

/** HH:MM:SS.mmm in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** The live block: at most `rows` lines; the latest events fill what room is left. */
export function statusBlock(view: ScreenView, p: Palette, footer: string, rows: number): string[] {
  const { status, nowMs } = view;
  const lines: string[] = [];
  if (view.error !== undefined) lines.push(p.red(`the SCS does not answer (${view.error})${status === undefined ? '' : '; showing its last status'}`));
  if (status !== undefined) {
    lines.push(scsLine(status.scs, p), hostsLine(status.hosts, nowMs, p), '', ...applicationsTable(status.applications, nowMs, p));
    const pairs = pairsTable(status.pairs, nowMs, p);
    if (pairs.length > 0) lines.push('', ...pairs);
  }
  const room = rows - lines.length - 3;
  if (room >= 1 && view.events.length > 0) {
    lines.push('', p.bold('LATEST EVENTS'), ...view.events.slice(-Math.min(room, 8)).map((e) => eventLine({ ...e, time: clockTime(Date.parse(e.time)) }, p)));
  }
  lines.push(p.dim(footer));
  return lines.slice(-rows);
}

/** Cuts a line (ANSI colours allowed) to `columns` visible characters. */
export function fitWidth(line: string, columns: number): string {
  let visible = 0;
  let out = '';
  let coloured = false;
  for (const token of line.match(/\u001b\[[0-9;]*m|[^\u001b]/gu) ?? []) {
    if (token.startsWith('\u001b')) {
      out += token;
      coloured = true;
    } else if (visible < columns) {
      out += token;
      visible += 1;
    } else {
      return coloured ? `${out}${ESC}0m` : out;
    }
  }
  return out;
}

export function visibleLength(line: string): number {
  return line.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** A terminal: the block is redrawn in place (cursor up, clear below); notices scroll above it. */
export class LiveScreen implements StatusScreen {
  /** Visible lengths of the lines of the block on the screen now. */
  private drawn: number[] = [];
  private last: ScreenView | undefined;
  private closed = false;

  constructor(private readonly terminal: Terminal, private readonly palette: Palette, private readonly footer: string) {}

  show(view: ScreenView): void {
    this.last = view;
    if (this.closed) return;
    this.terminal.write(this.erase() + this.draw());
  }

  notice(text: string): void {
    if (this.closed) return this.terminal.write(`${text}\n`);
    this.terminal.write(`${this.erase()}${text}\n${this.draw()}`);
  }

  /** Redraws after the terminal changed size. */
  resized(): void {
    if (!this.closed) this.terminal.write(this.erase() + this.draw());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.terminal.write(`${ESC}?25h`);
  }

  private erase(): string {
    const columns = Math.max(1, this.terminal.columns());
    const rows = this.drawn.reduce((sum, length) => sum + Math.max(1, Math.ceil(length / columns)), 0);
    this.drawn = [];
    return rows === 0 ? '' : `${ESC}${rows}F${ESC}J`;
  }

  private draw(): string {
    if (this.last === undefined) return '';
    const columns = Math.max(20, this.terminal.columns()) - 1;
    const lines = statusBlock(this.last, this.palette, this.footer, Math.max(3, this.terminal.rows() - 1)).map((l) => fitWidth(l, columns));
    this.drawn = lines.map(visibleLength);
    return `${ESC}?25l${lines.join('\n')}\n`;
  }
}

/** Not a terminal: one line per change of the status, each with the time. */
export class LineScreen implements StatusScreen {
  private previous: StatusView | undefined;
  private unanswered = false;

  constructor(private readonly write: (text: string) => void, private readonly palette: Palette) {}

  show(view: ScreenView): void {
    const stamp = clockTime(view.nowMs);
    if (view.error !== undefined) {
      if (!this.unanswered) this.write(`${stamp} the SCS does not answer (${view.error})\n`);
      this.unanswered = true;
      return;
    }
    if (this.unanswered) this.write(`${stamp} the SCS answers again\n`);
    this.unanswered = false;
    if (view.status === undefined) return;
    for (const line of changeLines(this.previous, view.status, this.palette)) this.write(`${stamp} ${line}\n`);
    this.previous = view.status;
  }

  notice(text: string): void {
    this.write(`${clockTime(Date.now())} ${text}\n`);
  }

  close(): void {}
}

/** What changed from one status to the next, one `kind name key=value ...` line per thing. */
export function changeLines(before: StatusView | undefined, after: StatusView, p: Palette): string[] {
  const lines: string[] = [];
  const { scs } = after;
  if (before === undefined || before.scs.role !== scs.role || before.scs.epoch !== scs.epoch) lines.push(`scs ${scs.id} role=${scs.role} epoch=${scs.epoch}`);
  for (const host of after.hosts) {
    const old = before?.hosts.find((h) => h.name === host.name);
    if (old === undefined || old.connected !== host.connected) lines.push(`host ${host.name} ${host.connected ? p.green('connected') : p.red('disconnected')}`);
  }
  for (const app of after.applications) {
    const old = before?.applications.find((a) => a.name === app.name);
    if (old === undefined || appKey(old) !== appKey(app)) lines.push(`app ${app.name} status=${app.status} role=${roleText(app)} pid=${app.pid ?? '-'}`);
  }
  for (const pair of after.pairs) {
    const old = before?.pairs.find((x) => x.name === pair.name);
    if (old === undefined || pairChanged(old, pair)) {
      const last = pair.lastSwitchover;
      const switched = last === null ? '' : ` last-switchover="${last.reason}${last.ms === null ? '' : ` ${last.ms} ms`}"`;
      lines.push(`pair ${pair.name} state=${pair.state} active=${pair.active ?? '-'}${switched}`);
    }
  }
  return lines;
}

const appKey = (a: ApplicationView) => `${a.status}|${a.role}|${a.desiredRole}|${a.pid}`;

/** `lastSwitchover.at` is derived from a monotonic clock and may move by a millisecond between reads. */
function pairChanged(a: PairView, b: PairView): boolean {
  if (a.state !== b.state || a.active !== b.active) return true;
  const [x, y] = [a.lastSwitchover, b.lastSwitchover];
  if (x === null || y === null) return x !== y;
  return x.reason !== y.reason || x.ms !== y.ms || Math.abs(Date.parse(x.at) - Date.parse(y.at)) >= 1000;
}
