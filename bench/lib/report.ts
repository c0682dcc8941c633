// The human-readable report of one suite: its table, one verdict line per target, and what each
// physical limit was.

import { type Column, formatNumber, formatTable } from './format.js';
import { type Measurement, describeTarget, judge, ratioToLimit } from './measurement.js';

const COLUMNS: readonly Column[] = [
  { header: 'measurement', align: 'left' },
  { header: 'value', align: 'right' },
  { header: 'unit', align: 'left' },
  { header: 'target', align: 'left' },
  { header: 'physical limit', align: 'right' },
  { header: 'ratio', align: 'right' },
  { header: 'verdict', align: 'left' },
];

function verdictCell(m: Measurement): string {
  const verdict = judge(m);
  if (verdict === undefined) return '';
  if (verdict.status === 'missed') return Number.isFinite(verdict.by) ? `missed by ${Math.round(verdict.by * 100)} %` : 'missed';
  return verdict.status === 'met' ? 'met' : 'not judged';
}

export function renderReport(suite: string, measurements: readonly Measurement[]): string {
  const rows = measurements.map((m) => {
    const ratio = ratioToLimit(m);
    return [
      m.name,
      formatNumber(m.value),
      m.unit,
      m.target === undefined ? '' : describeTarget(m.target, m.unit),
      m.limit === undefined ? '' : formatNumber(m.limit.value),
      ratio === undefined ? '' : `${formatNumber(ratio)}×`,
      verdictCell(m),
    ];
  });
  const lines = [`== ${suite} ==`, formatTable(COLUMNS, rows), ''];

  const judged = measurements.flatMap((m) => {
    const verdict = judge(m);
    return verdict === undefined ? [] : [`${suite}: ${m.name}: ${verdict.text}`];
  });
  lines.push(...(judged.length > 0 ? judged : [`${suite}: no targets`]));

  const limits = new Map<string, string[]>();
  for (const m of measurements) {
    if (m.limit !== undefined) limits.set(m.limit.source, [...(limits.get(m.limit.source) ?? []), m.name]);
  }
  const notes = measurements.filter((m) => m.note !== undefined);
  if (limits.size > 0 || notes.length > 0) lines.push('');
  for (const [source, names] of limits) lines.push(`physical limit of ${names.join(', ')}: ${source}`);
  for (const m of notes) lines.push(`${m.name}: ${m.note}`);
  return lines.join('\n');
}
