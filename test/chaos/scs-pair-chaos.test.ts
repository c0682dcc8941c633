// The SCS-pair chaos suite: CHAOS_PAIR_RUNS seeded schedules (default 200) of CHAOS_STEPS steps
// (default 200) against two real SCSs (scs-a on host-a, preferred; scs-b on host-b) and the real
// LCAs of those hosts, on fake timers, in worker threads (one per core, at most 2). A failure
// names its seed and the one command that replays it; CHAOS_SEED runs that one schedule here
// (CHAOS_LOG=debug adds the daemons' logs). Budget: about 60 s on 2 cores.
//
// Faults, on top of the application and LCA faults of the single-SCS suite: either SCS crashes
// (its unsynced journal bytes are lost) and restarts; the direct SCS <-> SCS link is cut one way
// or both; one SCS is cut from the other host's LCA, one way or both; everything between host-a
// and host-b is cut, one way or both; any cut heals. Seeds alternate takeoverDelayMs 0 (the
// default) and 1000 ms.
//
// Invariants (pair-invariants.ts; every time bound derived from the configured timeouts):
//  (P1) per SCS epoch, at most one member of a pair acts as primary on the hosts the primary SCS
//       of that epoch controls (connected to their LCA, which follows its epoch) — a partition
//       may leave each side primary on its own host, under different epochs;
//  (P2) the split-brain guard: a backup SCS takes over from a primary SCS only when it could
//       detect it by neither the direct link nor the LCA of the primary's host;
//  (P3) no two SCSs are ever primary under the same epoch, and each SCS's epochs increase;
//  (P4) a subscriber following the acting primary sees journal seqs strictly increase within a
//       term; across a takeover, events the old primary published but the new one could not
//       have received (asynchronous replication) are superseded: counted and printed, not
//       excused silently, and a violation if the new primary had the direct link all along;
//  (P5) after the faults stop: one primary SCS, connected to every LCA, each LCA following its
//       epoch, every pair with a started member has one primary, failed members back as backup;
//  (P6) a backup SCS whose peer is down and which reaches the LCA of the peer's host takes over
//       within negotiateWindow (or the LCA link's reconnect cap) + takeoverDelayMs.

import { runPairSchedule } from './pair-schedule.js';
import type { ScheduleResult } from './schedule.js';
import { chaosSuite } from './suite.js';

function sum(results: readonly ScheduleResult[], key: string): number {
  return results.reduce((total, r) => total + (r.notes?.[key] ?? 0), 0);
}

chaosSuite({
  title: 'chaos: seeded fault schedules against a real SCS pair and LCAs, on fake timers',
  suite: 'pair',
  file: 'test/chaos/scs-pair-chaos.test.ts',
  runs: { env: 'CHAOS_PAIR_RUNS', fallback: 200 },
  // The budget is 1 minute on 2 cores; past 3 the run has a problem worth failing for.
  timeoutMs: 180_000,
  run: runPairSchedule,
  summary: (results) => [
    `known limitation (asynchronous journal replication): ${sum(results, 'takeovers-superseding')} takeovers superseded ` +
      `${sum(results, 'superseded-events')} events their new primary never received`,
  ],
});
