// Human output of the client commands: ages, roles, tables that stay aligned when coloured,
// event lines, and when colour is used at all.

import { expect } from 'chai';
import { colorWanted, createPalette } from '../src/client/ansi.js';
import { eventLine, formatAge, formatTable, roleText } from '../src/client/format.js';

const NOW = Date.parse('2025-03-01T12:00:00.000Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();
const stripAnsi = (text: string) => text.replace(/\u001b\[\d+m/g, '');

describe('client output', () => {
  it('shows ages in one or two units', () => {
    expect([0, 59, 60, 125, 3599, 3600, 7260, 86_399, 90_000].map((s) => formatAge(at(s), NOW))).to.deep.equal([
      '0s', '59s', '1m00s', '2m05s', '59m59s', '1h00m', '2h01m', '23h59m', '1d1h',
    ]);
    expect(formatAge(null, NOW)).to.equal('-');
    expect(formatAge('not a time', NOW)).to.equal('-');
    expect(formatAge(at(-5), NOW), 'a clock slightly ahead').to.equal('0s');
  });

  it('shows the desired role next to the acknowledged one when they differ', () => {
    expect(roleText({ role: 'backup', desiredRole: 'primary' })).to.equal('backup→primary');
    expect(roleText({ role: 'primary', desiredRole: 'primary' })).to.equal('primary');
  });

  it('aligns columns by their visible text, with or without colour, and pads no last column', () => {
    const rows = (p: ReturnType<typeof createPalette>) =>
      formatTable(['NAME', 'STATUS', 'SINCE'], [['stat-a', { text: 'started', paint: p.green }, '1s'], ['b', { text: 'hung', paint: p.red }, '10m00s']], p);
    const plain = rows(createPalette(false));
    expect(plain).to.deep.equal(['NAME    STATUS   SINCE', 'stat-a  started  1s', 'b       hung     10m00s']);
    const coloured = rows(createPalette(true));
    expect(coloured[1]).to.contain('\u001b[32mstarted\u001b[39m');
    expect(coloured.map(stripAnsi)).to.deep.equal(plain);
  });

  it('prints an event as seq, time, type and key=value fields, quoting where needed', () => {
    const p = createPalette(false);
    expect(eventLine({ seq: 9, time: '2025-03-01T12:00:00.000Z', type: 'switchover-failed', pair: 'stat-a', reason: 'hang', message: 'no "backup" ready' }, p))
      .to.equal('9 2025-03-01T12:00:00.000Z switchover-failed pair=stat-a reason=hang message="no \\"backup\\" ready"');
    expect(eventLine({ seq: 10, time: 't', type: 'switchover-started', pair: 'p', from: null, to: 'b', reason: 'manual' }, p))
      .to.equal('10 t switchover-started pair=p from=null to=b reason=manual');
    expect(eventLine({ seq: 11, time: 't', type: 'split-brain', scs: 'a', peer: 'b', epochs: { a: 1, b: 2 } }, p))
      .to.equal('11 t split-brain scs=a peer=b epochs={"a":1,"b":2}');
  });

  it('colours only a terminal, and never with NO_COLOR set', () => {
    expect(colorWanted(true, {})).to.equal(true);
    expect(colorWanted(false, {})).to.equal(false);
    expect(colorWanted(true, { NO_COLOR: '1' })).to.equal(false);
    expect(colorWanted(true, { NO_COLOR: '' }), 'an empty NO_COLOR does not count').to.equal(true);
  });
});
