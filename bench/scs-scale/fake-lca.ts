// A simulated LCA for scale benchmarks: a real ADDP server on loopback that speaks the real LCA
// protocol to an SCS — the mutual HMAC challenge-response of protocol/auth.ts, the snapshot as
// the `auth` reply, and answers to every request — but runs no process: its applications are
// records that report `started` (again at once when the SCS starts them after a stop or kill)
// and acknowledge every role at once (as an instant SDK would).

import { type AcceptResult, AddpServer, type Connection, type Hello } from '@mlayer/addp';
import {
  AUTH_SCHEME,
  type AppReport,
  LCA_ERRORS,
  type LcaMessage,
  type LcaRequest,
  MlayerError,
  type Snapshot,
  lcaRequestSchema,
  makeNonce,
  proofFor,
  verifyProof,
} from '@mlayer/common';

const NONCE = /^[0-9a-f]{32,128}$/;
/** Pids of applications (re)started by the SCS: beyond any real pid (pid_max ≤ 2^22), never signalled. */
let nextRestartPid = 10_000_000;

export interface FakeLcaHooks {
  /** An SCS proved it knows the secret (once per link). */
  authenticated(lca: FakeLca): void;
  /** An application acknowledged a role. */
  roleAcked(lca: FakeLca, app: string): void;
  /** An authenticated SCS link was lost. */
  lost(lca: FakeLca, reason: string): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export class FakeLca {
  private readonly server: AddpServer;
  private readonly apps = new Map<string, AppReport>();
  /** Server nonces of handshakes in flight, by the SCS's nonce. */
  private readonly nonces = new Map<string, string>();
  private readonly sessions = new Map<Connection, { scs: string; epoch: number }>();
  private epoch = 0;

  constructor(readonly host: string, apps: readonly string[], firstPid: number, private readonly secret: string, private readonly hooks: FakeLcaHooks) {
    const time = new Date().toISOString();
    apps.forEach((app, i) => {
      this.apps.set(app, { app, status: 'started', role: 'none', pid: firstPid + i, exitCode: null, signal: null, reason: null, facts: {}, mono: performance.now(), time });
    });
    this.server = new AddpServer({
      name: host,
      settings: { timeoutMs: 0, remoteTimeoutMs: 0, trace: 'off' }, // watches each SCS with the timeout it asks for, as an LCA does
      accept: (hello) => this.accept(hello),
    });
    this.server.on('connection', (link) => this.onConnection(link));
  }

  /** Listens on loopback (again, after close(), on the same port if given). */
  async listen(port = 0): Promise<number> {
    return (await this.server.listen(port, '127.0.0.1')).port;
  }

  /** Closes every SCS link (with a CLOSE frame) and stops listening; the applications keep their state. */
  close(reason = 'fake LCA shutting down'): Promise<void> {
    return this.server.close(reason);
  }

  private accept(hello: Hello): AcceptResult {
    const auth = hello.auth;
    if (!isRecord(auth) || auth.scheme !== AUTH_SCHEME || typeof auth.nonce !== 'string' || !NONCE.test(auth.nonce)) {
      throw new MlayerError(LCA_ERRORS.unauthenticated, 'an SCS must authenticate with hmac-sha256');
    }
    const serverNonce = makeNonce();
    this.nonces.set(auth.nonce, serverNonce);
    return { auth: { scheme: AUTH_SCHEME, nonce: serverNonce, proof: proofFor(this.secret, 'server', auth.nonce, serverNonce) } };
  }

  private onConnection(link: Connection): void {
    const auth = link.peer?.auth;
    const clientNonce = isRecord(auth) && typeof auth.nonce === 'string' ? auth.nonce : '';
    const serverNonce = this.nonces.get(clientNonce);
    this.nonces.delete(clientNonce);
    link.setRequestHandler((payload) => this.onRequest(link, payload, clientNonce, serverNonce));
    link.once('lost', (info) => {
      if (this.sessions.delete(link)) this.hooks.lost(this, info.message);
    });
  }

  private onRequest(link: Connection, payload: unknown, clientNonce: string, serverNonce: string | undefined): unknown {
    const request: LcaRequest = lcaRequestSchema.parse(payload);
    if (request.type === 'auth') {
      if (serverNonce === undefined || !verifyProof(this.secret, 'client', serverNonce, clientNonce, request.proof)) {
        setImmediate(() => link.close('wrong secret: the SCS proof does not match'));
        throw new MlayerError(LCA_ERRORS.unauthenticated, 'authentication failed: wrong secret');
      }
      this.epoch = Math.max(this.epoch, request.epoch ?? 0);
      const first = !this.sessions.has(link);
      this.sessions.set(link, { scs: request.scs ?? link.label, epoch: request.epoch ?? 0 });
      if (first) this.hooks.authenticated(this);
      return this.snapshot();
    }
    if (!this.sessions.has(link)) throw new MlayerError(LCA_ERRORS.unauthenticated, 'authenticate first');
    switch (request.type) {
      case 'snapshot':
        return this.snapshot();
      case 'claim':
        this.epoch = Math.max(this.epoch, request.epoch);
        return this.snapshot();
      case 'start': {
        const current = this.app(request.app.name);
        if (current.status === 'started') return current;
        const report = { ...current, status: 'started' as const, role: 'none' as const, pid: nextRestartPid++, mono: performance.now(), time: new Date().toISOString() };
        this.apps.set(report.app, report);
        this.broadcast({ type: 'app-status', report });
        return report;
      }
      case 'stop':
      case 'kill': {
        const report = { ...this.app(request.app), status: 'stopped' as const, role: 'none' as const, pid: null, mono: performance.now(), time: new Date().toISOString() };
        this.apps.set(report.app, report);
        this.broadcast({ type: 'app-status', report });
        return report;
      }
      case 'set-role': {
        const report = { ...this.app(request.app), role: request.role };
        this.apps.set(report.app, report);
        this.broadcast({ type: 'app-role', app: report.app, role: request.role, mono: performance.now() });
        this.hooks.roleAcked(this, report.app);
        return { role: request.role };
      }
      case 'query-facts':
        return { facts: this.app(request.app).facts };
    }
  }

  private app(name: string): AppReport {
    const report = this.apps.get(name);
    if (report === undefined) throw new MlayerError(LCA_ERRORS.unknownApp, `no application "${name}" on host ${this.host}`);
    return report;
  }

  private snapshot(): Snapshot {
    return { type: 'snapshot', host: this.host, epoch: this.epoch, apps: [...this.apps.values()], scs: [...this.sessions.values()] };
  }

  private broadcast(message: LcaMessage): void {
    for (const link of this.sessions.keys()) link.send(message);
  }
}
