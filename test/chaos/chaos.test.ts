// The chaos suite: CHAOS_RUNS seeded schedules (default 500) of CHAOS_STEPS steps (default 200)
// against the real SCS and LCA logic, on fake timers, spread over worker threads (one per core,
// at most 2). A failure names its seed and the one command that replays it; CHAOS_SEED runs that
// one schedule here, in this process (CHAOS_LOG=debug adds the daemons' logs).

import { runSchedule } from './schedule.js';
import { chaosSuite } from './suite.js';

chaosSuite({
  title: 'chaos: seeded fault schedules against the real SCS and LCA, on fake timers',
  suite: 'single',
  file: 'test/chaos/chaos.test.ts',
  runs: { env: 'CHAOS_RUNS', fallback: 500 },
  // The budget is 2 minutes on 2 cores; past 4 the run has a problem worth failing for.
  timeoutMs: 240_000,
  run: runSchedule,
});
