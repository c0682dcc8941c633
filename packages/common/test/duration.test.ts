// Durations as users write them, their limits, and how they are shown.

import { expect } from 'chai';
import { ValidationError, formatDuration, parseBoundedDuration, parseDuration } from '@mlayer/common';

describe('durations', () => {
  describe('parseDuration', () => {
    it('reads a bare number as seconds', () => {
      expect(parseDuration(0)).to.equal(0);
      expect(parseDuration(2)).to.equal(2000);
      expect(parseDuration(0.5)).to.equal(500);
      expect(parseDuration(16.1)).to.equal(16_100);
      expect(parseDuration('3')).to.equal(3000);
      expect(parseDuration('.25')).to.equal(250);
    });

    it('reads the units ms, s, m and h', () => {
      expect(parseDuration('500ms')).to.equal(500);
      expect(parseDuration('2s')).to.equal(2000);
      expect(parseDuration('1.5m')).to.equal(90_000);
      expect(parseDuration('1h')).to.equal(3_600_000);
      expect(parseDuration(' 2 s ')).to.equal(2000);
      expect(parseDuration('0.5h')).to.equal(1_800_000);
    });

    it('gives exact milliseconds for decimal seconds, without floating-point residue', () => {
      for (const [input, ms] of [[1.001, 1001], [32.3, 32_300], [64.9, 64_900], ['16.1s', 16_100], ['1.001', 1001], ['0.3m', 18_000]] as const) {
        expect(parseDuration(input), String(input)).to.equal(ms);
      }
    });

    for (const value of [-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`rejects the number ${value}, naming the field`, () => {
        expect(() => parseDuration(value, 'restart.initialDelay')).to.throw(
          ValidationError,
          `restart.initialDelay must be a non-negative number of seconds (got ${value})`,
        );
      });
    }

    for (const value of ['-1', '-1s', 'soon', '', '2 sec', '1e3', '1.5.2s', '5d', 's', '0x10', null, undefined, true, [1], { s: 1 }]) {
      it(`rejects ${JSON.stringify(value) ?? 'undefined'}, naming the field and the accepted forms`, () => {
        expect(() => parseDuration(value, 'applications[2].startTimeout'))
          .to.throw(ValidationError, /^applications\[2\]\.startTimeout must be seconds \(e\.g\. 2 or 0\.5\) or a number with ms\/s\/m\/h/)
          .with.property('code', 'EINVALID');
      });
    }

    it('names a generic "duration" when no field is given', () => {
      expect(() => parseDuration('x')).to.throw(/^duration must be/);
    });
  });

  describe('parseBoundedDuration', () => {
    const limits = { minMs: 100, maxMs: 60_000 };

    it('accepts values at and between the limits', () => {
      expect(parseBoundedDuration(0.1, 'timeout', limits)).to.equal(100);
      expect(parseBoundedDuration('30s', 'timeout', limits)).to.equal(30_000);
      expect(parseBoundedDuration('1m', 'timeout', limits)).to.equal(60_000);
    });

    it('rejects values outside the limits with the range and the value in seconds', () => {
      expect(() => parseBoundedDuration('99ms', 'timeout', limits)).to.throw(ValidationError, 'timeout must be between 0.1 s and 60 s (got 0.099 s)');
      expect(() => parseBoundedDuration(61, 'timeout', limits)).to.throw(ValidationError, 'timeout must be between 0.1 s and 60 s (got 61 s)');
    });

    it('rejects 0 unless zero disables, and then says so in the message', () => {
      expect(() => parseBoundedDuration(0, 'timeout', limits)).to.throw(ValidationError, 'timeout must be between 0.1 s and 60 s (got 0 s)');
      const zeroDisables = { ...limits, zeroDisables: true };
      expect(parseBoundedDuration(0, 'timeout', zeroDisables)).to.equal(0);
      expect(parseBoundedDuration('0ms', 'timeout', zeroDisables)).to.equal(0);
      expect(() => parseBoundedDuration(0.05, 'timeout', zeroDisables)).to.throw(
        ValidationError,
        'timeout must be between 0.1 s and 60 s, or 0 to disable (got 0.05 s)',
      );
    });

    it('reports an unparsable value before checking limits', () => {
      expect(() => parseBoundedDuration(-3, 'stopTimeout', limits)).to.throw(/stopTimeout must be a non-negative number of seconds \(got -3\)/);
    });
  });

  describe('formatDuration', () => {
    it('shows whole milliseconds below a second', () => {
      expect(formatDuration(0)).to.equal('0 ms');
      expect(formatDuration(850)).to.equal('850 ms');
      expect(formatDuration(12.4)).to.equal('12 ms');
    });

    it('shows seconds with up to two decimals below 10 s and one below 2 min', () => {
      expect(formatDuration(1000)).to.equal('1 s');
      expect(formatDuration(2500)).to.equal('2.5 s');
      expect(formatDuration(1234)).to.equal('1.23 s');
      expect(formatDuration(12_345)).to.equal('12.3 s');
      expect(formatDuration(119_000)).to.equal('119 s');
    });

    it('shows minutes from 2 min on', () => {
      expect(formatDuration(120_000)).to.equal('2 min');
      expect(formatDuration(180_000)).to.equal('3 min');
      expect(formatDuration(90 * 60_000 + 6000)).to.equal('90.1 min');
    });

    it('never shows 1000 ms or 120 s, which belong to the next unit', () => {
      expect(formatDuration(999.6)).to.equal('1 s');
      expect(formatDuration(119_990)).to.equal('2 min');
    });
  });
});
