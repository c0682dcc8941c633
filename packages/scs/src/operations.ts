// What an operator asks of the primary SCS (CONTRACT.md section 5): start, stop, restart and
// switch over an application. Each answers at once with a CommandResult: accepted, or refused
// with a code and a message that says why (a backup SCS, an unknown application, a lost host).

import { type Logger, errorMessage } from '@mlayer/common';
import type { Application } from './application.js';
import type { Host } from './host.js';
import type { PairSupervisor } from './pair.js';
import type { RestartScheduler } from './restarts.js';
import type { CommandResult } from './views.js';

export interface OperationsContext {
  readonly log: Logger;
  readonly restarts: RestartScheduler;
  /** The refusal of a backup SCS (naming the primary), or undefined on the primary. */
  notPrimary(): CommandResult | undefined;
  app(name: string): Application | undefined;
  hostOf(app: Application): Host | undefined;
  pairOf(app: Application): PairSupervisor | undefined;
}

const refused = (code: string, message: string): CommandResult => ({ accepted: false, code, message });

export class OperatorCommands {
  constructor(private readonly context: OperationsContext) {}

  async start(name: string): Promise<CommandResult> {
    const found = this.find(name);
    if ('accepted' in found) return found;
    const { app, host } = found;
    if (!host?.connected) return refused('host-down', `the LCA of ${app.config.host} is not connected`);
    if (app.running) return refused('already-running', `${name} is already running (status ${app.status})`);
    app.planned = false;
    app.restartSuspended = false;
    this.context.restarts.resetBackoff(app);
    this.context.log.info('operator: start', { app: name });
    this.context.restarts.startNow(app);
    return { accepted: true };
  }

  stop(name: string, graceful: boolean): Promise<CommandResult> {
    return this.stopApp(name, graceful, false);
  }

  async restart(name: string): Promise<CommandResult> {
    const found = this.find(name);
    if ('accepted' in found) return found;
    if (!found.app.running) return this.start(name);
    return this.stopApp(name, true, true);
  }

  async switchover(name: string): Promise<CommandResult> {
    const found = this.find(name);
    if ('accepted' in found) return found;
    const pair = this.context.pairOf(found.app);
    if (!pair) return refused('no-pair', `${name} has no backup: there is nothing to switch over to`);
    this.context.log.info('operator: switchover', { app: name, pair: pair.name });
    return pair.requestSwitchover(name);
  }

  /** Stops `name`; with `thenRestart`, starts it again once it has stopped (operator restart). */
  private async stopApp(name: string, graceful: boolean, thenRestart: boolean): Promise<CommandResult> {
    const found = this.find(name);
    if ('accepted' in found) return found;
    const { app, host } = found;
    if (!host?.connected) return refused('host-down', `the LCA of ${app.config.host} is not connected`);
    if (!app.running) return refused('not-running', `${name} is not running (status ${app.status})`);
    const { restarts, log } = this.context;
    log.info(thenRestart ? 'operator: restart' : 'operator: stop', { app: name, graceful });
    app.planned = true;
    // Set before the request: the stop may be reported before its reply is read.
    app.restartWhenStopped = thenRestart;
    restarts.cancel(app);
    this.context.pairOf(app)?.memberChanged(app);
    try {
      await host.link.stopApp(name, graceful);
      return { accepted: true };
    } catch (error) {
      // The stop may have happened or not (a lost link loses the reply too). The operator is told
      // it failed, so it is no planned stop: a stopped application is restarted as after a failure.
      app.planned = false;
      app.restartWhenStopped = false;
      restarts.consider(app);
      return refused('lca-refused', errorMessage(error));
    }
  }

  /** The application and its host, or the refusal: this SCS is the backup, or no such application. */
  private find(name: string): { readonly app: Application; readonly host: Host | undefined } | CommandResult {
    const backup = this.context.notPrimary();
    if (backup) return backup;
    const app = this.context.app(name);
    if (!app) return refused('unknown-app', `no application "${name}"`);
    return { app, host: this.context.hostOf(app) };
  }
}
