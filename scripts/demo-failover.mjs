// `npm run demo:failover [-- CONFIG]`: a guided tour of failover against the local solution that
// `npm start` runs in another terminal. It reads the SCS API (the URL and the demo apps' line
// ports come from the configuration, examples/local.yaml by default), breaks one pair at a time
// — kill -9 of a primary, a primary that reports Service Unavailable, a Config Server switchover
// held by its guard — shows what the SCS did and how long it took, and leaves everything healthy.
import net from 'node:net';
import { createInterface } from 'node:readline';
import { loadConfig } from '@mlayer/common/config';

const CONFIG = process.argv[2] ?? 'examples/local.yaml';
const WAIT_MS = 30_000;
const bold = (t) => (process.stdout.isTTY ? `\u001b[1m${t}\u001b[22m` : t);
const say = (text = '') => console.log(text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const config = loadConfig(CONFIG);
const http = config.scs.http;
const URL_ = process.env.MLAYER_URL ?? `http://${http.host === '0.0.0.0' ? '127.0.0.1' : http.host}:${http.port}`;
const portOf = (app) => {
  const args = config.appSpecs.get(app)?.args ?? [];
  const i = args.indexOf('--port');
  return i < 0 ? undefined : Number(args[i + 1]);
};

async function get(path) {
  let res;
  try {
    res = await fetch(`${URL_}${path}`);
  } catch {
    throw new Error(`no SCS answers at ${URL_}: start the local solution first (npm start, in another terminal)`);
  }
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Sends one line to a demo app's line port (CONTRACT.md section 9) and returns its answer. */
function ask(port, line) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer to "${line}" on port ${port}`)); }, 5000);
    socket.once('error', (error) => { clearTimeout(timer); reject(error); });
    createInterface({ input: socket }).once('line', (answer) => { clearTimeout(timer); socket.destroy(); resolve(answer); });
    socket.write(`${line}\n`);
  });
}

/** The SCS event stream (Server-Sent Events): every event from now on, and waiting for one. */
class Events {
  seen = [];
  waiters = new Set();
  controller = new AbortController();

  async open() {
    const res = await fetch(`${URL_}/api/v1/events/stream`, { headers: { accept: 'text/event-stream' }, signal: this.controller.signal });
    void this.read(res.body).catch(() => undefined);
  }

  async read(body) {
    let buffer = '';
    for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        buffer = buffer.slice(end + 2);
        if (data === '') continue;
        this.seen.push(JSON.parse(data));
        for (const waiter of this.waiters) waiter();
      }
    }
  }

  /** The first event after `after` (a seq) that matches. */
  wait(what, match, after = 0) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const event = this.seen.find((e) => e.seq > after && match(e));
        if (event === undefined) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(event);
      };
      const timer = setTimeout(() => { this.waiters.delete(check); reject(new Error(`no ${what} within ${WAIT_MS / 1000} s`)); }, WAIT_MS);
      this.waiters.add(check);
      check();
    });
  }

  get last() {
    return this.seen.at(-1)?.seq ?? 0;
  }

  close() {
    this.controller.abort();
  }
}

/** Every application started, every pair active with a primary and a backup that acknowledged their roles. */
function problems(status) {
  const role = (name) => status.applications.find((a) => a.name === name)?.role;
  return [
    ...status.applications.filter((a) => a.status !== 'started').map((a) => `${a.name} is ${a.status}`),
    ...status.pairs.filter((p) => p.state !== 'active').map((p) => `pair ${p.name} is ${p.state}`),
    ...status.pairs
      .filter((p) => [role(p.primary), role(p.backup)].sort().join() !== 'backup,primary')
      .map((p) => `pair ${p.name}: ${p.primary} is ${role(p.primary)}, ${p.backup} is ${role(p.backup)}`),
  ];
}

async function healthy(what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const status = await get('/api/v1/status');
    const wrong = problems(status);
    if (wrong.length === 0) return status;
    if (Date.now() > deadline) throw new Error(`${what}: ${wrong.join('; ')}`);
    await sleep(250);
  }
}

const ms = (event) => `${event.ms} ms`;
const since = (event, at) => `${Math.max(0, Date.parse(event.time) - at)} ms`;
const results = [];

async function killPrimary(events, pair) {
  const primary = (await get(`/api/v1/applications/${pair.active}`));
  const backup = pair.active === pair.primary ? pair.backup : pair.primary;
  say(bold(`1. A primary crashes (${pair.name}, ${pair.redundancy})`));
  say(`   ${primary.name} is primary on ${primary.host} (pid ${primary.pid}); ${backup} is its backup. Now: kill -9 ${primary.pid}`);
  const mark = events.last;
  const at = Date.now();
  process.kill(primary.pid, 'SIGKILL');
  const lost = await events.wait(`report of ${primary.name} stopping`, (e) => e.type === 'app-status' && e.app === primary.name && e.to === 'stopped', mark);
  say(`   the SCS heard of the crash from the LCA ${since(lost, at)} after the kill`);
  const done = await events.wait('switchover-completed', (e) => e.type === 'switchover-completed' && e.pair === pair.name, mark);
  say(`   switchover-completed: ${done.primary} is primary (reason ${done.reason}), ${ms(done)} from failure detected to the backup acknowledging`);
  results.push({ step: 'kill -9 of the primary', from: primary.name, done });
  await events.wait(`${primary.name} back as backup`, (e) => e.type === 'app-role' && e.app === primary.name && e.to === 'backup', done.seq);
  say(`   the SCS restarted ${primary.name} (autoRestart); it is the backup now\n`);
}

async function serviceUnavailable(events, pair) {
  const primary = pair.active;
  const port = portOf(primary);
  say(bold(`2. A primary reports Service Unavailable (${pair.name}, ${pair.redundancy})`));
  say(`   ${primary} still runs but cannot serve: SERVICE unavailable on its line port 127.0.0.1:${port} (or kill -USR1 its pid)`);
  const mark = events.last;
  await ask(port, 'SERVICE unavailable');
  const done = await events.wait('switchover-completed', (e) => e.type === 'switchover-completed' && e.pair === pair.name, mark);
  say(`   switchover-completed: ${done.primary} is primary (reason ${done.reason}) in ${ms(done)}; ${primary} was demoted to backup first`);
  results.push({ step: 'Service Unavailable', from: primary, done });
  const back = events.last;
  await ask(port, 'SERVICE available');
  await events.wait(`${primary} started again`, (e) => e.type === 'app-status' && e.app === primary && e.to === 'started', back);
  say(`   SERVICE available: ${primary} reports started again and stays the backup\n`);
}

async function configServerGuard(events, pair) {
  const primary = pair.active;
  const backup = primary === pair.primary ? pair.backup : pair.primary;
  const facts = (await get(`/api/v1/applications/${backup}`)).facts;
  say(bold(`3. A Config Server pair: the guard (${pair.name})`));
  say(`   ${backup} reports ${Object.entries(facts).map(([k, v]) => `${k}=${v}`).join(', ')}: it still sees its primary. Now ${primary} fails (SERVICE unavailable).`);
  const mark = events.last;
  await ask(portOf(primary), 'SERVICE unavailable');
  const blocked = await events.wait('switchover-blocked', (e) => e.type === 'switchover-blocked' && e.pair === pair.name, mark);
  say(`   switchover-blocked (guard ${blocked.guard}): ${blocked.message}`);
  say('   Two Config Servers that both think they are primary would split the configuration, so the SCS waits.');
  await sleep(2000);
  say(`   ${backup} now loses its peer: FACT peer down on its line port 127.0.0.1:${portOf(backup)}`);
  const at = Date.now();
  await ask(portOf(backup), 'FACT peer down');
  const done = await events.wait('switchover-completed', (e) => e.type === 'switchover-completed' && e.pair === pair.name, blocked.seq);
  say(`   switchover-completed: ${done.primary} is primary, ${since(done, at)} after the fact (${ms(done)} since the failure, guard wait included)`);
  results.push({ step: 'Config Server after its guard', from: primary, done });
  const back = events.last;
  await ask(portOf(primary), 'SERVICE available');
  await ask(portOf(backup), 'FACT peer up');
  await events.wait(`${primary} started again`, (e) => e.type === 'app-status' && e.app === primary && e.to === 'started', back);
  say(`   ${primary} recovers (SERVICE available) as the backup; ${backup} sees its peer again (FACT peer up)\n`);
}

async function main() {
  say(`mlayer failover tour against ${URL_} (${CONFIG}); watch it live in the mlayer up terminal or with: npx mlayer events --follow\n`);
  const status = await healthy('the solution is not healthy yet (is npm start still starting?)');
  const kindOf = (name) => status.applications.find((a) => a.name === name)?.kind;
  const generic = status.pairs.filter((p) => kindOf(p.primary) !== 'config-server');
  const warm = generic.find((p) => p.redundancy === 'warm-standby') ?? generic[0];
  const hot = generic.find((p) => p.redundancy === 'hot-standby' && p !== warm) ?? generic.find((p) => p !== warm) ?? warm;
  const configServer = status.pairs.find((p) => kindOf(p.primary) === 'config-server');
  const events = new Events();
  await events.open();
  try {
    if (warm) await killPrimary(events, warm);
    else say('(no generic pair in this configuration: skipping the crash)');
    if (hot) await serviceUnavailable(events, (await get('/api/v1/status')).pairs.find((p) => p.name === hot.name));
    if (configServer && portOf(configServer.primary) && portOf(configServer.backup)) await configServerGuard(events, configServer);
    else say('(no config-server pair with --port in this configuration: skipping the guard)');
  } finally {
    events.close();
  }
  await healthy('the solution did not settle');
  say(bold('Switchover times (switchover-completed.ms: failure detected -> new primary acknowledged)'));
  for (const { step, from, done } of results) say(`   ${step.padEnd(30)} ${from.padEnd(10)} -> ${done.primary.padEnd(10)} ${String(done.ms).padStart(6)} ms  (${done.reason})`);
  say('\nEvery application is started and every pair has a primary and a started backup again.');
  say('Run the tour again: it breaks whichever member is primary now.');
}

main().catch((error) => {
  console.error(`demo:failover: ${error.message}`);
  process.exit(1);
});
