// The LCA's per-application state, driven with plain events: no process, no socket, no timer.

import { expect } from 'chai';
import { type AppEffect, type AppEvent, type AppState, initialAppState, transition } from '@mlayer/lca/internal';

const timeouts = { startTimeoutMs: 10_000, stopTimeoutMs: 3_000, adoptTimeoutMs: 10_000 };

/** Runs events in order from a fresh state; returns the final state and every effect, in order. */
function run(events: AppEvent[], from: AppState = initialAppState(0)): { state: AppState; effects: AppEffect[]; statuses: string[] } {
  let state = from;
  const effects: AppEffect[] = [];
  const statuses: string[] = [];
  events.forEach((event, i) => {
    const next = transition(state, event, i + 1, timeouts);
    if (next.state.status !== state.status) statuses.push(next.state.status);
    state = next.state;
    effects.push(...next.effects);
  });
  return { state, effects, statuses };
}

const started: AppEvent[] = [{ type: 'spawned', pid: 42 }, { type: 'linked', pid: 42 }, { type: 'app-status', status: 'started' }];
const signals = (effects: AppEffect[]) => effects.filter((e) => e.type === 'signal').map((e) => (e as { signal: string }).signal);

describe('LCA application state', () => {
  it('goes start-pending -> initializing -> started and arms then cancels the start timer', () => {
    const { state, effects, statuses } = run(started);
    expect(statuses).to.deep.equal(['start-pending', 'initializing', 'started']);
    expect(state).to.include({ pid: 42, linked: true, role: 'none' });
    expect(effects).to.deep.include({ type: 'start-timer', timer: 'start', ms: 10_000 });
    expect(effects).to.deep.include({ type: 'cancel-timer', timer: 'start' });
  });

  it('records when each status was entered', () => {
    const { state } = run(started);
    expect(state.since).to.equal(3);
  });

  it('a closed link is a failure: stopped at once, and the process is killed', () => {
    const { state, effects, statuses } = run([...started, { type: 'link-lost', reason: 'closed' }]);
    expect(statuses.at(-1)).to.equal('stopped');
    expect(state.reason).to.equal('link-closed');
    expect(signals(effects)).to.deep.equal(['SIGKILL']);
  });

  it('the exit that follows a closed link fills in the exit details without another status change', () => {
    const { state, statuses } = run([...started, { type: 'link-lost', reason: 'closed' }, { type: 'exited', code: null, signal: 'SIGKILL' }]);
    expect(statuses).to.deep.equal(['start-pending', 'initializing', 'started', 'stopped']);
    expect(state).to.include({ status: 'stopped', reason: 'link-closed', signal: 'SIGKILL' });
  });

  it('an exit with a code that follows a closed link is reported as an exit: the process was exiting on its own', () => {
    const { state, statuses } = run([...started, { type: 'link-lost', reason: 'closed' }, { type: 'exited', code: 3, signal: null }]);
    expect(statuses).to.deep.equal(['start-pending', 'initializing', 'started', 'stopped']);
    expect(state).to.include({ status: 'stopped', reason: 'exit', exitCode: 3, signal: null });
  });

  it('a silent link is a hang: hung, killed, then stopped with reason hang', () => {
    const { state, effects, statuses } = run([...started, { type: 'link-lost', reason: 'timeout' }, { type: 'exited', code: null, signal: 'SIGKILL' }]);
    expect(statuses.slice(-2)).to.deep.equal(['hung', 'stopped']);
    expect(state.reason).to.equal('hang');
    expect(signals(effects)).to.deep.equal(['SIGKILL']);
  });

  it('an exit on its own is reported with its code or signal', () => {
    expect(run([...started, { type: 'exited', code: 3, signal: null }]).state).to.include({ status: 'stopped', reason: 'exit', exitCode: 3 });
    expect(run([...started, { type: 'exited', code: null, signal: 'SIGSEGV' }]).state).to.include({ status: 'stopped', reason: 'signal', signal: 'SIGSEGV' });
  });

  it('a graceful stop asks the application to suspend, then SIGTERM, then SIGKILL as each stop timeout expires', () => {
    const { effects, statuses, state } = run([...started, { type: 'stop', graceful: true }, { type: 'stop-timeout' }, { type: 'stop-timeout' }, { type: 'exited', code: null, signal: 'SIGKILL' }]);
    expect(effects.filter((e) => e.type === 'request-suspend')).to.have.length(1);
    expect(signals(effects)).to.deep.equal(['SIGTERM', 'SIGKILL']);
    expect(statuses.slice(-3)).to.deep.equal(['suspending', 'stop-pending', 'stopped']);
    expect(state.reason).to.equal('stop'); // a planned stop, however far it escalated
  });

  it('a planned stop is not a failure: the link closing on the way out changes nothing', () => {
    const { state, effects } = run([...started, { type: 'stop', graceful: true }, { type: 'link-lost', reason: 'closed' }, { type: 'exited', code: 0, signal: null }]);
    expect(signals(effects)).to.deep.equal([]);
    expect(state).to.include({ status: 'stopped', reason: 'stop', exitCode: 0 });
  });

  it('a stop without a link (or not graceful) starts with SIGTERM', () => {
    const { effects, statuses } = run([{ type: 'spawned', pid: 7 }, { type: 'stop', graceful: true }]);
    expect(signals(effects)).to.deep.equal(['SIGTERM']);
    expect(statuses.at(-1)).to.equal('stop-pending');
  });

  it('kill sends SIGKILL at once and the exit is reported with reason kill', () => {
    const { effects, state } = run([...started, { type: 'kill' }, { type: 'exited', code: null, signal: 'SIGKILL' }]);
    expect(signals(effects)).to.deep.equal(['SIGKILL']);
    expect(state.reason).to.equal('kill');
  });

  it('kills a process that never registers within the start timeout', () => {
    const { effects, state } = run([{ type: 'spawned', pid: 9 }, { type: 'start-timeout' }, { type: 'exited', code: null, signal: 'SIGKILL' }]);
    expect(signals(effects)).to.deep.equal(['SIGKILL']);
    expect(state.reason).to.equal('start-timeout');
  });

  it('ignores a start timeout that fires after registration', () => {
    const { effects } = run([{ type: 'spawned', pid: 9 }, { type: 'linked', pid: 42 }, { type: 'start-timeout' }]);
    expect(signals(effects)).to.deep.equal([]);
  });

  it('ignores status reports during a stop, except suspending and suspended', () => {
    const { statuses } = run([...started, { type: 'stop', graceful: true }, { type: 'app-status', status: 'started' }, { type: 'app-status', status: 'suspended' }]);
    expect(statuses.slice(-2)).to.deep.equal(['suspending', 'suspended']);
  });

  it('merges reported facts and records acknowledged roles', () => {
    const { state } = run([...started, { type: 'app-facts', facts: { peer: 'up' } }, { type: 'app-facts', facts: { database: 'up' } }, { type: 'role-acked', role: 'primary' }]);
    expect(state.facts).to.deep.equal({ peer: 'up', database: 'up' });
    expect(state.role).to.equal('primary');
  });

  it('a re-adopted process keeps its status and role, and must reconnect before the adopt timeout', () => {
    const adopted = run([{ type: 'adopted', pid: 5, status: 'started', role: 'primary' }]);
    expect(adopted.state).to.include({ status: 'started', role: 'primary', pid: 5, linked: false });
    expect(adopted.effects).to.deep.include({ type: 'start-timer', timer: 'adopt', ms: 10_000 });
    const late = run([{ type: 'adopt-timeout' }, { type: 'vanished' }], adopted.state);
    expect(signals(late.effects)).to.deep.equal(['SIGKILL']);
    expect(late.state).to.include({ status: 'stopped', reason: 'link-closed' });
    const back = run([{ type: 'linked', pid: 42 }, { type: 'app-state', status: 'started', role: 'primary', facts: {} }, { type: 'adopt-timeout' }], adopted.state);
    expect(signals(back.effects)).to.deep.equal([]);
    expect(back.effects).to.deep.include({ type: 'cancel-timer', timer: 'adopt' });
  });

  it('a re-adopted process that disappears is stopped with reason vanished', () => {
    const { state } = run([{ type: 'adopted', pid: 5, status: 'started', role: 'backup' }, { type: 'vanished' }]);
    expect(state).to.include({ status: 'stopped', reason: 'vanished' });
  });

  it('reports spawn failures as stopped', () => {
    expect(run([{ type: 'spawn-failed' }]).state).to.include({ status: 'stopped', reason: 'spawn-failed', pid: null });
  });

  it('a restart after a stop starts clean', () => {
    const { state } = run([...started, { type: 'role-acked', role: 'primary' }, { type: 'exited', code: 1, signal: null }, { type: 'spawned', pid: 43 }]);
    expect(state).to.include({ status: 'start-pending', pid: 43, role: 'none', exitCode: null, reason: null });
  });
});
