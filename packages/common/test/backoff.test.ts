import { expect } from 'chai';
import { Backoff, fullJitterDelay } from '@mlayer/common';

describe('backoff with full jitter', () => {
  it('grows exponentially up to the cap, scaled by the random source', () => {
    const top = () => 0.999999;
    const delays = [0, 1, 2, 3, 4, 5, 10].map((attempt) => fullJitterDelay(attempt, { initialMs: 100, maxMs: 1000, random: top }));
    expect(delays).to.deep.equal([99, 199, 399, 799, 999, 999, 999]);
  });

  it('draws uniformly from [0, ceiling] so that peers spread out', () => {
    expect(fullJitterDelay(3, { initialMs: 100, maxMs: 10_000, random: () => 0 })).to.equal(0);
    expect(fullJitterDelay(3, { initialMs: 100, maxMs: 10_000, random: () => 0.5 })).to.equal(400);
  });

  it('counts attempts and starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 10, maxMs: 1000, random: () => 0.5 });
    expect([backoff.next(), backoff.next(), backoff.next()]).to.deep.equal([5, 10, 20]);
    expect(backoff.attempts).to.equal(3);
    backoff.reset();
    expect(backoff.next()).to.equal(5);
  });

  it('refuses a cap below the initial delay with a clear message', () => {
    expect(() => new Backoff({ initialMs: 100, maxMs: 10 })).to.throw(/initialMs <= maxMs/);
  });
});
