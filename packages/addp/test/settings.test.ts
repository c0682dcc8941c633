// ADDP settings: timeout and trace validation, HELLO/HELLO_ACK parsing and the negotiation rules.

import { expect } from 'chai';
import { ValidationError } from '@mlayer/common';
import {
  DEFAULT_SETTINGS,
  ProtocolError,
  SUPPORTED_VERSIONS,
  TIMEOUT_LIMITS,
  TRACE_MODES,
  addpSettings,
  checkSettings,
  chooseVersion,
  connectTimeoutFor,
  isTraceMode,
  monitorTimeout,
  parseAddpTimeout,
  parseHello,
  parseHelloAck,
  traceEnabled,
  type AddpSettings,
  type TraceMode,
} from '@mlayer/addp/internal';

const settings = (timeoutMs: number, remoteTimeoutMs = 0, trace: TraceMode = 'off'): AddpSettings => ({ timeoutMs, remoteTimeoutMs, trace });

const HELLO = { versions: [1], timeoutMs: 3000, remoteTimeoutMs: 2000, trace: 'off', name: 'host-a', auth: { nonce: 'abc' } };
const HELLO_ACK = { version: 1, timeoutMs: 3000, remoteTimeoutMs: 0, trace: 'full', name: 'scs-a', auth: 'proof' };

/** Asserts that `result` is the handshake error, with `detail` in its message. */
function expectMalformed(result: unknown, detail: string): void {
  expect(result).to.be.instanceOf(ProtocolError);
  const error = result as ProtocolError;
  expect(error.code).to.equal('ADDP_HANDSHAKE_FAILED');
  expect(error.message).to.contain(detail);
}

describe('ADDP settings', () => {
  describe('timeout validation (seconds, 0.1 s to 3600 s, 0 disables)', () => {
    it('converts seconds to milliseconds at and inside the limits', () => {
      expect(parseAddpTimeout(0.1)).to.equal(100);
      expect(parseAddpTimeout(3)).to.equal(3000);
      expect(parseAddpTimeout(3600)).to.equal(3_600_000);
      expect(parseAddpTimeout('250ms')).to.equal(250);
      expect(parseAddpTimeout('1h')).to.equal(3_600_000);
      expect(TIMEOUT_LIMITS).to.deep.include({ minMs: 100, maxMs: 3_600_000 });
    });

    it('treats 0 as disabled', () => {
      expect(parseAddpTimeout(0)).to.equal(0);
      expect(parseAddpTimeout('0s')).to.equal(0);
    });

    for (const value of [0.05, 0.099, '99ms', 3600.001, '61m', '2h']) {
      it(`rejects ${JSON.stringify(value)} with a message giving the range`, () => {
        expect(() => parseAddpTimeout(value)).to.throw(ValidationError, /^ADDP timeout must be between 0\.1 s and 3600 s, or 0 to disable \(got [\d.]+ s\)$/);
      });
    }

    for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, 'soon', '', '3 sec', null, true]) {
      it(`rejects ${String(value)} as not a duration, naming the setting`, () => {
        expect(() => parseAddpTimeout(value, 'hosts[0].addp.timeout')).to.throw(ValidationError, /^hosts\[0\]\.addp\.timeout must be /);
      });
    }

    it('gives whole milliseconds for decimal seconds, which the HELLO wire format requires', () => {
      for (const seconds of [16.1, 32.3, 1.001, 64.9, 0.7]) {
        const ms = parseAddpTimeout(seconds);
        expect(Number.isInteger(ms), `${seconds} s -> ${ms} ms`).to.equal(true);
        expect(ms).to.equal(Math.round(seconds * 1000));
      }
      expect(parseAddpTimeout('100.4ms')).to.equal(100);
    });

    it('builds settings from seconds, defaulting to disabled timeouts and trace off', () => {
      expect(addpSettings()).to.deep.equal(DEFAULT_SETTINGS);
      expect(DEFAULT_SETTINGS).to.deep.equal({ timeoutMs: 0, remoteTimeoutMs: 0, trace: 'off' });
      expect(addpSettings({ timeout: 3, remoteTimeout: 1.5, trace: 'remote' })).to.deep.equal(settings(3000, 1500, 'remote'));
    });

    it('names the remote timeout when it is the one out of range', () => {
      expect(() => addpSettings({ timeout: 3, remoteTimeout: 5000 })).to.throw(ValidationError, /^ADDP remote timeout must be between 0\.1 s and 3600 s/);
    });

    it('accepts settings given in milliseconds only when 0 or within 100 ms..3600 s', () => {
      expect(checkSettings(settings(100, 3_600_000, 'full'))).to.deep.equal(settings(100, 3_600_000, 'full'));
      expect(checkSettings(settings(0, 0))).to.deep.equal(settings(0, 0));
      expect(() => checkSettings(settings(99))).to.throw(ValidationError, /ADDP timeoutMs must be 0 or between 100 ms and 3600 s \(got 99 ms\)/);
      expect(() => checkSettings(settings(0, 3_600_001))).to.throw(ValidationError, /ADDP remoteTimeoutMs must be 0 or between 100 ms and 3600 s/);
      expect(() => checkSettings(settings(-5))).to.throw(ValidationError, /ADDP timeoutMs/);
    });

    it('gives a reconnect attempt twice the ADDP timeout, within 2-10 s (10 s with ADDP off)', () => {
      expect([0, 100, 1000, 1500, 3000, 5000, 3_600_000].map((timeoutMs) => connectTimeoutFor({ timeoutMs }))).to.deep.equal([10_000, 2000, 2000, 3000, 6000, 10_000, 10_000]);
    });

    it('refuses fractional milliseconds, which a peer would reject in the HELLO', () => {
      expect(() => checkSettings(settings(150.5))).to.throw(ValidationError, /ADDP timeoutMs must be a whole number of milliseconds/);
    });
  });

  describe('trace modes', () => {
    it('knows exactly off, local, remote and full', () => {
      expect(TRACE_MODES).to.deep.equal(['off', 'local', 'remote', 'full']);
      for (const mode of TRACE_MODES) expect(isTraceMode(mode)).to.equal(true);
      for (const value of ['', 'Full', 'on', 'verbose', 1, null, undefined]) expect(isTraceMode(value), String(value)).to.equal(false);
    });

    it('rejects an unknown trace mode listing the valid ones', () => {
      expect(() => addpSettings({ trace: 'verbose' })).to.throw(ValidationError, 'ADDP trace must be one of off, local, remote, full (got "verbose")');
      expect(() => checkSettings({ ...DEFAULT_SETTINGS, trace: 'on' as TraceMode })).to.throw(ValidationError, /off, local, remote, full/);
    });
  });

  describe('HELLO', () => {
    it('parses a well-formed offer, keeping name and auth', () => {
      expect(parseHello(HELLO)).to.deep.equal(HELLO);
    });

    it('leaves out an absent name', () => {
      const { name: _name, ...rest } = HELLO;
      const hello = parseHello(rest);
      expect(hello).not.to.be.instanceOf(ProtocolError);
      expect(hello).not.to.have.property('name');
    });

    it('accepts the payload a peer builds from decimal-second settings', () => {
      const local = addpSettings({ timeout: 16.1, remoteTimeout: 32.3 });
      const wire: unknown = JSON.parse(JSON.stringify({ ...HELLO, timeoutMs: local.timeoutMs, remoteTimeoutMs: local.remoteTimeoutMs }));
      expect(parseHello(wire)).to.deep.include({ timeoutMs: 16_100, remoteTimeoutMs: 32_300 });
    });

    for (const value of [null, undefined, 'HELLO', 42, [HELLO]]) {
      it(`rejects a non-object payload ${JSON.stringify(value)}`, () => {
        expectMalformed(parseHello(value), 'malformed HELLO');
      });
    }

    const broken: Array<[string, Record<string, unknown>, string]> = [
      ['versions missing', { versions: undefined }, 'versions'],
      ['versions not an array', { versions: 1 }, 'versions'],
      ['a fractional version', { versions: [1, 1.5] }, 'versions'],
      ['a string version', { versions: ['1'] }, 'versions'],
      ['timeoutMs missing', { timeoutMs: undefined }, 'timeouts'],
      ['timeoutMs a string', { timeoutMs: '3000' }, 'timeouts'],
      ['negative timeoutMs', { timeoutMs: -1 }, 'timeouts'],
      ['fractional timeoutMs', { timeoutMs: 100.5 }, 'timeouts'],
      ['timeoutMs above 3600 s', { timeoutMs: 3_600_001 }, 'timeouts'],
      ['remoteTimeoutMs below 100 ms (it would make this side poll every 0.3 ms)', { remoteTimeoutMs: 1 }, 'timeouts'],
      ['timeoutMs below 100 ms', { timeoutMs: 99 }, 'timeouts'],
      ['remoteTimeoutMs missing', { remoteTimeoutMs: undefined }, 'timeouts'],
      ['an unknown trace', { trace: 'verbose' }, 'trace'],
      ['a name that is not a string', { name: 7 }, 'name'],
    ];
    for (const [what, patch, detail] of broken) {
      it(`rejects a HELLO with ${what}`, () => {
        expectMalformed(parseHello({ ...HELLO, ...patch }), `malformed HELLO: ${detail}`);
      });
    }
  });

  describe('HELLO_ACK', () => {
    it('parses a well-formed choice, keeping name and auth', () => {
      expect(parseHelloAck(HELLO_ACK)).to.deep.equal(HELLO_ACK);
    });

    it('accepts 0 timeouts (the peer does not monitor and asks not to be monitored)', () => {
      expect(parseHelloAck({ ...HELLO_ACK, timeoutMs: 0, remoteTimeoutMs: 0 })).to.deep.include({ timeoutMs: 0, remoteTimeoutMs: 0 });
    });

    for (const value of [null, 'ack', [HELLO_ACK]]) {
      it(`rejects a non-object payload ${JSON.stringify(value)}`, () => {
        expectMalformed(parseHelloAck(value), 'malformed HELLO_ACK');
      });
    }

    const broken: Array<[string, Record<string, unknown>, string]> = [
      ['no version', { version: undefined }, 'version'],
      ['a version this side does not speak', { version: 2 }, 'version'],
      ['a version given as a string', { version: '1' }, 'version'],
      ['a fractional timeoutMs', { timeoutMs: 2.5 }, 'timeouts'],
      ['a remoteTimeoutMs below 100 ms', { remoteTimeoutMs: 50 }, 'timeouts'],
      ['a remoteTimeoutMs above 3600 s', { remoteTimeoutMs: 4_000_000 }, 'timeouts'],
      ['an unknown trace', { trace: 'all' }, 'trace'],
      ['a name that is not a string', { name: ['a'] }, 'name'],
    ];
    for (const [what, patch, detail] of broken) {
      it(`rejects a HELLO_ACK with ${what}`, () => {
        expectMalformed(parseHelloAck({ ...HELLO_ACK, ...patch }), `malformed HELLO_ACK: ${detail}`);
      });
    }
  });

  describe('negotiation', () => {
    it('chooses the highest version both sides speak', () => {
      expect(SUPPORTED_VERSIONS).to.deep.equal([1]);
      expect(chooseVersion([1])).to.equal(1);
      expect(chooseVersion([3, 1, 2])).to.equal(1);
    });

    it('finds no version when the offer shares none', () => {
      expect(chooseVersion([])).to.equal(undefined);
      expect(chooseVersion([0, 2, 99])).to.equal(undefined);
    });

    it('monitors the peer with its own timeout when it has one, whatever the peer asks', () => {
      expect(monitorTimeout(settings(3000), 0)).to.equal(3000);
      expect(monitorTimeout(settings(3000), 500)).to.equal(3000);
      expect(monitorTimeout(settings(3000), 10_000)).to.equal(3000);
    });

    it("monitors the peer with the peer's remoteTimeout request when it has no timeout of its own", () => {
      expect(monitorTimeout(settings(0), 2500)).to.equal(2500);
      expect(monitorTimeout(settings(0, 9000), 2500)).to.equal(2500);
    });

    it('does not monitor when neither side asks', () => {
      expect(monitorTimeout(settings(0, 3000), 0)).to.equal(0);
    });

    it('traces polls for local/full on its own side or remote/full from the peer, and only then', () => {
      const off = new Set(['off/off', 'off/local', 'remote/off', 'remote/local']);
      for (const local of TRACE_MODES) {
        for (const peer of TRACE_MODES) {
          expect(traceEnabled(local, peer), `own ${local}, peer ${peer}`).to.equal(!off.has(`${local}/${peer}`));
        }
      }
    });
  });
});
