// The LCA's Prometheus endpoint, scraped as Prometheus would.

import { expect } from 'chai';
import { cleanupDaemons, demoSpec, freePort, startLca } from '../support/daemons.js';
import { connectAsScs, statusOf } from '../support/scs-client.js';
import { pollUntil } from '../support/wait.js';

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).to.equal(200);
  expect(response.headers.get('content-type')).to.contain('text/plain');
  return response.text();
}

describe('mlayer lca --metrics', function () {
  this.timeout(60_000);
  afterEach(() => cleanupDaemons());

  it('exports applications by status, ADDP round trips and process metrics', async () => {
    const metricsPort = await freePort();
    const lca = await startLca({ extraArgs: ['--metrics', `127.0.0.1:${metricsPort}`] });
    const scs = await connectAsScs(lca.port, undefined, { timeoutMs: 300 });
    await scs.request({ type: 'start', app: demoSpec('app-a', await freePort(), { addpTimeoutMs: 300 }) });
    await scs.waitForMessage('started', statusOf('app-a', 'started'));

    const body = await pollUntil('an ADDP round trip of the application link', async () => {
      const text = await scrape(metricsPort);
      return /mlayer_addp_rtt_seconds_count\{peer="app:app-a"\} [1-9]/.test(text) && text;
    });
    expect(body).to.match(/^mlayer_lca_apps\{status="started"\} 1$/m);
    expect(body).to.match(/^mlayer_lca_apps\{status="stopped"\} 0$/m);
    expect(body).to.match(/^mlayer_lca_scs_sessions 1$/m);
    expect(body).to.match(/mlayer_addp_rtt_seconds_count\{peer="app:app-a"\} [1-9]/);
    expect(body).to.match(/^process_resident_memory_bytes \d+/m);
    scs.close();
  });
});
