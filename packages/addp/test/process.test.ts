// ADDP against real processes: a peer killed with SIGKILL, and a peer frozen with SIGSTOP.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { AddpServer, type Connection, type LostInfo } from '@mlayer/addp';

const PEER = fileURLToPath(new URL('./fixtures/peer.mjs', import.meta.url));

describe('ADDP with real processes', () => {
  let server: AddpServer;
  let children: ChildProcess[];

  beforeEach(() => {
    children = [];
  });

  afterEach(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }
    await server?.close();
  });

  async function startPeer(timeoutMs: number, serverTimeoutMs: number): Promise<{ child: ChildProcess; link: Connection; output: string[] }> {
    server = new AddpServer({ settings: { timeoutMs: serverTimeoutMs, remoteTimeoutMs: 0, trace: 'off' } });
    const { port } = await server.listen(0, '127.0.0.1');
    const child = spawn(process.execPath, [PEER, String(port), String(timeoutMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const output: string[] = [];
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => output.push(...chunk.split('\n').filter(Boolean)));
    const [link] = (await once(server, 'connection')) as [Connection];
    return { child, link, output };
  }

  it('reports a peer killed with SIGKILL as lost with reason closed', async () => {
    const { child, link } = await startPeer(0, 0);
    const lost = once(link, 'lost');
    child.kill('SIGKILL');
    const [info] = (await lost) as [LostInfo];
    expect(info.reason).to.equal('closed');
    await once(link, 'close');
    expect(server.size).to.equal(0);
  });

  it('reports a peer frozen with SIGSTOP as lost by timeout within T + T/3, and nothing leaks after SIGCONT', async () => {
    const T = 500;
    const { child, link, output } = await startPeer(0, T);
    expect(link.peer?.monitorTimeoutMs).to.equal(T);
    // Let a few polls go by so the measurement starts from a link in its steady state.
    for (let i = 0; i < 3; i++) await once(link, 'rtt');
    const lost = once(link, 'lost');
    const stoppedAt = performance.now();
    child.kill('SIGSTOP');
    const [info] = (await lost) as [LostInfo];
    const detectedMs = performance.now() - stoppedAt;
    expect(info.reason).to.equal('timeout');
    expect(detectedMs).to.be.at.most(T + T / 3);
    expect(detectedMs).to.be.at.least((2 * T) / 3 - 50);

    const exited = once(child, 'exit');
    child.kill('SIGCONT');
    const [code] = await exited;
    expect(code).to.equal(0); // the peer saw its link closed and left on its own
    expect(output).to.deep.equal(['open', 'lost closed']);
    expect(server.size).to.equal(0);
  });
});
