// The helper process of the scs-scale suite: N simulated LCAs (fake-lca.ts) on loopback, so that
// the SCS under test sees N real ADDP links while the benchmark process stays free to time its
// API. It prints one line per milestone on stdout: `ports [..]` once listening,
// `all-authenticated` once every LCA has an authenticated SCS link, `all-roles` once every
// application has acknowledged a role, and `lost HOST REASON` for every SCS link lost.
// Run: node --import tsx fake-lcas-main.ts --hosts N --apps-per-host M --secret-file F

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FakeLca } from './fake-lca.js';
import { appsOn, hostName } from './layout.js';

const { values } = parseArgs({
  options: { hosts: { type: 'string' }, 'apps-per-host': { type: 'string' }, 'secret-file': { type: 'string' } },
});
const hosts = Number(values.hosts);
const appsPerHost = Number(values['apps-per-host']);
const secret = readFileSync(String(values['secret-file']), 'utf8').trim();
if (!Number.isInteger(hosts) || hosts < 1 || !Number.isInteger(appsPerHost) || appsPerHost < 2 || appsPerHost % 2 !== 0) {
  process.stderr.write('usage: fake-lcas-main.ts --hosts N --apps-per-host M(even) --secret-file F\n');
  process.exit(2);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const authenticated = new Set<string>();
const acked = new Set<string>();
const totalApps = hosts * appsPerHost;
let allAuthenticated = false;
let allRoles = false;

const lcas = Array.from({ length: hosts }, (_, i) => new FakeLca(hostName(i), appsOn({ hosts, appsPerHost }, i), 100_000 + i * appsPerHost, secret, {
  authenticated(lca) {
    authenticated.add(lca.host);
    if (!allAuthenticated && authenticated.size === hosts) {
      allAuthenticated = true;
      say('all-authenticated');
    }
  },
  roleAcked(_lca, app) {
    acked.add(app);
    if (!allRoles && acked.size === totalApps) {
      allRoles = true;
      say('all-roles');
    }
  },
  lost(lca, reason) {
    authenticated.delete(lca.host);
    say(`lost ${lca.host} ${reason}`);
  },
}));

const ports: number[] = [];
for (const lca of lcas) ports.push(await lca.listen());
say(`ports ${JSON.stringify(ports)}`);

const shutdown = () => void Promise.all(lcas.map((lca) => lca.close())).then(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
