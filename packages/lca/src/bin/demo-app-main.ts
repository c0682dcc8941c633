// `mlayer-demo-app [--port PORT] [--kind generic|config-server] [--log-level L]`
import { parseArgs } from 'node:util';
import { createLogger, errorMessage, parseLogLevel } from '@mlayer/common';
import { runDemoApp } from '../demo/demo-app.js';

const USAGE = 'usage: mlayer-demo-app [--port PORT] [--kind generic|config-server] [--log-level error|warn|info|debug]';

try {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      kind: { type: 'string', default: 'generic' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535 (got ${values.port})`);
  if (values.kind !== 'generic' && values.kind !== 'config-server') throw new Error(`--kind must be generic or config-server (got ${values.kind})`);
  const logger = createLogger({ level: parseLogLevel(values['log-level']), component: 'demo-app' });
  await runDemoApp({ port, kind: values.kind, logger });
} catch (error) {
  process.stderr.write(`mlayer-demo-app: ${errorMessage(error)}\n${USAGE}\n`);
  process.exit(2);
}
