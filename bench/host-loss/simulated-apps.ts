// Applications without processes, for scale benchmarks: the LCA's injected ProcessControl.
// "Launching" one creates, on the next turn, a real SDK client (connectToLca with the
// environment the LCA set) that registers over an in-memory link to that same LCA, reports
// `started`, and acknowledges every role at once. Signals end it as a kill would: its link
// closes and the LCA hears of the exit. Pids are beyond any real pid and never signalled.

import type { LaunchedProcess, ProcessControl } from '@mlayer/lca';
import { type LcaClient, type Role, connectToLca } from '@mlayer/lca/app';
import type { ConnectFunction } from './memory-connect.js';

type ExitListener = (code: number | null, signal: string | null) => void;

let nextPid = 10_000_000;

class SimulatedApp {
  client: LcaClient | undefined;
  private exitListener: ExitListener | undefined;
  private exited = false;

  constructor(readonly pid: number, readonly name: string, private readonly env: Readonly<Record<string, string>>,
    private readonly connect: ConnectFunction, private readonly onRole: (app: string, role: Role, at: number) => void) {}

  onExit(listener: ExitListener): void {
    this.exitListener = listener;
  }

  async run(): Promise<void> {
    try {
      const client = await connectToLca({
        env: this.env,
        connect: this.connect,
        onRole: (role) => this.onRole(this.name, role, performance.now()),
        // The default would SIGTERM this (the benchmark's own) process.
        onSuspend: () => this.exit(0, null),
      });
      if (this.exited) {
        client.close();
        return;
      }
      this.client = client;
      client.reportStatus('started');
    } catch {
      this.exit(1, null);
    }
  }

  /** Ends it silently (benchmark teardown): no exit is reported. */
  shutdown(): void {
    this.exited = true;
    this.client?.close();
  }

  exit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    this.client?.close();
    setImmediate(() => this.exitListener?.(code, signal));
  }
}

export class SimulatedApps implements ProcessControl {
  private readonly apps = new Map<number, SimulatedApp>();
  /** Set once the LCA exists: its in-memory listener. */
  connect: ConnectFunction | undefined;

  constructor(private readonly onRole: (app: string, role: Role, at: number) => void) {}

  async launch(spec: { readonly name: string }, env: Readonly<Record<string, string>>): Promise<LaunchedProcess> {
    const connect = this.connect;
    if (connect === undefined) throw new Error('SimulatedApps: no LCA to connect to yet');
    const app = new SimulatedApp(nextPid++, spec.name, env, connect, this.onRole);
    this.apps.set(app.pid, app);
    app.onExit(() => this.apps.delete(app.pid));
    setImmediate(() => void app.run());
    return { pid: app.pid, startTime: null, onExit: (listener) => app.onExit((code, signal) => {
      this.apps.delete(app.pid);
      listener(code, signal);
    }) };
  }

  signal(pid: number, signal: NodeJS.Signals): boolean {
    const app = this.apps.get(pid);
    if (app === undefined) return false;
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') app.exit(null, signal);
    return true;
  }

  isAlive(pid: number): boolean {
    return this.apps.has(pid);
  }

  /** Closes every application's link for good (no reconnects), at the end of a benchmark. */
  closeAll(): void {
    for (const app of this.apps.values()) app.shutdown();
    this.apps.clear();
  }
}
