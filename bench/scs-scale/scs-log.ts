// What the scs-scale suite reads from the SCS's log file (JSON lines) after a run: its warnings
// and errors by message, the applications it fenced and why, and the longest stall of its event
// loop that its ADDP keep-alive noticed.

import { readFileSync } from 'node:fs';

function lines(logFile: string): string[] {
  return readFileSync(logFile, 'utf8').split('\n').filter((text) => text !== '');
}

/** The SCS's 'fencing application' log lines (each one kills an application), by their `why`. */
export function fencings(logFile: string): { count: number; reasons: string } {
  const reasons = new Map<string, number>();
  let count = 0;
  for (const text of lines(logFile)) {
    if (!text.includes('"message":"fencing application"')) continue;
    count += 1;
    let why = 'unknown';
    try {
      why = String((JSON.parse(text) as { why?: unknown }).why ?? 'unknown');
    } catch {
      // not a JSON line
    }
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  return { count, reasons: [...reasons].map(([why, n]) => `"${why}" ×${n}`).join(', ') };
}

/** The longest stall of the SCS's event loop its ADDP keep-alive noticed ('addp check ran late', lateMs), 0 if none. */
export function longestStall(logFile: string): number {
  let longest = 0;
  for (const text of lines(logFile)) {
    if (!text.includes('addp check ran late')) continue;
    try {
      longest = Math.max(longest, Number((JSON.parse(text) as { lateMs?: number }).lateMs ?? 0));
    } catch {
      // not a JSON line
    }
  }
  return longest;
}

/** The SCS's warn/error log lines by message, most frequent first. */
export function warnings(logFile: string): string {
  const counts = new Map<string, number>();
  for (const text of lines(logFile)) {
    try {
      const line = JSON.parse(text) as { level?: string; message?: string };
      if (line.level === 'warn' || line.level === 'error') counts.set(`${line.level}: ${line.message}`, (counts.get(`${line.level}: ${line.message}`) ?? 0) + 1);
    } catch {
      counts.set('unparsed line', (counts.get('unparsed line') ?? 0) + 1);
    }
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4);
  return top.length === 0 ? 'none' : top.map(([message, n]) => `${message} ×${n}`).join('; ');
}
