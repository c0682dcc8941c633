// One run of the LCA benchmark: `start` a demo application and time its reports up to
// `started`; open a bare TCP connection to its line-protocol port; SIGKILL it and time the LCA's
// `stopped` report against that bare socket's close, both seen by this process.

import net from 'node:net';
import { once } from 'node:events';
import type { AppReport } from '@mlayer/common';
import { demoSpec, freePort } from '../../test/support/daemons.js';
import { withDeadline } from '../lib/deadline.js';
import type { AgentSession } from './agent-session.js';

const START_TIMEOUT_MS = 15_000;
const DETECTION_TIMEOUT_MS = 5_000;

/** Milliseconds from sending `start` to each observation. */
export interface StartTiming {
  readonly pending: number;
  readonly reply: number;
  readonly initializing: number;
  readonly started: number;
}

/** Milliseconds from the kill to each observation. */
export interface KillTiming {
  readonly stopped: number;
  /** The bare socket's first sign: 'end' (FIN), 'error' (RST) or 'close'. */
  readonly bareFirst: number;
  /** The LCA's report that it reaped the process (with its signal). */
  readonly reaped: number;
  /** Why the LCA said it stopped: the link closing or the exit (SIGCHLD), whichever it saw first. */
  readonly reason: AppReport['reason'];
}

export interface CycleTiming {
  readonly start: StartTiming;
  readonly kill: KillTiming;
}

const isApp = (name: string, status: AppReport['status']) => (r: AppReport) => r.app === name && r.status === status;

async function startApp(session: AgentSession, name: string, port: number): Promise<{ timing: StartTiming; pid: number }> {
  const { scs, reports, apps } = session;
  const since = reports.mark();
  const sentAt = performance.now();
  const reply = scs.request({ type: 'start', app: demoSpec(name, port) }).then(() => performance.now());
  const pending = reports.next(`${name} start-pending`, since, isApp(name, 'start-pending'), START_TIMEOUT_MS);
  // Track the process as soon as it exists, so that it is killed even if it never starts.
  void pending.then(({ report }) => report.pid !== null && apps.add(report.pid, { group: true }), () => undefined);
  const [repliedAt, spawned, initializing, started] = await Promise.all([
    reply,
    pending,
    reports.next(`${name} initializing`, since, isApp(name, 'initializing'), START_TIMEOUT_MS),
    reports.next(`${name} started`, since, isApp(name, 'started'), START_TIMEOUT_MS),
  ]);
  const pid = started.report.pid;
  if (pid === null || spawned.report.pid !== pid || initializing.report.pid !== pid) {
    throw new Error(`${name}: reports name different processes (${spawned.report.pid}, ${initializing.report.pid}, ${pid})`);
  }
  return {
    pid,
    timing: { pending: spawned.at - sentAt, reply: repliedAt - sentAt, initializing: initializing.at - sentAt, started: started.at - sentAt },
  };
}

/** A client connection the demo application has accepted and answered (so it holds the socket). */
async function openBareSocket(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined); // a reset is a close here; timed by the run
  await withDeadline(once(socket, 'connect'), START_TIMEOUT_MS, `cannot connect to the demo app on ${port}`);
  socket.setNoDelay(true);
  let answer = '';
  await withDeadline(new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (!answer.includes('\n')) return;
      socket.off('data', onData);
      socket.resume(); // keep reading, or the FIN of the kill would never surface as 'end'
      resolve();
    };
    socket.on('data', onData);
    socket.write('PING\n');
  }), START_TIMEOUT_MS, `the demo app on ${port} did not answer PING`);
  if (!answer.startsWith('PONG')) throw new Error(`the demo app on ${port} answered PING with ${JSON.stringify(answer)}`);
  return socket;
}

async function killAndTime(session: AgentSession, name: string, pid: number, socket: net.Socket): Promise<KillTiming> {
  const { reports } = session;
  let bareFirstAt = NaN;
  const bareFirst = () => {
    if (Number.isNaN(bareFirstAt)) bareFirstAt = performance.now();
  };
  socket.once('end', bareFirst);
  socket.once('error', bareFirst);
  const bareClosed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      bareFirst();
      resolve();
    }),
  );
  const since = reports.mark();
  const ofPid = (r: AppReport) => r.app === name && r.pid === pid && r.status === 'stopped';

  const killedAt = performance.now();
  process.kill(pid, 'SIGKILL');
  const [stopped, reaped] = await Promise.all([
    reports.next(`${name} (pid ${pid}) stopped`, since, ofPid, DETECTION_TIMEOUT_MS),
    reports.next(`${name} (pid ${pid}) reaped`, since, (r) => ofPid(r) && r.signal !== null, DETECTION_TIMEOUT_MS),
    withDeadline(bareClosed, DETECTION_TIMEOUT_MS, `the bare socket to ${name} (pid ${pid}) did not close`),
  ]);
  return { stopped: stopped.at - killedAt, bareFirst: bareFirstAt - killedAt, reaped: reaped.at - killedAt, reason: stopped.report.reason };
}

/** Starts `name` (again), kills it, and returns the timings; the process is reaped when it returns. */
export async function runCycle(session: AgentSession, name: string): Promise<CycleTiming> {
  const port = await freePort();
  const { timing: start, pid } = await startApp(session, name, port);
  const socket = await openBareSocket(port);
  try {
    // Let the last bytes of the start (and of the PING) settle, so the kill meets idle links.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const kill = await killAndTime(session, name, pid, socket);
    session.apps.forget(pid); // the LCA reaped it: the pid may be reused from now on
    return { start, kill };
  } finally {
    socket.destroy();
  }
}
