// The life of one application as the LCA sees it, as a pure function (state, event) -> (state,
// effects). The shell (managed-app.ts) turns effects into signals, timers and requests.
//
// Because the LCA runs on the application's host, a broken link to the application is a real
// failure of the application, never a network failure: a closed link is reported `stopped` at
// once and the process is killed so that it cannot go on serving; a silent link is `hung`.

import type { AppStatus, ReportableStatus, Role, StopReason } from '@mlayer/common';

export type Facts = Readonly<Record<string, string>>;

export interface AppState {
  readonly status: AppStatus;
  /** The role the application itself last acknowledged. */
  readonly role: Role;
  /** The process, while there is (or last was) one. */
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly reason: StopReason | null;
  readonly facts: Facts;
  /** Monotonic ms when `status` was entered. */
  readonly since: number;
  /** Whether the application's SDK link is open. */
  readonly linked: boolean;
  /** A stop (or kill) the LCA was asked for is in progress, and in which phase. */
  readonly stopping: 'graceful' | 'term' | 'kill' | null;
  /** Why the LCA itself is killing the process, reported when it exits. */
  readonly failure: 'hang' | 'link-closed' | 'start-timeout' | null;
}

export type LinkLossReason = 'timeout' | 'closed' | 'error' | 'protocol';

export type AppEvent =
  | { readonly type: 'spawned'; readonly pid: number }
  | { readonly type: 'spawn-failed' }
  | { readonly type: 'adopted'; readonly pid: number; readonly status: AppStatus; readonly role: Role }
  /** The SDK registered; `pid` is the registering process (the launched one, or a child of it). */
  | { readonly type: 'linked'; readonly pid: number }
  | { readonly type: 'app-state'; readonly status: ReportableStatus; readonly role: Role; readonly facts: Facts }
  | { readonly type: 'app-status'; readonly status: ReportableStatus }
  | { readonly type: 'app-facts'; readonly facts: Facts }
  | { readonly type: 'role-acked'; readonly role: Role }
  | { readonly type: 'link-lost'; readonly reason: LinkLossReason }
  | { readonly type: 'exited'; readonly code: number | null; readonly signal: string | null }
  /** A process this LCA did not start (re-adopted) is gone; how it ended is unknown. */
  | { readonly type: 'vanished' }
  | { readonly type: 'start-timeout' }
  | { readonly type: 'adopt-timeout' }
  | { readonly type: 'stop'; readonly graceful: boolean }
  | { readonly type: 'kill' }
  | { readonly type: 'stop-timeout' };

export type TimerName = 'start' | 'stop' | 'adopt';

export type AppEffect =
  | { readonly type: 'signal'; readonly signal: 'SIGTERM' | 'SIGKILL' }
  | { readonly type: 'request-suspend' }
  | { readonly type: 'start-timer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'cancel-timer'; readonly timer: TimerName }
  | { readonly type: 'persist' };

export interface AppTimeouts {
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  /** How long a re-adopted process has to reconnect after an LCA restart. */
  readonly adoptTimeoutMs: number;
}

export interface Transition {
  readonly state: AppState;
  readonly effects: readonly AppEffect[];
}

export function initialAppState(now: number): AppState {
  return {
    status: 'unknown',
    role: 'none',
    pid: null,
    exitCode: null,
    signal: null,
    reason: null,
    facts: {},
    since: now,
    linked: false,
    stopping: null,
    failure: null,
  };
}

/** A process exists and has not been seen to end. */
export function hasProcess(state: AppState): boolean {
  return state.pid !== null && state.status !== 'stopped' && state.status !== 'unknown';
}

const KILL = { type: 'signal', signal: 'SIGKILL' } as const;
const TERM = { type: 'signal', signal: 'SIGTERM' } as const;
const cancel = (timer: TimerName): AppEffect => ({ type: 'cancel-timer', timer });
const CANCEL_ALL: readonly AppEffect[] = [cancel('start'), cancel('stop'), cancel('adopt')];

function stopReason(state: AppState, signal: string | null): StopReason {
  if (state.stopping === 'kill') return 'kill';
  if (state.stopping !== null) return 'stop';
  if (state.failure !== null) return state.failure;
  return signal === null ? 'exit' : 'signal';
}

export function transition(state: AppState, event: AppEvent, now: number, timeouts: AppTimeouts): Transition {
  const to = (patch: Partial<AppState>, effects: readonly AppEffect[] = []): Transition => {
    const next = { ...state, ...patch };
    if (next.status !== state.status) next.since = now;
    return { state: next, effects };
  };
  const same: Transition = { state, effects: [] };

  switch (event.type) {
    case 'spawned':
      return to(
        { ...initialAppState(now), status: 'start-pending', pid: event.pid },
        [...(timeouts.startTimeoutMs > 0 ? [{ type: 'start-timer', timer: 'start', ms: timeouts.startTimeoutMs } as const] : []), { type: 'persist' }],
      );

    case 'spawn-failed':
      return to({ ...initialAppState(now), status: 'stopped', reason: 'spawn-failed' });

    case 'adopted':
      return to(
        { ...initialAppState(now), status: event.status, role: event.role, pid: event.pid },
        [{ type: 'start-timer', timer: 'adopt', ms: timeouts.adoptTimeoutMs }],
      );

    case 'linked':
      if (!hasProcess(state)) return same;
      return to(
        { linked: true, pid: state.pid ?? event.pid, status: state.status === 'start-pending' ? 'initializing' : state.status },
        [cancel('start'), cancel('adopt')],
      );

    case 'app-state':
      if (!hasProcess(state) || state.failure !== null) return same;
      return to({ status: state.stopping === null ? event.status : state.status, role: event.role, facts: event.facts }, [cancel('adopt')]);

    case 'app-status':
      if (!hasProcess(state) || state.failure !== null) return same;
      if (state.stopping !== null && event.status !== 'suspending' && event.status !== 'suspended') return same;
      return to({ status: event.status });

    case 'app-facts':
      if (!hasProcess(state)) return same;
      return to({ facts: { ...state.facts, ...event.facts } });

    case 'role-acked':
      if (!hasProcess(state)) return same;
      return to({ role: event.role }, [{ type: 'persist' }]);

    case 'link-lost':
      if (!hasProcess(state)) return to({ linked: false });
      if (state.stopping !== null || state.failure !== null) return to({ linked: false });
      if (event.reason === 'timeout') return to({ linked: false, status: 'hung', failure: 'hang' }, [KILL]);
      return to({ linked: false, status: 'stopped', reason: 'link-closed', failure: 'link-closed' }, [KILL]);

    case 'exited':
      if (state.status === 'stopped') {
        // A link that closed just before an exit with a code (not our SIGKILL) closed because the
        // process was exiting on its own: the exit is the truer reason.
        const reason = state.reason === 'link-closed' && event.signal === null ? 'exit' : state.reason;
        return to({ exitCode: event.code, signal: event.signal, reason, linked: false, stopping: null }, [...CANCEL_ALL, { type: 'persist' }]);
      }
      if (state.pid === null) return same;
      return to(
        { status: 'stopped', exitCode: event.code, signal: event.signal, reason: stopReason(state, event.signal), linked: false, stopping: null },
        [...CANCEL_ALL, { type: 'persist' }],
      );

    case 'vanished':
      if (state.status === 'stopped' || state.pid === null) return to({ linked: false }, CANCEL_ALL);
      return to(
        { status: 'stopped', reason: state.stopping !== null || state.failure !== null ? stopReason(state, null) : 'vanished', linked: false, stopping: null },
        [...CANCEL_ALL, { type: 'persist' }],
      );

    case 'start-timeout':
      if (state.status !== 'start-pending' || state.failure !== null) return same;
      return to({ failure: 'start-timeout' }, [KILL]);

    case 'adopt-timeout':
      if (state.linked || !hasProcess(state) || state.failure !== null) return same;
      return to({ failure: 'link-closed' }, [KILL]); // its link closed with the old LCA and never came back

    case 'stop':
      if (!hasProcess(state) || state.stopping !== null) return same;
      if (event.graceful && state.linked) {
        return to({ status: 'suspending', stopping: 'graceful' }, [
          { type: 'request-suspend' },
          { type: 'start-timer', timer: 'stop', ms: timeouts.stopTimeoutMs },
        ]);
      }
      return to({ status: 'stop-pending', stopping: 'term' }, [TERM, { type: 'start-timer', timer: 'stop', ms: timeouts.stopTimeoutMs }]);

    case 'stop-timeout':
      if (state.stopping === 'graceful') {
        return to({ status: 'stop-pending', stopping: 'term' }, [TERM, { type: 'start-timer', timer: 'stop', ms: timeouts.stopTimeoutMs }]);
      }
      if (state.stopping === 'term') return { state, effects: [KILL] };
      return same;

    case 'kill':
      if (!hasProcess(state)) return same;
      return to({ status: state.status === 'hung' ? 'hung' : 'stop-pending', stopping: 'kill' }, [cancel('stop'), KILL]);
  }
}
