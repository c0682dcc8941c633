// Worker thread entry of the host-loss-scale suite: one protocol-level LCA (scs-scale's FakeLca)
// on loopback TCP, off the thread that runs the SCS under test, so that "SCS alone" measures the
// SCS's own work as on a real deployment, where the LCAs run on other hosts. It posts
// `{ type: 'listening', port }`, then answers each `{ id, type: 'cut' | 'heal' | 'stop' }` with
// `{ type: 'done', id }`.

import { parentPort, workerData } from 'node:worker_threads';
import { FakeLca } from '../scs-scale/fake-lca.js';

export interface FakeHostData {
  readonly name: string;
  readonly apps: readonly string[];
  readonly firstPid: number;
  readonly secret: string;
}

export type FakeHostCommand = { readonly id: number; readonly type: 'cut' | 'heal' | 'stop' };

const port = parentPort;
if (port === null) throw new Error('fake-host-worker.ts runs in a worker thread');
const data = workerData as FakeHostData;
const none = () => undefined;
const lca = new FakeLca(data.name, data.apps, data.firstPid, data.secret, { authenticated: none, roleAcked: none, lost: none });
const listening = await lca.listen();
port.on('message', (command: FakeHostCommand) => {
  const done = () => port.postMessage({ type: 'done', id: command.id });
  if (command.type === 'cut') void lca.close('host lost').then(done);
  else if (command.type === 'heal') void lca.listen(listening).then(done);
  else void lca.close().then(() => {
    done();
    port.close();
  });
});
port.postMessage({ type: 'listening', port: listening });
