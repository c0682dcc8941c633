// The logger factory: JSON lines on an injected stream, component children, levels.

import { Writable } from 'node:stream';
import { expect } from 'chai';
import { LOG_LEVELS, ValidationError, componentLogger, createLogger, parseLogLevel, type LoggerOptions } from '@mlayer/common';

/** A logger writing to a stream that records every raw chunk it receives. */
function capture(options: LoggerOptions = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ ...options, stream });
  /** Lets queued writes reach the stream, then parses what arrived: one JSON object per line. */
  const lines = async (): Promise<Array<Record<string, unknown>>> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const text = chunks.join('');
    if (text === '') return [];
    expect(text.endsWith('\n'), 'output ends with a newline').to.equal(true);
    return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { logger, chunks, lines };
}

describe('logger', () => {
  it('writes one JSON object per line with level, message, ISO timestamp, component and fields', async () => {
    const { logger, chunks, lines } = capture({ component: 'lca', fields: { host: 'host-a' } });
    logger.info('application started', { app: 'stat-a', pid: 4242 });
    logger.warn('slow poll', { rttMs: 812 });
    const [first, second, ...rest] = await lines();
    expect(rest).to.deep.equal([]);
    expect(chunks).to.have.length(2);
    expect(first).to.include({ level: 'info', message: 'application started', component: 'lca', host: 'host-a', app: 'stat-a', pid: 4242 });
    expect(second).to.include({ level: 'warn', message: 'slow poll', component: 'lca', rttMs: 812 });
    for (const line of [first, second]) {
      const timestamp = String(line?.['timestamp']);
      expect(new Date(timestamp).toISOString()).to.equal(timestamp);
    }
  });

  it('leaves out component when none is given', async () => {
    const { logger, lines } = capture();
    logger.info('plain');
    const [line] = await lines();
    expect(line).to.have.keys(['level', 'message', 'timestamp']);
  });

  it('logs an Error by its message', async () => {
    const { logger, lines } = capture({ component: 'scs' });
    logger.error(new Error('journal is not writable'));
    expect(await lines()).to.have.length(1).and.to.have.nested.property('[0].message', 'journal is not writable');
  });

  it('gives a component child its component and extra fields on every line', async () => {
    const { logger, lines } = capture();
    const child = componentLogger(logger, 'addp', { peer: '127.0.0.1:4999' });
    child.info('link open');
    child.warn('link lost', { reason: 'timeout' });
    const out = await lines();
    expect(out.map((l) => [l['component'], l['peer'], l['message']])).to.deep.equal([
      ['addp', '127.0.0.1:4999', 'link open'],
      ['addp', '127.0.0.1:4999', 'link lost'],
    ]);
    expect(out[1]).to.include({ reason: 'timeout' });
  });

  it("labels a child's lines with the child's component, not the parent's, and keeps the parent's fields", async () => {
    const { logger, lines } = capture({ component: 'lca', fields: { host: 'host-a' } });
    const addp = componentLogger(logger, 'addp');
    addp.info('from the child');
    componentLogger(addp, 'keepalive').info('from the grandchild');
    logger.info('from the parent');
    const out = await lines();
    expect(out.map((l) => [l['message'], l['component'], l['host']])).to.deep.equal([
      ['from the child', 'addp', 'host-a'],
      ['from the grandchild', 'keepalive', 'host-a'],
      ['from the parent', 'lca', 'host-a'],
    ]);
  });

  it('lets a call-site field override a default field', async () => {
    const { logger, lines } = capture({ fields: { host: 'host-a' } });
    logger.info('relayed', { host: 'host-b' });
    expect((await lines())[0]).to.include({ host: 'host-b' });
  });

  it('drops lines below the configured level, in children too', async () => {
    const { logger, lines } = capture({ level: 'warn' });
    const child = componentLogger(logger, 'scs');
    logger.debug('d');
    logger.info('i');
    child.info('child i');
    logger.warn('w');
    child.error('child e');
    logger.error('e');
    expect((await lines()).map((l) => `${l['level']}:${l['message']}`)).to.deep.equal(['warn:w', 'error:child e', 'error:e']);
  });

  it('logs info and above by default and everything at debug', async () => {
    const byDefault = capture();
    for (const level of LOG_LEVELS) byDefault.logger.log(level, level);
    expect((await byDefault.lines()).map((l) => l['level'])).to.deep.equal(['error', 'warn', 'info']);

    const verbose = capture({ level: 'debug' });
    for (const level of LOG_LEVELS) verbose.logger.log(level, level);
    expect((await verbose.lines()).map((l) => l['level'])).to.deep.equal(['error', 'warn', 'info', 'debug']);
  });

  it('writes nothing when silent', async () => {
    const { logger, lines } = capture({ silent: true });
    logger.error('dropped');
    componentLogger(logger, 'x').error('dropped too');
    expect(await lines()).to.deep.equal([]);
  });

  describe('parseLogLevel', () => {
    it('accepts error, warn, info and debug', () => {
      expect(LOG_LEVELS.map(parseLogLevel)).to.deep.equal(['error', 'warn', 'info', 'debug']);
    });

    for (const value of ['verbose', 'silly', 'INFO', 'Warn', '', ' info']) {
      it(`rejects ${JSON.stringify(value)} listing the valid levels`, () => {
        expect(() => parseLogLevel(value)).to.throw(ValidationError, `log level must be one of error, warn, info, debug (got "${value}")`);
      });
    }
  });
});
