// `npm start` until `mlayer up` lands: a live tour of what works today — an ADDP server watches
// a peer process, which is then killed (crash) and frozen (hang), with the detection times.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { AddpServer } from '@mlayer/addp';

const PEER = fileURLToPath(new URL('../packages/addp/test/fixtures/peer.mjs', import.meta.url));
const T = 500;
const server = new AddpServer({ settings: { timeoutMs: T, remoteTimeoutMs: 0, trace: 'off' } });
const { port } = await server.listen(0, '127.0.0.1');
const children = new Set();
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

async function watch(signal) {
  const child = spawn(process.execPath, [PEER, String(port)], { stdio: 'ignore' });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const [link] = await once(server, 'connection');
  await once(link, 'rtt');
  const lost = once(link, 'lost');
  const at = performance.now();
  child.kill(signal);
  const [info] = await lost;
  console.log(`  ${signal.padEnd(8)} -> link lost (${info.reason}) after ${(performance.now() - at).toFixed(1)} ms`);
  child.kill('SIGKILL');
}

console.log(`mlayer — today: the ADDP link layer (T = ${T} ms). LCA, SCS and 'mlayer up' are being built.`);
console.log(`ADDP server on 127.0.0.1:${port}; a peer process connects, then:`);
await watch('SIGKILL');
await watch('SIGSTOP');
await server.close();
console.log('Run `npm test` for the test suite and `npm run bench` for the benchmarks.');
